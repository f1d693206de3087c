// Result<T> and Error: how every library function in zonekiln reports failure.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace zk {

/// Error codes. Grouped by the stage that raises them; each group is one exit code
/// (exit_code_for below): data errors -> 1, usage -> 2, key needs owner -> 3, internal -> 4.
enum class Errc : uint16_t {
  // zone data (exit 1)
  Syntax = 1,    // generic syntax error in a record
  BadTtl,        // TTL not a number / out of range
  BadName,       // malformed domain name
  LabelTooLong,  // label over 63 octets
  NameTooLong,   // name over 255 octets
  BadClass,      // class other than IN
  UnknownType,   // unknown type mnemonic
  BadRdata,      // RDATA does not match the type's format
  RdataTooLong,  // RDATA over 65535 octets
  BadNumber,     // number expected / overflow
  BadBase64,
  BadBase32,
  BadHex,
  BadAddress,
  BadText,        // quoted string problems
  BadDirective,   // $ORIGIN/$TTL/$INCLUDE/$GENERATE problems
  IncludeError,   // $INCLUDE cannot be read, loops, too deep, outside allowed dirs
  LimitExceeded,  // a resource limit (line length, RR count, ...) was hit
  OutOfZone,      // record outside the origin
  ZoneCheck,      // a cross-record zone check failed (SOA, CNAME, NS, glue, ...)
  TooManyErrors,
  // usage (exit 2)
  Usage = 100,
  Io,  // cannot read/write a file the user named
  // key needs owner's action (exit 3)
  KeyActionNeeded = 200,
  // internal failure (exit 4)
  Crypto = 300,  // OpenSSL failure
  VerifyFailed,  // own output failed verification
  Internal,
  WriteFailed,  // an output or state file cannot be written (disk full, read-only, EFBIG)
};

/// Where in the input something happened. file indexes the parser's file table (0 = main
/// zone file); offset is a byte offset into that file; line and column are 1-based (0 = unknown).
struct SourcePos {
  uint32_t file = 0;
  uint64_t offset = 0;
  uint32_t line = 0;
  uint32_t column = 0;
};

/// One error or warning. detail is human text, lower-case, no final period; it is built only on
/// the failure path.
/// The process exit code for an error: the hundreds of the code (zone data 1, usage 2,
/// key needs its owner 3, internal 4). README "Exit codes" documents the same table.
constexpr int exit_code_for(Errc code) noexcept {
  const auto v = static_cast<uint16_t>(code);
  if (v < 100) return 1;
  if (v < 200) return 2;
  if (v < 300) return 3;
  return 4;
}

struct Error {
  Errc code = Errc::Internal;
  SourcePos where{};
  std::string detail;
};

inline Error make_error(Errc code, std::string detail, SourcePos where = {}) {
  return Error{code, where, std::move(detail)};
}

/// Tag type for constructing a failed Result, like std::unexpected.
struct Unexpected {
  Error error;
};
inline Unexpected fail(Errc code, std::string detail, SourcePos where = {}) {
  return Unexpected{Error{code, where, std::move(detail)}};
}
inline Unexpected fail(Error e) { return Unexpected{std::move(e)}; }

/// Result<T>: a T or an Error, with std::expected's member names (has_value, operator*,
/// value(), error()) so that it can become an alias of std::expected<T, Error> under C++23.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::in_place_index<0>, std::move(v)) {}  // NOLINT: implicit like expected
  Result(Unexpected u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  T& value() & {
    assert(has_value() && "Result::value on error");
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(has_value() && "Result::value on error");
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(has_value() && "Result::value on error");
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  Error& error() & {
    assert(!has_value() && "Result::error on value");
    return std::get<1>(v_);
  }
  const Error& error() const& {
    assert(!has_value() && "Result::error on value");
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Unexpected u) : err_(std::move(u.error)), ok_(false) {}  // NOLINT
  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const { assert(ok_ && "Result::value on error"); }
  Error& error() & {
    assert(!ok_);
    return err_;
  }
  const Error& error() const& {
    assert(!ok_);
    return err_;
  }

 private:
  Error err_{};
  bool ok_ = true;
};

inline Result<void> ok() { return {}; }

}  // namespace zk
