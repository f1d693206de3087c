// libFuzzer target: zone-file text -> zk::parser::parse_text -> ZoneStore.
//
// The parser must never crash, hang, leak or read outside the input on any text (the input
// buffer is exactly the fuzzer's bytes, with no spare zero bytes behind it). On top of the
// sanitizers, every record the parser accepts must satisfy the store's invariants:
//   - the owner is one valid wire name of at most 255 octets, stored lowercased (dns/name.hpp);
//   - (ZK_FUZZ_INVARIANTS) its RDATA is well-formed wire RDATA for its type in the zone's class
//     (rdata_validate; CH A is a name and an octal address, not four octets).
// And the record tokenizer's one-pass split must read every logical record of the input exactly
// as the X3 character grammar does (the same tokens, type and failure position), and a parse in
// waves (the spilled compile's) must give what one parse gives.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "dns/diagnostics.hpp"
#include "dns/name.hpp"
#include "dns/zone.hpp"
#include "parser/detail/scanner.hpp"
#include "parser/grammar/record.hpp"
#include "parser/parser.hpp"
#include "tests/fuzz/fuzz_common.hpp"
#if ZK_FUZZ_INVARIANTS
#include "dns/rdata.hpp"
#endif

namespace {

zk::parser::ParseOptions make_options() {
  zk::parser::ParseOptions o;
  o.origin = zk::Name(zk::fuzz::example_com());
  o.origin_set = true;
  o.default_ttl = 3600;
  o.default_ttl_set = true;
  o.allow_include = false;
  // Tight limits: a small input must not be able to make a run slow or huge.
  o.budget.max_include_depth = 1;
  o.budget.max_records = 10'000;
  o.budget.max_input_bytes = 4u << 20;
  o.budget.max_record_length = 1u << 16;
  o.threads = 1;  // reproducible runs
  return o;
}

void check_owner(const zk::Owner* owner) {
  if (owner == nullptr) zk::fuzz::finding("record without owner");
  const uint16_t len = owner->wire_len;
  if (len < 1 || len > zk::kMaxNameLen) zk::fuzz::finding("owner length outside 1..255");
  uint16_t parsed = 0;
  if (!zk::wire_name_length(owner->wire(), len, &parsed) || parsed != len) {
    zk::fuzz::finding("owner is not exactly one valid wire name");
  }
  // Owners are stored lowercased (decision in dns/name.hpp); label length octets are < 64, so
  // any byte in 'A'..'Z' is a label character.
  for (uint16_t i = 0; i < len; ++i) {
    const uint8_t c = owner->wire()[i];
    if (c >= 'A' && c <= 'Z') zk::fuzz::finding("owner not lowercased");
  }
}

// Every logical record, as the scanner cuts the text, split and parsed by the grammar alone.
void check_tokens(std::string_view text) {
  namespace pd = zk::parser::detail;
  namespace pg = zk::parser::grammar;
  std::vector<char> buf(text.begin(), text.end());
  buf.resize(text.size() + pd::kPadding, 0);
  const char* p = buf.data();
  const char* const e = p + text.size();
  pd::RecordSpan span;
  pg::RecordTokens split, grammar;
  while (p < e) {
    pd::scan_record(p, e, span);
    const char* rs = pg::tokenize_record(span.begin, span.end, split);
    const char* rg = pg::tokenize_record_grammar(span.begin, span.end, grammar);
    if (rs != rg) zk::fuzz::finding("split and grammar fail a record at different places");
    if (rs == nullptr) {
      if (split.has_owner != grammar.has_owner || split.type_index != grammar.type_index ||
          split.tokens.size() != grammar.tokens.size()) {
        zk::fuzz::finding("split and grammar read a record differently");
      }
      for (size_t i = 0; i < split.tokens.size(); ++i) {
        const auto& a = split.tokens[i];
        const auto& b = grammar.tokens[i];
        if (a.text.data() != b.text.data() || a.text.size() != b.text.size() ||
            a.quoted != b.quoted) {
          zk::fuzz::finding("split and grammar give different tokens");
        }
      }
    }
    p = span.next;
  }
}

// One record as text (owner, TTL, type, RDATA), for comparing two parses.
std::string record_text(const zk::RR& rr) {
  std::string s = zk::name_to_string(rr.owner->name()) + " " + std::to_string(rr.ttl) + " " +
                  std::to_string(rr.type) + " ";
  s.append(reinterpret_cast<const char*>(rr.rdata), rr.rdlen);
  return s;
}

// A scratch directory for check_waves, made once per process and removed at exit.
struct ScratchDir {
  std::string path;
  ScratchDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/zk-parse-fuzz.XXXXXX";
    if (::mkdtemp(tmpl.data()) != nullptr) path = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

// The spilled compile's reader (parse_file_waves, one chunk per wave, the file read through an
// unnamed mapped copy) must hand over the records and report the problems of one parse_file of
// the same file: the TTL state, the records waiting for a TTL and the owner carried from wave to
// wave, whatever the text. No default TTL here, so records wait for the SOA minimum or the next
// TTL across waves.
void check_waves(std::string_view text) {
  static ScratchDir dir;
  if (dir.path.empty() || text.size() > 64 * 1024) return;
  // Two parses of a file cost the target a fifth of its speed: one input in four, picked by its
  // bytes (so a finding reproduces), keeps most of it for the other checks.
  uint32_t h = 2166136261u ^ static_cast<uint32_t>(text.size());
  for (size_t i = 0; i < text.size() && i < 64; ++i)
    h = (h ^ static_cast<uint8_t>(text[i])) * 16777619u;
  if (h % 4 != 0) return;
  const std::string path = dir.path + "/fuzz.zone";
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!f) return;
  }
  zk::parser::ParseOptions o = make_options();
  o.default_ttl_set = false;
  o.chunk_bytes = 64;
  zk::ZoneStore one;
  zk::Diagnostics d1(100);
  auto r1 = zk::parser::parse_file(path, o, one, d1);
  std::vector<std::string> a, b;
  for (const zk::RR& rr : one.rrs) a.push_back(record_text(rr));
  zk::Diagnostics d2(100);
  zk::parser::WaveOptions w;
  w.wave_bytes = 1;
  w.copy_dir = dir.path;
  auto r2 = zk::parser::parse_file_waves(
      path, o, w,
      [&](zk::ZoneStore&& wave) -> zk::Result<void> {
        for (const zk::RR& rr : wave.rrs) b.push_back(record_text(rr));
        return zk::ok();
      },
      d2);
  if (r1.has_value() != r2.has_value())
    zk::fuzz::finding("waves and one parse disagree on failing");
  // At the error limit a parse stops where it is, and a wave reports its records without a TTL
  // when it ends rather than at the end of the whole parse: which records were made and which
  // problems are listed then depend on where each stopped.
  if (d1.full() || d2.full()) return;
  if (a != b) zk::fuzz::finding("a parse in waves hands over other records than one parse");
  if (d1.error_count() != d2.error_count() || d1.warning_count() != d2.warning_count()) {
    zk::fuzz::finding("a parse in waves reports other problems than one parse");
  }
  std::vector<std::string> t1, t2;
  for (const zk::Diagnostic& d : d1.sorted()) t1.push_back(d1.format(d));
  for (const zk::Diagnostic& d : d2.sorted()) t2.push_back(d2.format(d));
  if (t1 != t2) zk::fuzz::finding("a parse in waves words its problems differently");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const zk::parser::ParseOptions options = make_options();
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  check_tokens(text);
  check_waves(text);

  zk::ZoneStore store;
  zk::Diagnostics diag(100);
  auto r = zk::parser::parse_text(text, "fuzz.zone", /*base_dir=*/"", options, store, diag);
  (void)r;

  if (diag.error_count() > 100) zk::fuzz::finding("more errors than max_errors");
  if (store.rrs.size() > options.budget.max_records) zk::fuzz::finding("max_records exceeded");
  for (const zk::RR& rr : store.rrs) {
    check_owner(rr.owner);
    if (rr.rdlen != 0 && rr.rdata == nullptr) zk::fuzz::finding("rdata pointer null");
#if ZK_FUZZ_INVARIANTS
    if (!zk::rdata_validate(rr.type, rr.rdata_span(), store.rclass).has_value()) {
      zk::fuzz::finding("accepted record has RDATA that rdata_validate rejects");
    }
#endif
  }
  // Formatting works out columns from the source line: exercise it on every diagnostic.
  for (const zk::Diagnostic& d : diag.sorted()) {
    std::string s = diag.format(d);
    if (s.empty()) zk::fuzz::finding("empty diagnostic text");
  }
  return 0;
}
