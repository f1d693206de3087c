// Stage: owner-node table with zone cuts, occluded names and empty non-terminals.
#include <oneapi/tbb/parallel_for.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "dns/big_alloc.hpp"
#include "dns/rrtype.hpp"
#include "pipeline/pipeline.hpp"

namespace zk::pipeline {

namespace {

constexpr size_t kPrefetchAhead = 16;

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

namespace {

// sort_zone makes an owner's records share one Owner, so the pointer compare decides almost
// always; owner_compare keeps stores sorted some other way correct.
bool same_owner(const RR& a, const RR& b) noexcept {
  return a.owner == b.owner || owner_compare(a.owner, b.owner) == 0;
}

// The nodes of records [begin, end) of a sorted store (whole owners), with what the walk
// before begin left: the innermost cut above (or none) and the previous owner.
struct Part {
  std::vector<OwnerNode> nodes;
  Arena arena{64 * 1024};
  uint32_t apex = UINT32_MAX;  // index in nodes
};

struct CutState {
  NameView cut{};
  bool cut_is_dname = false;
  NameView prev{};
};

// What the serial walk would hold on reaching the owner of rrs[at]: its cut is the shallowest
// ancestor strictly above it that is a delegation (NS, not the apex) or owns a DNAME (the apex
// too); nothing above that ancestor is a cut, so it is the one the walk set and kept.
CutState state_before(const RRVector& rrs, size_t at, NameView origin, unsigned origin_labels) {
  CutState st;
  if (at == 0) return st;
  st.prev = rrs[at - 1].owner->name();
  const NameView name = rrs[at].owner->name();
  const unsigned labels = name.label_count();
  for (unsigned n = origin_labels; n < labels; ++n) {
    const NameView anc = name.suffix(n);
    uint8_t key[kMaxCanonicalKeyLen];
    const size_t key_len = canonical_key(anc, key);
    auto it = std::lower_bound(
        rrs.begin(), rrs.begin() + static_cast<std::ptrdiff_t>(at), 0, [&](const RR& rr, int) {
          return key_compare(rr.owner->key(), rr.owner->key_len, key, key_len) < 0;
        });
    bool has_ns = false, has_dname = false;
    const Owner* found = nullptr;
    for (; it != rrs.begin() + static_cast<std::ptrdiff_t>(at) &&
           key_compare(it->owner->key(), it->owner->key_len, key, key_len) == 0;
         ++it) {
      found = it->owner;
      has_ns |= it->type == rrtype::NS;
      has_dname |= it->type == rrtype::DNAME;
    }
    if (found == nullptr) continue;
    if (n != origin_labels && has_ns) {
      st.cut = found->name();
      return st;
    }
    if (has_dname) {
      st.cut = found->name();
      st.cut_is_dname = true;
      return st;
    }
  }
  return st;
}

void build_part(const RRVector& rrs, size_t begin, size_t end, NameView origin,
                unsigned origin_labels, Part& part) {
  // The innermost cut (delegation or DNAME owner) we are below, if any. In canonical order
  // every name below X directly follows X, so one pass with one "current cut" suffices.
  CutState st = state_before(rrs, begin, origin, origin_labels);
  NameView cut = st.cut;
  bool cut_is_dname = st.cut_is_dname;
  NameView prev = st.prev;
  part.nodes.reserve((end - begin) / 2 + 16);

  size_t i = begin;
  while (i < end) {
    // Owners of a sorted store are scattered over the parse arenas, so each node's first
    // read of its owner is a cache miss; this pass asks for them a few records ahead.
    if (i + kPrefetchAhead < end) __builtin_prefetch(rrs[i + kPrefetchAhead].owner);
    const Owner* owner = rrs[i].owner;
    size_t j = i + 1;
    while (j < end && same_owner(rrs[j], rrs[i])) ++j;
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
        OwnerNode ent{make_owner(part.arena, anc), static_cast<uint32_t>(i), 0, kEnt};
        if (anc.is_wildcard()) ent.flags |= kWildcard;
        part.nodes.push_back(ent);
      }
    }
    if (apex) part.apex = static_cast<uint32_t>(part.nodes.size());
    part.nodes.push_back(node);
    prev = name;
    i = j;
  }
}

// Below this many records one part: the ancestor lookups and the join cost more than they save.
constexpr size_t kParallelIndexFrom = 65536;
constexpr size_t kIndexParts = 16;

}  // namespace

// The records are cut into parts at owner boundaries and each part is walked on its own; the
// state a part starts with (the cut above it, the owner before it) is read from the sorted
// records, so the parts agree with one serial walk node for node.
ZoneIndex build_index(const ZoneStore& store) {
  return build_index(store, store.rrs.size() >= kParallelIndexFrom ? kIndexParts : 1);
}

ZoneIndex build_index(const ZoneStore& store, size_t part_count) {
  ZoneIndex idx;
  const auto& rrs = store.rrs;
  const NameView origin = store.origin.view();
  const unsigned origin_labels = origin.label_count();
  std::vector<size_t> bounds{0};
  for (size_t k = 1; k < part_count; ++k) {
    size_t b = std::max(rrs.size() * k / part_count, bounds.back());
    while (b > 0 && b < rrs.size() && same_owner(rrs[b], rrs[b - 1])) ++b;
    if (b > bounds.back() && b < rrs.size()) bounds.push_back(b);
  }
  bounds.push_back(rrs.size());
  std::vector<Part> parts(bounds.size() - 1);
  tbb::parallel_for(size_t{0}, parts.size(), [&](size_t k) {
    build_part(rrs, bounds[k], bounds[k + 1], origin, origin_labels, parts[k]);
  });
  size_t total = 0;
  for (const Part& p : parts) total += p.nodes.size();
  idx.nodes.resize(total);
  size_t at = 0;
  for (Part& p : parts) {
    if (p.apex != UINT32_MAX) idx.apex = static_cast<uint32_t>(at + p.apex);
    if (!p.nodes.empty())
      std::memcpy(idx.nodes.data() + at, p.nodes.data(), p.nodes.size() * sizeof(OwnerNode));
    at += p.nodes.size();
    std::vector<OwnerNode>().swap(p.nodes);
    idx.arenas.push_back(std::move(p.arena));
  }
  // The sort's freed arrays were kept for this index; what follows asks for nothing their size.
  big_alloc_trim();
  return idx;
}

}  // namespace zk::pipeline
