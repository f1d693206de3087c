// Cursor over one record's RDATA tokens and its wire output, shared by the field readers of
// rdata_text.cpp and the whole-RDATA readers (special_text.cpp, loc_text.cpp, svcb_text.cpp).
// Internal to parser/.
#pragma once

#if !defined(ZK_INSIDE_PARSER) && !defined(ZK_WHITE_BOX)
#error "parser/detail/ is private to parser/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "dns/name.hpp"
#include "dns/result.hpp"
#include "parser/detail/rdata_text.hpp"

namespace zk::parser::detail {

struct RdataCtx {
  std::span<const Token> tokens;
  size_t ti = 0;  // next token
  NameView origin;
  uint8_t* out = nullptr;  // kRdataBufSize octets
  size_t len = 0;
  NameSyntax names = NameSyntax::Lenient;

  bool at_end() const noexcept { return ti >= tokens.size(); }
  size_t room() const noexcept { return kRdataBufSize - len; }
  uint8_t* cur() noexcept { return out + len; }

  /// Error at token index idx (tokens.size() = missing data at the end of the record).
  static Unexpected at(size_t idx, Error e) {
    e.where.offset = idx;
    return Unexpected{std::move(e)};
  }
  /// Error about the token just taken with next().
  Unexpected bad_last(Error e) const { return at(ti == 0 ? 0 : ti - 1, std::move(e)); }
  Unexpected bad_last(Errc code, std::string msg) const {
    return bad_last(Error{code, {}, std::move(msg)});
  }
  Unexpected missing(const char* expected) const {
    return at(ti,
              Error{Errc::BadRdata, {}, std::string("missing rdata field: expected ") + expected});
  }

  /// Takes the next token; fails with "missing rdata field: expected <what>" at the end.
  Result<std::string_view> next(const char* what) {
    if (at_end()) return missing(what);
    return tokens[ti++].text;
  }

  Result<void> need(size_t n) const {
    if (n > room())
      return at(ti == 0 ? 0 : ti - 1, Error{Errc::RdataTooLong, {}, "rdata exceeds 65535 octets"});
    return ok();
  }
  void put8(uint8_t v) noexcept { out[len++] = v; }
  void put16(uint16_t v) noexcept {
    out[len++] = static_cast<uint8_t>(v >> 8);
    out[len++] = static_cast<uint8_t>(v);
  }
  void put32(uint32_t v) noexcept {
    put16(static_cast<uint16_t>(v >> 16));
    put16(static_cast<uint16_t>(v));
  }
  void put(const uint8_t* p, size_t n) noexcept {
    std::memcpy(out + len, p, n);
    len += n;
  }
};

// Whole-RDATA and complex field readers. Each consumes tokens from ctx.ti and appends wire.
Result<void> read_wks(RdataCtx& c);
Result<void> read_loc(RdataCtx& c);
Result<void> read_apl(RdataCtx& c);
Result<void> read_a6(RdataCtx& c);
Result<void> read_ipseckey(RdataCtx& c);
Result<void> read_hip(RdataCtx& c);
Result<void> read_caa(RdataCtx& c);
Result<void> read_amtrelay(RdataCtx& c);
Result<void> read_nsap(RdataCtx& c);
Result<void> read_nxt_bitmap(RdataCtx& c);
Result<void> read_svc_params(RdataCtx& c);
Result<void> read_atma(RdataCtx& c);

/// Reads one domain name token (completed with origin) and appends its wire form.
Result<void> read_name_field(RdataCtx& c, const char* what);
/// Reads hex from all remaining tokens (at least one; even digit count in total).
Result<void> read_hex_rest(RdataCtx& c);
/// Reads base64 from all remaining tokens (at least one) and appends it.
Result<void> read_base64_rest(RdataCtx& c);

}  // namespace zk::parser::detail
