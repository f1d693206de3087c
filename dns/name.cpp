#include "dns/name.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace zk {

unsigned NameView::label_count() const noexcept {
  unsigned n = 0;
  for (uint16_t i = 0; i < len && data[i] != 0; i += data[i] + 1) ++n;
  return n;
}

NameView NameView::parent() const noexcept {
  if (len <= 1) return *this;
  const uint16_t skip = data[0] + 1;
  return {data + skip, static_cast<uint16_t>(len - skip)};
}

NameView NameView::suffix(unsigned labels) const noexcept {
  unsigned drop = label_count() - labels;
  NameView v = *this;
  while (drop-- > 0) v = v.parent();
  return v;
}

void Name::to_lower() noexcept {
  for (uint16_t i = 0; i < len_ && buf_[i] != 0; i += buf_[i] + 1) {
    for (uint16_t j = 1; j <= buf_[i]; ++j) buf_[i + j] = ascii_lower(buf_[i + j]);
  }
}

bool wire_name_length(const uint8_t* p, size_t max, uint16_t* name_len) noexcept {
  size_t i = 0;
  while (true) {
    if (i >= max) return false;
    const uint8_t l = p[i];
    if (l > kMaxLabelLen) return false;  // also rejects compression pointers
    i += 1 + l;
    if (i > kMaxNameLen) return false;
    if (l == 0) break;
  }
  *name_len = static_cast<uint16_t>(i);
  return true;
}

bool name_equal(NameView a, NameView b) noexcept {
  if (a.len != b.len) return false;
  for (uint16_t i = 0; i < a.len; ++i) {
    if (ascii_lower(a.data[i]) != ascii_lower(b.data[i])) return false;
  }
  return true;
}

namespace {
// Collects label start offsets; returns the label count (root excluded).
unsigned label_offsets(NameView n, uint8_t* offs) noexcept {
  unsigned c = 0;
  for (uint16_t i = 0; i < n.len && n.data[i] != 0; i += n.data[i] + 1)
    offs[c++] = static_cast<uint8_t>(i);
  return c;
}
}  // namespace

int canonical_compare(NameView a, NameView b) noexcept {
  uint8_t ao[kMaxLabels], bo[kMaxLabels];
  const unsigned an = label_offsets(a, ao);
  const unsigned bn = label_offsets(b, bo);
  unsigned ai = an, bi = bn;
  while (ai > 0 && bi > 0) {
    --ai;
    --bi;
    const uint8_t* la = a.data + ao[ai];
    const uint8_t* lb = b.data + bo[bi];
    const unsigned lena = la[0], lenb = lb[0];
    const unsigned m = std::min(lena, lenb);
    for (unsigned k = 1; k <= m; ++k) {
      const uint8_t ca = ascii_lower(la[k]), cb = ascii_lower(lb[k]);
      if (ca != cb) return ca < cb ? -1 : 1;
    }
    if (lena != lenb) return lena < lenb ? -1 : 1;
  }
  if (ai == bi) return 0;
  return ai == 0 ? -1 : 1;  // the name with labels left over is the longer one (sorts after)
}

bool is_subdomain(NameView child, NameView parent) noexcept {
  if (child.len < parent.len) return false;
  // Walk child's labels until the remaining suffix has parent's length.
  uint16_t i = 0;
  while (child.len - i > parent.len) {
    i += child.data[i] + 1;
  }
  if (child.len - i != parent.len) return false;
  return name_equal({child.data + i, parent.len}, parent);
}

unsigned common_labels(NameView a, NameView b) noexcept {
  unsigned n = std::min(a.label_count(), b.label_count());
  NameView sa = a.suffix(n), sb = b.suffix(n);
  // Shrink until the suffixes are equal; suffix equality is monotone in n.
  while (n > 0 && !(sa.len == sb.len && std::memcmp(sa.data, sb.data, sa.len) == 0)) {
    --n;
    sa = sa.parent();
    sb = sb.parent();
  }
  return n;
}

