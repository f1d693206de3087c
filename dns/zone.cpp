#include "dns/zone.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>

namespace zk {

namespace {
constexpr auto kLower = [] {
  std::array<uint8_t, 256> t{};
  for (unsigned c = 0; c < 256; ++c) t[c] = ascii_lower(static_cast<uint8_t>(c));
  return t;
}();
}  // namespace

// One pass lowercases the labels and notes where they start; the key is then the labels in
// reverse order, copied whole (a label holds a 0x00 or 0x01 octet, which the key escapes, only
// in names typed with \000 or \001: those take canonical_key).
const Owner* make_owner(Arena& arena, NameView name) {
  uint8_t lw[kMaxNameLen];
  uint8_t offs[kMaxLabels];
  unsigned labels = 0;
  uint8_t low = 0xff;  // the smallest label octet seen
  uint16_t i = 0;
  while (i < name.len && name.data[i] != 0) {
    const uint8_t l = name.data[i];
    offs[labels++] = static_cast<uint8_t>(i);
    lw[i] = l;
    for (uint16_t j = 1; j <= l; ++j) {
      const uint8_t c = kLower[name.data[i + j]];
      low = std::min(low, c);
      lw[i + j] = c;
    }
    i = static_cast<uint16_t>(i + l + 1);
  }
  for (; i < name.len; ++i) lw[i] = name.data[i];  // the root label
  uint8_t key[kMaxCanonicalKeyLen];
  size_t key_len = 0;
  if (low > 1) {
    for (unsigned li = labels; li-- > 0;) {
      const uint8_t* l = lw + offs[li];
      std::memcpy(key + key_len, l + 1, l[0]);
      key_len += l[0];
      key[key_len++] = 0;
    }
  } else {
    key_len = canonical_key(NameView{lw, name.len}, key);
  }
  uint8_t* p = arena.alloc_aligned(sizeof(Owner) + name.len + key_len, alignof(Owner));
  auto* o = reinterpret_cast<Owner*>(p);
  o->wire_len = name.len;
  o->key_len = static_cast<uint16_t>(key_len);
  uint8_t* w = p + sizeof(Owner);
  std::memcpy(w, lw, name.len);
  std::memcpy(w + name.len, key, key_len);
  return o;
}

void ZoneStore::absorb(ZoneStore&& other) {
  if (rrs.empty()) {
    rrs = std::move(other.rrs);
  } else {
    rrs.insert(rrs.end(), other.rrs.begin(), other.rrs.end());
  }
  for (auto& a : other.arenas) arenas.push_back(std::move(a));
  other.rrs.clear();
  other.arenas.clear();
}

Arena& ZoneStore::arena() {
  if (arenas.empty()) arenas.emplace_back();
  return arenas.back();
}

}  // namespace zk
