#include "dns/rdata.hpp"

#include <cstring>

#include "dns/rdata_desc.hpp"
#include "dns/rrtype.hpp"

namespace zk {

using rdesc::Field;
using rdesc::get16;
using rdesc::get32;
using rdesc::kBadField;

namespace {

Result<void> validate_with(const rdesc::RdataDesc* d, uint16_t type,
                           std::span<const uint8_t> rdata) {
  if (rdata.size() > kMaxRdataLen) return fail(Errc::RdataTooLong, "rdata exceeds 65535 octets");
  if (d == nullptr) return ok();
  const uint8_t* p = rdata.data();
  const size_t n = rdata.size();
  size_t off = 0;
  for (Field f : d->field_list()) {
    const size_t len = rdesc::field_wire_len(f, p + off, n - off);
    if (len == kBadField) {
      return fail(Errc::BadRdata, "malformed rdata for type " + type_to_string(type));
    }
    off += len;
  }
  if (off != n)
    return fail(Errc::BadRdata, "trailing octets in rdata for type " + type_to_string(type));
  return ok();
}

}  // namespace

Result<void> rdata_validate(uint16_t type, std::span<const uint8_t> rdata) {
  return validate_with(rdesc::rdata_desc(type), type, rdata);
}

Result<void> rdata_validate(uint16_t type, std::span<const uint8_t> rdata, uint16_t rclass) {
  return validate_with(rdesc::rdata_desc(type, rclass), type, rdata);
}

namespace {

void lower_name(uint8_t* p) noexcept {
  for (size_t i = 0; p[i] != 0; i += p[i] + 1) {
    for (size_t k = 1; k <= p[i]; ++k) p[i + k] = ascii_lower(p[i + k]);
  }
}

NameView name_at(const uint8_t* p, size_t n) noexcept {
  uint16_t len = 0;
  if (!wire_name_length(p, n, &len)) return {};
  return {p, len};
}

}  // namespace

bool rdata_has_canonical_names(uint16_t type) noexcept {
  if (type == rrtype::A6) return true;
  const rdesc::RdataDesc* d = rdesc::rdata_desc(type);
  if (d == nullptr) return false;
  for (Field f : d->field_list()) {
    if (f == Field::LName) return true;
  }
  return false;
}

void rdata_canonicalize(uint16_t type, std::span<uint8_t> rdata, uint16_t rclass) noexcept {
  if (rdesc::rdata_desc(type, rclass) == rdesc::rdata_desc(type)) rdata_canonicalize(type, rdata);
}

void rdata_canonicalize(uint16_t type, std::span<uint8_t> rdata) noexcept {
  const rdesc::RdataDesc* d = rdesc::rdata_desc(type);
  if (d == nullptr) return;
  uint8_t* p = rdata.data();
  const size_t n = rdata.size();
  if (type == rrtype::A6) {  // RFC 4034 s6.2 lists A6: its prefix name
    if (rdesc::field_wire_len(Field::A6, p, n) == kBadField) return;
    if (p[0] > 0) {
      const size_t at = 1 + (128 - p[0] + 7) / 8;
      if (at < n) lower_name(p + at);
    }
    return;
  }
  size_t off = 0;
  for (Field f : d->field_list()) {
    const size_t len = rdesc::field_wire_len(f, p + off, n - off);
    if (len == kBadField) return;
    if (f == Field::LName) lower_name(p + off);
    off += len;
  }
}

unsigned rdata_names(uint16_t type, std::span<const uint8_t> rdata, NameView out[4]) noexcept {
  const rdesc::RdataDesc* d = rdesc::rdata_desc(type);
  if (d == nullptr) return 0;
  const uint8_t* p = rdata.data();
  const size_t n = rdata.size();
  unsigned count = 0;
  auto add = [&](const uint8_t* at, size_t avail) {
    if (count >= 4) return;
    NameView v = name_at(at, avail);
    if (v.len != 0) out[count++] = v;
  };
  size_t off = 0;
  for (Field f : d->field_list()) {
    const size_t len = rdesc::field_wire_len(f, p + off, n - off);
    if (len == kBadField) return count;
    switch (f) {
      case Field::Name:
      case Field::LName:
        add(p + off, n - off);
        break;
      case Field::A6:
        if (n >= 1 && p[0] > 0 && p[0] <= 128) {
          const size_t at = 1 + (128 - p[0] + 7) / 8;
          if (at < n) add(p + at, n - at);
        }
        break;
      case Field::Ipseckey:
        if (n > 3 && p[1] == 3) add(p + 3, n - 3);
        break;
      case Field::Amtrelay:
        if (n > 2 && (p[1] & 0x7f) == 3) add(p + 2, n - 2);
        break;
      case Field::Hip: {
        size_t i = 4 + size_t{p[0]} + get16(p + 2);
        while (i < n && count < 4) {
          NameView v = name_at(p + i, n - i);
          if (v.len == 0) break;
          out[count++] = v;
          i += v.len;
        }
        break;
      }
      default:
        break;
    }
    off += len;
  }
  return count;
}

SoaFields soa_fields(std::span<const uint8_t> rdata) noexcept {
  SoaFields s{};
  const uint8_t* p = rdata.data();
  s.mname = name_at(p, rdata.size());
  s.rname = name_at(p + s.mname.len, rdata.size() - s.mname.len);
  const uint8_t* t = p + s.mname.len + s.rname.len;
  s.serial = get32(t);
  s.refresh = get32(t + 4);
  s.retry = get32(t + 8);
  s.expire = get32(t + 12);
  s.minimum = get32(t + 16);
  return s;
}

size_t soa_serial_offset(std::span<const uint8_t> rdata) noexcept {
  const NameView m = name_at(rdata.data(), rdata.size());
  const NameView r = name_at(rdata.data() + m.len, rdata.size() - m.len);
  return size_t{m.len} + r.len;
}

RrsigFields rrsig_fields(std::span<const uint8_t> rdata) noexcept {
  RrsigFields f{};
  const uint8_t* p = rdata.data();
  f.type_covered = get16(p);
  f.algorithm = p[2];
  f.labels = p[3];
  f.original_ttl = get32(p + 4);
  f.expiration = get32(p + 8);
  f.inception = get32(p + 12);
  f.key_tag = get16(p + 16);
  f.signer = name_at(p + 18, rdata.size() - 18);
  const size_t sig = 18 + size_t{f.signer.len};
  f.signature = rdata.subspan(sig);
  return f;
}

DnskeyFields dnskey_fields(std::span<const uint8_t> rdata) noexcept {
  DnskeyFields f{};
  const uint8_t* p = rdata.data();
  f.flags = get16(p);
  f.protocol = p[2];
  f.algorithm = p[3];
  f.public_key = rdata.subspan(4);
  return f;
}

uint16_t key_tag(std::span<const uint8_t> rdata) noexcept {
  const uint8_t* p = rdata.data();
  const size_t n = rdata.size();
  // RFC 4034 B.1: RSA/MD5 uses the low 16 bits of the modulus' last 24 bits.
  if (n >= 4 && p[3] == 1) return n >= 7 ? get16(p + n - 3) : 0;
  uint32_t ac = 0;
  for (size_t i = 0; i < n; ++i) ac += (i & 1) ? p[i] : uint32_t{p[i]} << 8;
  ac += (ac >> 16) & 0xffff;
  return static_cast<uint16_t>(ac & 0xffff);
}

// --- TypeBitmap -----------------------------------------------------------------------------

void TypeBitmap::clear() noexcept {
  std::memset(bits_, 0, sizeof bits_);
  std::memset(window_used_, 0, sizeof window_used_);
  count_ = 0;
}

void TypeBitmap::add(uint16_t type) noexcept {
  uint8_t& byte = bits_[type >> 8][(type & 0xff) >> 3];
  const uint8_t bit = static_cast<uint8_t>(0x80 >> (type & 7));
  if (byte & bit) return;
  byte |= bit;
  window_used_[type >> 8] = true;
  ++count_;
}

bool TypeBitmap::has(uint16_t type) const noexcept {
  return bits_[type >> 8][(type & 0xff) >> 3] & (0x80 >> (type & 7));
}

namespace {
unsigned window_len(const uint8_t (&w)[32]) noexcept {
  unsigned len = 32;
  while (len > 0 && w[len - 1] == 0) --len;
  return len;
}
}  // namespace

size_t TypeBitmap::wire_size() const noexcept {
  size_t n = 0;
  for (unsigned w = 0; w < 256; ++w) {
    if (window_used_[w]) n += 2 + window_len(bits_[w]);
  }
  return n;
}

size_t TypeBitmap::write(uint8_t* out) const noexcept {
  size_t o = 0;
  for (unsigned w = 0; w < 256; ++w) {
    if (!window_used_[w]) continue;
    const unsigned len = window_len(bits_[w]);
    out[o++] = static_cast<uint8_t>(w);
    out[o++] = static_cast<uint8_t>(len);
    std::memcpy(out + o, bits_[w], len);
    o += len;
  }
  return o;
}

bool TypeBitmap::read(std::span<const uint8_t> wire) noexcept {
  clear();
  if (rdesc::field_wire_len(Field::Bitmap, wire.data(), wire.size()) == kBadField) return false;
  size_t i = 0;
  while (i < wire.size()) {
    const unsigned w = wire[i], len = wire[i + 1];
    for (unsigned b = 0; b < len * 8; ++b) {
      if (wire[i + 2 + b / 8] & (0x80 >> (b & 7))) add(static_cast<uint16_t>(w * 256 + b));
    }
    i += 2 + len;
  }
  return true;
}

}  // namespace zk
