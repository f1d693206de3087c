// Stage: owner-node table with zone cuts, occluded names and empty non-terminals.
#include <algorithm>

#include "dns/big_alloc.hpp"
#include "dns/rrtype.hpp"
#include "pipeline/pipeline.hpp"

namespace zk::pipeline {

namespace {

constexpr size_t kPrefetchAhead = 16;

// Number of trailing labels a and b share (both lowercase, absolute).
unsigned common_labels(NameView a, NameView b) {
  unsigned na = a.label_count(), nb = b.label_count();
  unsigned n = std::min(na, nb);
  NameView sa = a.suffix(n), sb = b.suffix(n);
  // Shrink until the suffixes are equal; suffix equality is monotone in n.
  while (n > 0 && !(sa.len == sb.len && std::memcmp(sa.data, sb.data, sa.len) == 0)) {
    --n;
    sa = sa.parent();
    sb = sb.parent();
  }
  return n;
}

}  // namespace

uint32_t ZoneIndex::find(NameView name) const noexcept {
  uint8_t key[kMaxCanonicalKeyLen];
  const size_t key_len = canonical_key(name, key);
  auto it = std::lower_bound(nodes.begin(), nodes.end(), 0, [&](const OwnerNode& n, int) {
    return key_compare(n.owner->key(), n.owner->key_len, key, key_len) < 0;
  });
  if (it == nodes.end()) return UINT32_MAX;
  if (key_compare(it->owner->key(), it->owner->key_len, key, key_len) != 0) return UINT32_MAX;
  return static_cast<uint32_t>(it - nodes.begin());
}

ZoneIndex build_index(const ZoneStore& store) {
  ZoneIndex idx;
  const auto& rrs = store.rrs;
  const NameView origin = store.origin.view();
  const unsigned origin_labels = origin.label_count();
  idx.nodes.reserve(rrs.size() / 2 + 16);

  // The innermost cut (delegation or DNAME owner) we are below, if any. In canonical order
  // every name below X directly follows X, so one pass with one "current cut" suffices.
  NameView cut{};
  bool cut_is_dname = false;
  NameView prev{};

  size_t i = 0;
  while (i < rrs.size()) {
    // Owners of a sorted store are scattered over the parse arenas, so each node's first
    // read of its owner is a cache miss; this serial pass asks for them a few records ahead.
    if (i + kPrefetchAhead < rrs.size()) __builtin_prefetch(rrs[i + kPrefetchAhead].owner);
    const Owner* owner = rrs[i].owner;
    size_t j = i + 1;
    // sort_zone makes an owner's records share one Owner, so the pointer compare decides
    // almost always; owner_compare keeps stores sorted some other way correct.
    while (j < rrs.size() && (rrs[j].owner == owner || owner_compare(rrs[j].owner, owner) == 0))
      ++j;
    const NameView name = owner->name();

    OwnerNode node{owner, static_cast<uint32_t>(i), static_cast<uint32_t>(j - i), 0};
    const bool apex = name.len == origin.len && std::memcmp(name.data, origin.data, name.len) == 0;
    if (apex) node.flags |= kApex;
    if (name.is_wildcard()) node.flags |= kWildcard;

    if (cut.len != 0 && !is_subdomain(name, cut)) cut = NameView{};
    const bool below_cut = cut.len != 0 && !(name.len == cut.len);
    if (below_cut) {
      node.flags |= kOccluded;
      if (cut_is_dname) node.flags |= kBelowDname;
    }

    bool has_ns = false, has_ds = false, has_dname = false;
    for (size_t k = i; k < j; ++k) {
      has_ns |= rrs[k].type == rrtype::NS;
      has_ds |= rrs[k].type == rrtype::DS;
      has_dname |= rrs[k].type == rrtype::DNAME;
    }
    if (has_ds) node.flags |= kHasDs;
    if (has_dname) node.flags |= kHasDname;
    if (!below_cut && !apex && has_ns) {
      node.flags |= kDelegation;
      cut = name;
      cut_is_dname = false;
    } else if (!below_cut && has_dname) {
      cut = name;
      cut_is_dname = true;
    }

    // Empty non-terminals: ancestors of this name strictly below the deepest ancestor it
    // shares with the previous owner (and not above the apex) cannot exist as owners, or
    // they would sort between the two (see the argument in the commit message).
    // A name one label below the origin has no ancestors that could be ENTs, which in most
    // zones is most names; counting labels is cheaper than common_labels.
    if (!below_cut && !apex && prev.len != 0 && name.label_count() > origin_labels + 1) {
      const unsigned labels = name.label_count();
      const unsigned shared = std::max(common_labels(name, prev), origin_labels);
      for (unsigned n = shared + 1; n < labels; ++n) {
        const NameView anc = name.suffix(n);
        OwnerNode ent{make_owner(idx.arena, anc), static_cast<uint32_t>(i), 0, kEnt};
        if (anc.is_wildcard()) ent.flags |= kWildcard;
        idx.nodes.push_back(ent);
      }
    }
    if (apex) idx.apex = static_cast<uint32_t>(idx.nodes.size());
    idx.nodes.push_back(node);
    prev = name;
    i = j;
  }
  // The sort's freed arrays were kept for this index; what follows asks for nothing their size.
  big_alloc_trim();
  return idx;
}

}  // namespace zk::pipeline
