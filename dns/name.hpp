// Domain names in wire form: NameView (borrowed) and Name (a fixed 255-octet buffer).
//
// Decision (made once, here): owner names in the zone store are held LOWERCASED (ASCII), i.e.
// already in DNSSEC canonical form (RFC 4034 s6.2). Names inside RDATA are held as written,
// except for the RDATA types whose names RFC 4034 s6.2 (as amended by RFC 6840 s5.1) lowercases;
// those are lowercased once when the record is stored (dns/rdata.hpp rdata_canonicalize).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "dns/result.hpp"

namespace zk {

inline constexpr size_t kMaxNameLen = 255;  // RFC 1035 s3.1, wire octets incl. root label
inline constexpr size_t kMaxLabelLen = 63;  // RFC 1035 s2.3.4
inline constexpr size_t kMaxLabels = 128;   // 255 octets hold at most 127 labels + root
/// Longest canonical key (see canonical_key): each octet may be escaped to two, plus one
/// terminator per label.
inline constexpr size_t kMaxCanonicalKeyLen = 2 * kMaxNameLen;

inline constexpr uint8_t ascii_lower(uint8_t c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<uint8_t>(c + 32) : c;
}

/// A borrowed, valid, uncompressed wire-format name (length-prefixed labels ending with the
/// root label). Does not own its bytes; the caller keeps them alive. Cheap to copy.
struct NameView {
  const uint8_t* data = nullptr;
  uint16_t len = 0;  // total wire length, 1..255 for a valid name

  constexpr NameView() = default;
  constexpr NameView(const uint8_t* d, uint16_t l) : data(d), len(l) {}

  bool is_root() const noexcept { return len == 1; }
  /// Number of labels, not counting the root label ("www.example." -> 2).
  unsigned label_count() const noexcept;
  /// True when the first label is "*" (RFC 4592 wildcard owner).
  bool is_wildcard() const noexcept { return len >= 2 && data[0] == 1 && data[1] == '*'; }
  /// The name with its first label removed; the root's parent is the root.
  NameView parent() const noexcept;
  /// The rightmost n labels of this name (n <= label_count()).
  NameView suffix(unsigned labels) const noexcept;
  std::string_view bytes() const noexcept { return {reinterpret_cast<const char*>(data), len}; }
};

/// An owned name in a fixed buffer (no heap). Used as scratch by parsers and builders.
class Name {
 public:
  Name() { set_root(); }
  explicit Name(NameView v) { assign(v); }
  void set_root() noexcept {
    buf_[0] = 0;
    len_ = 1;
  }
  void assign(NameView v) noexcept {
    std::memcpy(buf_, v.data, v.len);
    len_ = v.len;
  }
  NameView view() const noexcept { return {buf_, len_}; }
  operator NameView() const noexcept { return view(); }  // NOLINT: a Name is a NameView
  uint8_t* data() noexcept { return buf_; }
  const uint8_t* data() const noexcept { return buf_; }
  uint16_t size() const noexcept { return len_; }
  /// Sets the length after writing into data(); the caller guarantees a valid name.
  void set_size(uint16_t n) noexcept { len_ = n; }
  /// Lowercases ASCII letters in place.
  void to_lower() noexcept;

 private:
  uint8_t buf_[kMaxNameLen];
  uint16_t len_;
};

/// Checks that [p, p+len) is exactly one valid uncompressed wire name (labels <= 63, total <= 255,
/// ends with the root label). Returns its length in *name_len when p holds a name followed by
/// more bytes (max = bytes available).
bool wire_name_length(const uint8_t* p, size_t max, uint16_t* name_len) noexcept;

/// Case-insensitive equality (ASCII only, RFC 4343).
bool name_equal(NameView a, NameView b) noexcept;

/// RFC 4034 s6.1 canonical order: <0, 0, >0. Case-insensitive. Does not allocate.
int canonical_compare(NameView a, NameView b) noexcept;

/// True when child equals parent or lies below it (case-insensitive).
bool is_subdomain(NameView child, NameView parent) noexcept;

/// How many trailing labels a and b share, counted as label_count() counts them (both names
/// lowercase).
unsigned common_labels(NameView a, NameView b) noexcept;

/// Writes the canonical sort key of a name into out (at least kMaxCanonicalKeyLen bytes) and
/// returns its length. Keys compare with key_compare (memcmp, then shorter first) exactly as
/// canonical_compare orders the names: labels are written right to left, lowercased, with octets
/// 0x00/0x01 escaped to 0x01 0x01 / 0x01 0x02 and each label terminated by 0x00.
size_t canonical_key(NameView name, uint8_t* out) noexcept;

inline int key_compare(const uint8_t* a, size_t alen, const uint8_t* b, size_t blen) noexcept {
  const size_t n = alen < blen ? alen : blen;
  const int c = n ? std::memcmp(a, b, n) : 0;
  if (c != 0) return c;
  return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

/// Parses a presentation-format name (RFC 1035 s5.1: "\." and "\DDD" escapes, "@" = origin,
/// relative names are completed with origin) into out. origin may be empty (len 0) when no
/// origin is known, in which case relative names fail. Does not lowercase.
Result<void> name_from_text(std::string_view text, NameView origin, Name& out);

/// Which octets a presentation name may hold without a backslash escape.
/// Lenient (the default above; RFC 1035 s5.1 and RFC 2181 s11, as BIND reads names): every
/// octet except the master-file delimiters -- NUL, space, tab, CR, LF, '"', '(', ')', ';' --
/// so "a=b", "c!d", "e#f", "g@h" and 8-bit bytes are labels as written; only a name that is
/// exactly "@" is the origin. Strict (opt-in, as Knot's scanner): letters, digits, '-', '_',
/// '/', '*'. Both accept every escape, and name_to_text output reads back under both.
enum class NameSyntax : uint8_t { Strict, Lenient };
Result<void> name_from_text(std::string_view text, NameView origin, Name& out, NameSyntax syntax);

/// Appends the presentation form of a name (absolute, with trailing dot; special characters
/// escaped as BIND/ldns do: "\." and "\DDD" for non-printables, "\\" "\"" "\(" ... escaped).
void name_to_text(NameView name, std::string& out);
std::string name_to_string(NameView name);
/// name_to_text lowercased (ASCII letters only): key file names, SKR owners, messages.
std::string name_to_lower_string(NameView name);

}  // namespace zk
