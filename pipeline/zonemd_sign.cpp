// ZONEMD in the sign pass: placeholder before the streaming write, the real record after it.
#include "pipeline/detail/zonemd_sign.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dns/fault.hpp"
#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"
#include "emit/emit.hpp"
#include "parser/parser.hpp"
#include "pipeline/zonemd.hpp"
#include "signer/signer.hpp"

namespace zk::pipeline::detail {

namespace {

// The temp output file is ours: failing to read it back or patch it is an internal failure.
Unexpected io_error(const std::string& what, const std::string& path) {
  return fail(Errc::WriteFailed, what + " " + path + ": " + errno_message(errno));
}

/// Closes the descriptor on every return path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

struct Patch {
  std::string text;      // the new line, '\n' included
  size_t match_len = 0;  // leading bytes the placeholder line shares with it
  int64_t offset = -1;   // where the placeholder line starts in the file
};

// Finds each patch's placeholder line among the leading lines owned by the apex (the writer
// puts the apex first, so they are at the start of the file). Reads only that part.
Result<void> find_lines(int fd, const std::string& path, const std::string& owner_prefix,
                        std::vector<Patch>& patches) {
  constexpr size_t kBlock = 1 << 20;
  std::string buf;
  int64_t buf_offset = 0;  // file offset of buf[0]
  size_t pos = 0;
  bool eof = false;
  size_t left = patches.size();
  while (left > 0) {
    const size_t nl = buf.find('\n', pos);
    if (nl == std::string::npos) {
      if (eof) break;
      buf.erase(0, pos);
      buf_offset += static_cast<int64_t>(pos);
      pos = 0;
      const size_t have = buf.size();
      buf.resize(have + kBlock);
      const ssize_t n =
          ::pread(fd, buf.data() + have, kBlock, buf_offset + static_cast<int64_t>(have));
      if (n < 0) return io_error("cannot read", path);
      buf.resize(have + static_cast<size_t>(n));
      eof = n == 0;
      continue;
    }
    const std::string_view line(buf.data() + pos, nl + 1 - pos);
    if (line.substr(0, owner_prefix.size()) != owner_prefix) break;  // past the apex
    for (Patch& p : patches) {
      if (p.offset >= 0 || line.size() != p.text.size()) continue;
      if (line.compare(0, p.match_len, p.text, 0, p.match_len) != 0) continue;
      p.offset = buf_offset + static_cast<int64_t>(pos);
      --left;
      break;
    }
    pos = nl + 1;
  }
  if (left > 0) {
    return fail(Errc::Internal,
                "ZONEMD placeholder (or one of its RRSIGs) not found at the apex of " + path);
  }
  return ok();
}

}  // namespace

size_t drop_apex_zonemd(ZoneStore& store) {
  const NameView apex = store.origin.view();
  const auto end = std::remove_if(store.rrs.begin(), store.rrs.end(), [&](const RR& rr) {
    return rr.type == rrtype::ZONEMD && name_equal(rr.owner->name(), apex);
  });
  const size_t removed = static_cast<size_t>(store.rrs.end() - end);
  store.rrs.erase(end, store.rrs.end());
  return removed;
}

void add_zonemd_placeholder(ZoneStore& store, const Owner* apex, uint32_t ttl, uint32_t serial,
                            uint8_t hash) {
  const std::vector<uint8_t> zeros(zonemd_digest_len(hash), 0);
  add_zonemd_record(store, apex, ttl, zonemd_rdata(serial, hash, zeros));
}

void add_zonemd_record(ZoneStore& store, const Owner* apex, uint32_t ttl,
                       std::span<const uint8_t> rdata) {
  const uint8_t* stored = store.arena().copy(rdata.data(), rdata.size());
  store.rrs.push_back({apex, stored, ttl, rrtype::ZONEMD, static_cast<uint16_t>(rdata.size())});
}

std::vector<uint8_t> reusable_zonemd(const ZoneStore& previous, uint8_t hash) {
  const RR* found = nullptr;
  for (const RR& rr : previous.rrs) {
    if (!name_equal(rr.owner->name(), previous.origin.view())) break;  // apex first
    if (rr.type != rrtype::ZONEMD) continue;
    if (found != nullptr) return {};
    found = &rr;
  }
  if (found == nullptr || found->rdlen < 6 || found->rdata[4] != zonemd::kSchemeSimple ||
      found->rdata[5] != hash) {
    return {};
  }
  const ZonemdReport r = check_zonemd(previous);
  if (!r.verified || !r.ok()) return {};
  return {found->rdata, found->rdata + found->rdlen};
}

void reset_zonemd_placeholder(ZoneStore& store, uint32_t serial, uint8_t hash) {
  const NameView apex = store.origin.view();
  const std::vector<uint8_t> zeros(zonemd_digest_len(hash), 0);
  const std::vector<uint8_t> rd = zonemd_rdata(serial, hash, zeros);
  for (RR& rr : store.rrs) {
    if (!name_equal(rr.owner->name(), apex)) break;  // the apex is the first owner
    if (rr.type != rrtype::ZONEMD) continue;
    rr.rdata = store.arena().copy(rd.data(), rd.size());
    rr.rdlen = static_cast<uint16_t>(rd.size());
  }
}

Result<void> finalize_zonemd(const std::string& temp_path, NameView origin, const KeyPlan& keys,
                             uint32_t ttl, uint32_t serial, uint8_t hash) {
  // 1. The digest of what was written, read back as any consumer would read it.
  ZoneStore written;
  {
    Diagnostics diag;
    parser::ParseOptions popts;
    popts.origin.assign(origin);
    popts.origin_set = true;
    if (auto r = parser::parse_file(temp_path, popts, written, diag); !r) return fail(r.error());
    if (diag.has_errors()) {
      const auto all = diag.sorted();
      return fail(Errc::Internal,
                  "cannot re-read own output for ZONEMD: " +
                      (all.empty() ? std::string("parse error") : all.front().error.detail));
    }
  }
  written.origin.assign(origin);
  sort_zone(written);
  auto digest = zonemd_digest(written, hash);
  if (!digest) return fail(digest.error());
  // The placeholder's RRSIGs as written: the real ones get the same fields (times, key, TTL),
  // whatever the writer chose for them (e.g. a spread expiration).
  std::vector<RrsigFields> placeholder_sigs;
  for (const RR& rr : written.rrs) {
    if (!name_equal(rr.owner->name(), origin)) break;  // the apex is the first owner
    if (rr.type != rrtype::RRSIG) continue;
    const RrsigFields f = rrsig_fields(rr.rdata_span());
    if (f.type_covered == rrtype::ZONEMD) placeholder_sigs.push_back(f);
  }
  const uint16_t rclass = written.rclass;
  written = ZoneStore();  // the re-read zone is not needed any more; free it before signing

  // 2. The real ZONEMD RRset and its signatures, as the writer printed the placeholder's.
  Arena arena(4096);
  const Owner* apex = make_owner(arena, origin);
  const std::vector<uint8_t> rd = zonemd_rdata(serial, hash, *digest);
  const RR real{apex, rd.data(), ttl, rrtype::ZONEMD, static_cast<uint16_t>(rd.size())};
  const std::vector<uint8_t> zeros(zonemd_digest_len(hash), 0);
  const std::vector<uint8_t> placeholder_rd = zonemd_rdata(serial, hash, zeros);

  std::vector<Patch> patches(1);
  emit::append_rr(patches[0].text, apex->name(), ttl, rclass, rrtype::ZONEMD,
                  {rd.data(), rd.size()});
  std::string placeholder;
  emit::append_rr(placeholder, apex->name(), ttl, rclass, rrtype::ZONEMD,
                  {placeholder_rd.data(), placeholder_rd.size()});
  if (placeholder.size() != patches[0].text.size()) {
    return fail(Errc::Internal, "ZONEMD placeholder and final record differ in length");
  }
  patches[0].match_len = placeholder.size();
  // The placeholder is found by its full text, the RRSIGs by everything before the signature
  // (type covered, algorithm, labels, TTL, times, key tag, signer): only the signature differs.
  patches[0].text.swap(placeholder);
  const std::string final_zonemd = std::move(placeholder);

  signer::SignContext ctx;
  std::vector<uint8_t> sig;
  for (const RrsigFields& f : placeholder_sigs) {
    const signer::Key* found = nullptr;
    for (const auto* list : {&keys.zsks, &keys.ksks}) {
      for (const signer::Key& k : *list) {
        if (k.tag() == f.key_tag && k.algorithm() == f.algorithm && k.has_private()) found = &k;
      }
    }
    if (found == nullptr) {
      return fail(Errc::Internal,
                  "no key " + std::to_string(f.key_tag) + " for the ZONEMD placeholder's RRSIG");
    }
    const signer::Key& key = *found;
    signer::RrsigParams params = keys.params;
    params.inception = f.inception;
    params.expiration = f.expiration;
    params.original_ttl = f.original_ttl;
    sig.resize(signer::max_rrsig_rdata_len(key));
    auto len = ctx.sign(key, params, {&real, 1}, sig.data());
    if (!len) return fail(len.error());
    sig.resize(*len);
    auto good = ctx.verify(key, {&real, 1}, sig);
    if (!good) return fail(good.error());
    if (!*good) {
      return fail(Errc::VerifyFailed,
                  "own ZONEMD RRSIG by key " + std::to_string(key.tag()) + " does not verify");
    }
    Patch p;
    emit::append_rr(p.text, apex->name(), ttl, rclass, rrtype::RRSIG, sig);
    p.match_len = p.text.rfind(' ', p.text.size() - 2) + 1;
    patches.push_back(std::move(p));
  }

  // 3. Patch in place. Same lengths, so no other byte of the file moves.
  Fd fd(::open(temp_path.c_str(), O_RDWR | O_CLOEXEC));
  if (fd.get() < 0) return io_error("cannot open", temp_path);
  const std::string owner_prefix = patches[0].text.substr(0, patches[0].text.find('\t') + 1);
  if (auto r = find_lines(fd.get(), temp_path, owner_prefix, patches); !r) return r;
  patches[0].text = final_zonemd;
  for (const Patch& p : patches) {
    if (::pwrite(fd.get(), p.text.data(), p.text.size(), p.offset) !=
        static_cast<ssize_t>(p.text.size())) {
      return io_error("cannot write", temp_path);
    }
  }
  if (::fsync(fd.get()) != 0) return io_error("cannot sync", temp_path);
  return ok();
}

}  // namespace zk::pipeline::detail
