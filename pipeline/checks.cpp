// Stage: cross-record zone checks (classified as BIND's named-checkzone does).
#include <oneapi/tbb/parallel_for.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"
#include "pipeline/pipeline.hpp"

namespace zk::pipeline {

namespace {

// How many nodes after a delegation check_ns_targets looks at before searching the index.
constexpr size_t kNearbyNodes = 8;

bool is_address(uint16_t t) { return t == rrtype::A || t == rrtype::AAAA; }

// Types allowed beside a CNAME: RFC 2181 s10.1 (none), RFC 4035 s2.5 (RRSIG, NSEC).
bool allowed_beside_cname(uint16_t t) {
  return t == rrtype::CNAME || t == rrtype::RRSIG || t == rrtype::NSEC;
}

std::string rrset_text(NameView owner, uint16_t type) {
  return name_to_string(owner) + "/" + type_to_string(type);
}

void report(Diagnostics& diag, Severity s, std::string text) {
  diag.report(s, make_error(Errc::ZoneCheck, std::move(text)));
}

// What one chunk of nodes found, reported after the parallel pass in node order, so the
// diagnostics are the same for any thread count.
struct Finding {
  Severity severity;
  std::string text;
};
struct Findings {
  std::vector<Finding> items;
  // In-zone NS targets not in this store, for CheckScope::defer_ns_target: (target, NS owner).
  std::vector<std::pair<NameView, NameView>> deferred;
};

void report(Findings& out, Severity s, std::string text) {
  out.items.push_back({s, std::move(text)});
}

bool node_has_address(const ZoneStore& store, const OwnerNode& n) {
  for (uint32_t k = n.first; k < n.first + n.count; ++k) {
    if (is_address(store.rrs[k].type)) return true;
  }
  return false;
}

void check_ns_targets(const ZoneStore& store, const ZoneIndex& index, const OwnerNode& node,
                      uint32_t begin, uint32_t end, bool defer, Findings& diag) {
  const NameView origin = store.origin.view();
  const size_t self = static_cast<size_t>(&node - index.nodes.data());
  const size_t near_end = std::min(index.nodes.size(), self + 1 + kNearbyNodes);
  for (uint32_t k = begin; k < end; ++k) {
    const NameView target = rdata_single_name(store.rrs[k].rdata_span());
    if (!is_subdomain(target, origin)) continue;
    // In-bailiwick targets (glue) sort right after their delegation, in nodes this pass is
    // about to read anyway; the binary search over all nodes was a cache miss per step.
    uint32_t t = UINT32_MAX;
    for (size_t j = self + 1; j < near_end; ++j) {
      if (name_equal(index.nodes[j].owner->name(), target)) {
        t = static_cast<uint32_t>(j);
        break;
      }
    }
    if (t == UINT32_MAX) t = index.find(target);
    if (t == UINT32_MAX && defer) {
      // A slice of the zone: the name may own addresses in another slice.
      diag.deferred.emplace_back(target, node.owner->name());
      continue;
    }
    if (t != UINT32_MAX && node_has_address(store, index.nodes[t])) continue;
    report(diag, Severity::Error,
           "NS '" + name_to_string(target) + "' of '" + name_to_string(node.owner->name()) +
               "' has no address records (A or AAAA)");
  }
}

bool covers_types(uint16_t type) { return type == rrtype::RRSIG || type == rrtype::SIG; }

uint16_t covered_type(const RR& rr) {
  return rr.rdlen >= 2 ? static_cast<uint16_t>((rr.rdata[0] << 8) | rr.rdata[1]) : 0;
}

// RFC 2181 s5.2: the TTLs of one RRset must agree; when they do not, all get the lowest.
void unify_ttls(RRVector& rrs, uint32_t b, uint32_t e, NameView name, uint16_t type,
                Findings& diag) {
  uint32_t lowest = rrs[b].ttl;
  bool differ = false;
  for (uint32_t k = b + 1; k < e; ++k) {
    differ |= rrs[k].ttl != rrs[b].ttl;
    lowest = std::min(lowest, rrs[k].ttl);
  }
  if (!differ) return;
  std::string what = rrset_text(name, type);
  if (covers_types(type)) what += " covering " + type_to_string(covered_type(rrs[b]));
  report(diag, Severity::Warning,
         "TTLs differ in RRset " + what + "; using the lowest (" + std::to_string(lowest) + ")");
  for (uint32_t k = b; k < e; ++k) rrs[k].ttl = lowest;
}

// Checks one owner node; writes only the TTLs of the node's own records.
void check_node(ZoneStore& store, const ZoneIndex& index, const OwnerNode& node, bool defer,
                Findings& diag) {
  auto& rrs = store.rrs;
  if (node.count == 0) return;
  const NameView name = node.owner->name();
  const bool apex = (node.flags & kApex) != 0;
  bool has_cname = false, has_other = false, has_soa = false, has_ns = false;
  bool warned_occluded = false;
  const uint32_t end = node.first + node.count;
  for (uint32_t b = node.first; b < end;) {
    const uint16_t type = rrs[b].type;
    uint32_t e = b + 1;
    while (e < end && rrs[e].type == type) ++e;

    // RFC 4034 s3: an RRSIG's TTL is that of the RRset it covers, so the RRSIGs covering one
    // type are the set RFC 2181 s5.2 speaks of, not all RRSIGs at the name (same for SIG).
    // They sort by covered type first (canonical RDATA order), so each such set is a run.
    for (uint32_t sb = b; sb < e;) {
      uint32_t se = sb + 1;
      if (covers_types(type)) {
        while (se < e && covered_type(rrs[se]) == covered_type(rrs[sb])) ++se;
      } else {
        se = e;
      }
      unify_ttls(rrs, sb, se, name, type, diag);
      sb = se;
    }

    has_cname |= type == rrtype::CNAME;
    has_other |= !allowed_beside_cname(type);
    if (type == rrtype::SOA) {
      has_soa = true;
      if (!apex)
        report(diag, Severity::Error,
               "SOA record not at top of zone (" + name_to_string(name) + ")");
      else if (e - b > 1)
        report(diag, Severity::Error, "multiple SOA records at the apex");
    }
    if ((type == rrtype::CNAME || type == rrtype::DNAME) && e - b > 1) {
      report(diag, Severity::Error, "more than one record in " + rrset_text(name, type));
    }
    if (type == rrtype::DS && apex) {
      report(diag, Severity::Error, "DS record at the zone apex");
    }
    if (type == rrtype::NS) {
      has_ns = true;
      // A and AAAA are addresses in class IN only (a CH A is a Chaosnet address); named-checkzone
      // does not ask a CH zone's name servers for them either.
      if ((apex || (node.flags & kDelegation)) && store.rclass == rrclass::IN) {
        check_ns_targets(store, index, node, b, e, defer, diag);
      }
    }
    if ((node.flags & kOccluded) && !warned_occluded &&
        ((node.flags & kBelowDname) || !is_address(type))) {
      warned_occluded = true;
      report(diag, Severity::Warning,
             "occluded data at " + name_to_string(name) + " (below a " +
                 ((node.flags & kBelowDname) ? "DNAME" : "zone cut") + "); kept but not signed");
    }
    b = e;
  }
  if (has_cname && has_other) {
    report(diag, Severity::Error, name_to_string(name) + ": CNAME and other data");
  }
  if (apex && !has_soa) report(diag, Severity::Error, "no SOA record at the zone apex");
  if (apex && !has_ns) report(diag, Severity::Error, "no NS records at the zone apex");
}

}  // namespace

void check_zone(ZoneStore& store, const ZoneIndex& index, Diagnostics& diag,
                const CheckScope& scope) {
  if (index.apex == UINT32_MAX && scope.has_apex) {
    report(diag, Severity::Error,
           "no records at the zone apex " + name_to_string(store.origin.view()));
    return;
  }
  // Nodes are independent (NS target lookups only read the index), so chunks of them are
  // checked in parallel; most of the time goes to cache misses on owners and targets.
  constexpr size_t kNodesPerChunk = 4096;
  const bool defer = static_cast<bool>(scope.defer_ns_target);
  const size_t chunks = (index.nodes.size() + kNodesPerChunk - 1) / kNodesPerChunk;
  std::vector<Findings> found(chunks);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, chunks),
                    [&](const tbb::blocked_range<size_t>& r) {
                      for (size_t c = r.begin(); c != r.end(); ++c) {
                        const size_t end = std::min(index.nodes.size(), (c + 1) * kNodesPerChunk);
                        for (size_t i = c * kNodesPerChunk; i < end; ++i) {
                          check_node(store, index, index.nodes[i], defer, found[c]);
                        }
                      }
                    });
  for (Findings& f : found) {
    for (Finding& x : f.items) report(diag, x.severity, std::move(x.text));
    for (const auto& [target, owner] : f.deferred) scope.defer_ns_target(target, owner);
  }
}

}  // namespace zk::pipeline