size_t canonical_key(NameView name, uint8_t* out) noexcept {
  uint8_t offs[kMaxLabels];
  const unsigned n = label_offsets(name, offs);
  size_t o = 0;
  for (unsigned li = n; li-- > 0;) {
    const uint8_t* l = name.data + offs[li];
    for (unsigned k = 1; k <= l[0]; ++k) {
      const uint8_t c = ascii_lower(l[k]);
      if (c <= 1) {
        out[o++] = 1;
        out[o++] = static_cast<uint8_t>(c + 1);
      } else {
        out[o++] = c;
      }
    }
    out[o++] = 0;
  }
  return o;
}

namespace {
// Characters a presentation name may hold without a backslash (as Knot's scanner allows);
// everything else must be written as \X or \DDD.
constexpr bool plain_name_char(uint8_t c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '/' || c == '*';
}
// RFC 2181 s11: any octet may be in a label; unescaped, only what ends or splits a master-file
// token cannot be (the scanner already stopped tokens at blanks, ';', '(', ')' and '"').
constexpr bool lenient_name_char(uint8_t c) noexcept {
  return c != 0 && c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '"' && c != '(' &&
         c != ')' && c != ';';
}
// What a presentation-name byte is to name_from_text: kept as is under both syntaxes, only
// under the lenient one, a label separator, an escape, or refused. name_to_text prints a
// kNamePlain byte as itself and escapes the rest.
enum : uint8_t { kNameBad = 0, kNamePlain, kNameLenient, kNameDot, kNameEscape };
constexpr auto kNameByte = [] {
  std::array<uint8_t, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    const auto b = static_cast<uint8_t>(c);
    t[c] = plain_name_char(b) ? kNamePlain : lenient_name_char(b) ? kNameLenient : kNameBad;
  }
  t['.'] = kNameDot;
  t['\\'] = kNameEscape;
  return t;
}();
}  // namespace

Result<void> name_from_text(std::string_view text, NameView origin, Name& out) {
  return name_from_text(text, origin, out, NameSyntax::Lenient);
}

namespace {

// Which label is empty, for a name typed by hand ("ripe.net..", "a..b", ".example").
std::string empty_label(std::string_view text, size_t dot) {
  if (dot == 0) return "empty label in domain name: it starts with a dot";
  return "empty label in domain name: two dots in a row after '" +
         std::string(text.substr(0, dot)) + "' (character " + std::to_string(dot + 1) + ")";
}

}  // namespace

