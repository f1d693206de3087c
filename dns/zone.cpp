#include "dns/zone.hpp"

#include <iterator>

namespace zk {

const Owner* make_owner(Arena& arena, NameView name) {
  uint8_t key[kMaxCanonicalKeyLen];
  const size_t key_len = canonical_key(name, key);
  uint8_t* p = arena.alloc_aligned(sizeof(Owner) + name.len + key_len, alignof(Owner));
  auto* o = reinterpret_cast<Owner*>(p);
  o->wire_len = name.len;
  o->key_len = static_cast<uint16_t>(key_len);
  uint8_t* w = p + sizeof(Owner);
  for (uint16_t i = 0; i < name.len; ++i) w[i] = name.data[i];
  // Lowercase label octets (not length octets).
  for (uint16_t i = 0; i < name.len && w[i] != 0; i += w[i] + 1) {
    for (uint16_t j = 1; j <= w[i]; ++j) w[i + j] = ascii_lower(w[i + j]);
  }
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
