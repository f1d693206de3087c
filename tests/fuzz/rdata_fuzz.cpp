// libFuzzer target: RDATA presentation tokens -> zk::parser::detail::rdata_from_text.
//
// Input layout: bytes 0-1 are the RR type (big-endian), the rest is RDATA text, split into
// tokens on blanks as the zone-file scanner does (quoted strings kept whole, see fuzz_common.hpp
// tokenize; text the scanner would reject is skipped). The output buffer
// is exactly kRdataBufSize bytes on the heap, so any write past it is an ASan report.
// When a conversion succeeds:
//   - the length is at most 65535 (RFC 1035 s3.2.1 RDLENGTH);
//   - (ZK_FUZZ_INVARIANTS) the wire RDATA passes rdata_validate for the type;
//   - (ZK_FUZZ_ROUNDTRIP) emit::rdata_to_text prints it and reading that text back gives the
//     same bytes (emit/rdata_print.hpp promises "the output reads back to the same wire RDATA").
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/rdata.hpp"
#include "parser/detail/rdata_text.hpp"
#include "tests/fuzz/fuzz_common.hpp"
#if ZK_FUZZ_ROUNDTRIP
#include "emit/rdata_print.hpp"
#endif

using zk::parser::detail::kRdataBufSize;
using zk::parser::detail::rdata_from_text;
using zk::parser::detail::Token;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint16_t type = static_cast<uint16_t>(data[0] << 8 | data[1]);
  const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);

  std::vector<Token> tokens;
  if (!zk::fuzz::tokenize(text, tokens)) return 0;

  auto out = std::make_unique<uint8_t[]>(kRdataBufSize);
  auto r = rdata_from_text(type, tokens, zk::fuzz::example_com(), out.get());
  if (!r.has_value()) return 0;

  const size_t len = *r;
  if (len > zk::kMaxRdataLen) zk::fuzz::finding("rdata_from_text returned more than 65535 octets");
  const std::span<const uint8_t> wire(out.get(), len);
#if ZK_FUZZ_INVARIANTS
  if (!zk::rdata_validate(type, wire).has_value()) {
    zk::fuzz::finding("rdata_from_text output fails rdata_validate");
  }
#endif
#if ZK_FUZZ_ROUNDTRIP
  std::string printed;
  zk::emit::rdata_to_text(type, wire, printed);
  std::vector<Token> again_tokens;
  if (!zk::fuzz::tokenize(printed, again_tokens)) {
    std::fprintf(stderr, "zk-fuzz: printed as: %s\n", printed.c_str());
    zk::fuzz::finding("rdata_to_text output is not one scannable record");
  }
  auto again = std::make_unique<uint8_t[]>(kRdataBufSize);
  auto r2 = rdata_from_text(type, again_tokens, zk::fuzz::example_com(), again.get());
  if (!r2.has_value()) {
    std::fprintf(stderr, "zk-fuzz: printed as: %s\nzk-fuzz: reading back: %s\n", printed.c_str(),
                 r2.error().detail.c_str());
    zk::fuzz::finding("rdata_to_text output does not read back");
  }
  if (*r2 != len || std::memcmp(again.get(), out.get(), len) != 0) {
    std::fprintf(stderr, "zk-fuzz: printed as: %s\n", printed.c_str());
    zk::fuzz::finding("rdata_to_text output reads back to different wire RDATA");
  }
#endif
  return 0;
}