Result<void> name_from_text(std::string_view text, NameView origin, Name& out, NameSyntax syntax) {
  if (text.empty()) return fail(Errc::BadName, "empty domain name");
  if (text == "@") {
    if (origin.len == 0) return fail(Errc::BadName, "'@' used but no origin is known");
    out.assign(origin);
    return ok();
  }
  uint8_t* buf = out.data();
  size_t o = 0;            // write position
  size_t label_start = 0;  // position of the current label's length octet
  buf[0] = 0;
  o = 1;
  bool absolute = false;
  const size_t n = text.size();
  if (text == ".") {
    out.set_root();
    return ok();
  }
  // Bytes that stand for themselves go in runs: the run is measured, checked against the label
  // and name limits (the same errors, in the same order, as byte by byte), then copied.
  const uint8_t keep = syntax == NameSyntax::Strict ? kNamePlain : kNameLenient;
  for (size_t i = 0; i < n; ++i) {
    size_t run = i;
    while (run < n && kNameByte[static_cast<uint8_t>(text[run])] != kNameBad &&
           kNameByte[static_cast<uint8_t>(text[run])] <= keep) {
      ++run;
    }
    if (run > i) {
      const size_t k = run - i;
      // The byte at index j of the run is refused when its label would pass 63 octets (checked
      // first) or the name 255.
      const size_t label_room = label_start + 1 + kMaxLabelLen - o;
      const size_t name_room = kMaxNameLen - o;
      if (k > label_room || k > name_room) {
        if (label_room <= name_room) return fail(Errc::LabelTooLong, "label exceeds 63 octets");
        return fail(Errc::NameTooLong, "domain name exceeds 255 octets");
      }
      std::memcpy(buf + o, text.data() + i, k);
      o += k;
      i = run;
      if (i == n) break;
    }
    uint8_t c = static_cast<uint8_t>(text[i]);
    if (c == '.') {
      const size_t llen = o - label_start - 1;
      if (llen == 0) return fail(Errc::BadName, empty_label(text, i));
      buf[label_start] = static_cast<uint8_t>(llen);
      if (i + 1 == n) {
        absolute = true;
        break;
      }
      label_start = o;
      if (o >= kMaxNameLen) return fail(Errc::NameTooLong, "domain name exceeds 255 octets");
      buf[o++] = 0;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= n) return fail(Errc::BadName, "backslash at end of domain name");
      const char d0 = text[i + 1];
      if (d0 >= '0' && d0 <= '9') {
        if (i + 3 >= n || !(text[i + 2] >= '0' && text[i + 2] <= '9') ||
            !(text[i + 3] >= '0' && text[i + 3] <= '9')) {
          return fail(Errc::BadName, "\\DDD escape needs three decimal digits");
        }
        const unsigned v = (d0 - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (v > 255) return fail(Errc::BadName, "\\DDD escape value over 255");
        c = static_cast<uint8_t>(v);
        i += 3;
      } else {
        c = static_cast<uint8_t>(d0);
        i += 1;
      }
    } else {
      return fail(Errc::BadName, "unescaped special character in domain name");
    }
    if (o - label_start > kMaxLabelLen) return fail(Errc::LabelTooLong, "label exceeds 63 octets");
    if (o >= kMaxNameLen) return fail(Errc::NameTooLong, "domain name exceeds 255 octets");
    buf[o++] = c;
  }
  if (!absolute) {
    const size_t llen = o - label_start - 1;
    if (llen == 0) return fail(Errc::BadName, "empty label in domain name");
    buf[label_start] = static_cast<uint8_t>(llen);
    if (origin.len == 0) {
      return fail(Errc::BadName, "relative domain name but no origin is known");
    }
    if (o + origin.len > kMaxNameLen) {
      return fail(Errc::NameTooLong, "domain name exceeds 255 octets");
    }
    std::memcpy(buf + o, origin.data, origin.len);
    o += origin.len;
  } else {
    if (o + 1 > kMaxNameLen) return fail(Errc::NameTooLong, "domain name exceeds 255 octets");
    buf[o++] = 0;
  }
  out.set_size(static_cast<uint16_t>(o));
  return ok();
}

void name_to_text(NameView name, std::string& out) {
  if (name.len <= 1) {
    out.push_back('.');
    return;
  }
  // The text is built in a stack buffer and appended once: per-character push_back was most
  // of the cost of printing a zone. An octet prints as at most 4 characters ("\DDD") and each
  // length octet as one '.', so 4 * 255 characters always suffice.
  char buf[4 * kMaxNameLen];
  char* o = buf;
  for (uint16_t i = 0; i < name.len && name.data[i] != 0; i += name.data[i] + 1) {
    const uint8_t l = name.data[i];
    for (uint16_t k = 1; k <= l; ++k) {
      const uint8_t c = name.data[i + k];
      if (kNameByte[c] == kNamePlain) {
        *o++ = static_cast<char>(c);
      } else if (c > 0x20 && c < 0x7f) {
        *o++ = '\\';  // "\." "\@" "\&": whatever name_from_text wants escaped
        *o++ = static_cast<char>(c);
      } else {
        *o++ = '\\';
        *o++ = static_cast<char>('0' + c / 100);
        *o++ = static_cast<char>('0' + (c / 10) % 10);
        *o++ = static_cast<char>('0' + c % 10);
      }
    }
    *o++ = '.';
  }
  out.append(buf, static_cast<size_t>(o - buf));
}

std::string name_to_string(NameView name) {
  std::string s;
  name_to_text(name, s);
  return s;
}

std::string name_to_lower_string(NameView name) {
  std::string s;
  name_to_text(name, s);
  for (char& c : s) c = static_cast<char>(ascii_lower(static_cast<uint8_t>(c)));
  return s;
}

}  // namespace zk
