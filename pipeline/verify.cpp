// Stage: verify a signed zone held in memory (zonekiln verify). Parallel over chunks of owner
// nodes; the NSEC3 chain is joined against the names' hashes afterwards.
#include "pipeline/verify.hpp"

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_sort.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <optional>

#include "parser/parser.hpp"
#include "pipeline/detail/spill.hpp"
#include "pipeline/detail/verify_core.hpp"
#include "pipeline/zonemd.hpp"

namespace zk::pipeline {

using detail::add_problem;
using detail::ChunkResult;
using detail::NodeRecords;
using detail::VerifyEnv;
using detail::VerifyScratch;

namespace {

constexpr uint32_t kNodesPerChunk = 1024;
// nsec_next of a slice's last chain member: its NSEC points to env.nsec_wrap.
constexpr uint32_t kNextInNextSlice = UINT32_MAX - 1;
constexpr size_t kPairsPerChunk = 4096;

// One NSEC3 RR of the zone's chain (the NSEC3PARAM's parameters).
struct Nsec3Rec {
  Nsec3Hash hash;  // of its owner label
  RR rr;
  uint32_t node;  // index node of its owner
  bool opt_out;
};

// A name that needs an NSEC3, or may need one (detail::Nsec3Need).
struct Nsec3Want {
  Nsec3Hash hash;
  uint32_t node;
  uint16_t flags;  // the name's flags (kEnt added for an owner that is an ENT of the data)
  detail::Nsec3Need need;
};

struct ChunkOut {
  ChunkResult result;
  std::vector<Nsec3Rec> recs;
  std::vector<Nsec3Want> wants;
  // NSEC3 parameter sets other than the NSEC3PARAM's: (alg, iterations, salt) and a node.
  std::vector<std::pair<std::vector<uint8_t>, uint32_t>> other_chains;
};

bool has_type(std::span<const RR> rrs, uint16_t type) {
  return std::any_of(rrs.begin(), rrs.end(), [&](const RR& r) { return r.type == type; });
}

std::span<const RR> records_of(const ZoneStore& store, const OwnerNode& n) {
  return {store.rrs.data() + n.first, n.count};
}

// An owner that can hold an NSEC3 of the zone's chain: one label below the apex, with NSEC3
// records. It may hold a name's data as well (detail::split_roles).
bool has_nsec3_role(const ZoneStore& store, const OwnerNode& n, NameView origin) {
  if (n.count == 0 || (n.flags & (kApex | kOccluded))) return false;
  if (!detail::nsec3_owner_position(n.owner->name(), origin)) return false;
  return has_type(records_of(store, n), rrtype::NSEC3);
}

constexpr uint16_t kNoName = 0xffff;

// The flags of the name at node i as the zone's data sees it, or kNoName: an owner that holds
// only NSEC3 records is no name, unless names below it make it an empty non-terminal.
uint16_t name_flags(const ZoneIndex& index, uint32_t i, const detail::OwnerRoles& roles) {
  const OwnerNode& n = index.nodes[i];
  if (n.count == 0 || !roles.name.empty()) return n.flags;
  const bool below =
      i + 1 < index.nodes.size() && is_subdomain(index.nodes[i + 1].owner->name(), n.owner->name());
  return below ? static_cast<uint16_t>(n.flags | kEnt) : kNoName;
}

void find_chain(VerifyEnv& env, const std::vector<uint8_t>& hashed, ChunkResult& out) {
  const ZoneStore& store = *env.store;
  const ZoneIndex& index = *env.index;
  bool any_nsec3 = false, any_nsec = false;
  for (size_t i = 0; i < index.nodes.size(); ++i) {
    any_nsec3 |= hashed[i] != 0;
    any_nsec |= !any_nsec && has_type(records_of(store, index.nodes[i]), rrtype::NSEC);
  }
  const bool param = detail::read_nsec3param(env, out);
  if (param || any_nsec3) {
    env.chain = detail::Chain::Nsec3;
    if (!param) {
      add_problem(out, VerifyCheck::BadNsec3Param, false, env.origin, rrtype::NSEC3PARAM,
                  "NSEC3 records but no NSEC3PARAM at the apex (RFC 5155 s7.1)");
      // Take the parameters of the first NSEC3 so the rest can still be checked.
      for (size_t i = 0; i < index.nodes.size(); ++i) {
        if (!hashed[i]) continue;
        for (const RR& r : records_of(store, index.nodes[i])) {
          if (r.type != rrtype::NSEC3) continue;
          const auto f = detail::nsec3_fields(r.rdata_span());
          env.nsec3.alg = f.alg;
          env.nsec3.iterations = f.iterations;
          env.nsec3.salt.assign(f.salt.begin(), f.salt.end());
          break;
        }
        break;
      }
    }
    return;  // NSEC records in an NSEC3 zone are reported per owner (ExtraNsec)
  }
  if (any_nsec) {
    env.chain = detail::Chain::Nsec;
    return;
  }
  add_problem(out, VerifyCheck::NoChain, false, env.origin, rrtype::NSEC,
              "the zone has neither NSEC nor NSEC3 records");
}

// The NSEC3 records at a hashed owner: the chain's are collected, other parameter sets noted.
void collect_nsec3(const VerifyEnv& env, uint32_t i, NameView owner, std::span<const RR> role,
                   ChunkOut& out) {
  for (const RR& r : role) {
    if (r.type != rrtype::NSEC3) continue;
    ++out.result.summary.nsec3;
    const auto f = detail::nsec3_fields(r.rdata_span());
    Nsec3Rec rec{};
    if (!f.ok || f.next.size() != kNsec3HashLen || !detail::decode_hash_label(owner, rec.hash)) {
      add_problem(out.result, VerifyCheck::BadNsec3Chain, false, owner, rrtype::NSEC3,
                  "malformed NSEC3 (owner label or next hashed owner is not a SHA-1 hash)");
      continue;
    }
    if (f.alg != env.nsec3.alg || f.iterations != env.nsec3.iterations ||
        !std::equal(f.salt.begin(), f.salt.end(), env.nsec3.salt.begin(), env.nsec3.salt.end())) {
      // Another chain (RFC 5155 s10.4 parameter change in progress): noted once per
      // parameter set after the pass; names are checked against the NSEC3PARAM chain only.
      std::vector<uint8_t> head{f.alg, static_cast<uint8_t>(f.iterations >> 8),
                                static_cast<uint8_t>(f.iterations)};
      head.insert(head.end(), f.salt.begin(), f.salt.end());
      if (std::find_if(out.other_chains.begin(), out.other_chains.end(),
                       [&](const auto& o) { return o.first == head; }) == out.other_chains.end()) {
        out.other_chains.emplace_back(std::move(head), i);
      }
      continue;
    }
    rec.rr = r;
    rec.node = i;
    rec.opt_out = (f.flags & 1) != 0;
    out.recs.push_back(rec);
  }
}

void check_chunk(const VerifyEnv& env, VerifyScratch& s, const std::vector<uint8_t>& hashed,
                 const std::vector<uint32_t>& nsec_next, uint32_t begin, uint32_t end,
                 ChunkOut& out) {
  const ZoneStore& store = *env.store;
  const ZoneIndex& index = *env.index;
  for (uint32_t i = begin; i < end; ++i) {
    const OwnerNode& n = index.nodes[i];
    const std::span<const RR> all = records_of(store, n);
    const detail::OwnerRoles roles =
        hashed[i] ? detail::split_roles(all, s.name_buf, s.nsec3_buf) : detail::OwnerRoles{all, {}};
    const uint16_t flags = name_flags(index, i, roles);
    const NodeRecords nr{n.owner->name(), flags == kNoName ? n.flags : flags, roles.name, false};
    if (flags != kNoName) ++out.result.summary.names;
    NameView next{};
    if (env.chain == detail::Chain::Nsec && nsec_next[i] != UINT32_MAX) {
      next = nsec_next[i] == kNextInNextSlice ? env.nsec_wrap
                                              : index.nodes[nsec_next[i]].owner->name();
    }
    detail::check_name(env, s, nr, next, out.result);
    if (env.chain != detail::Chain::Nsec3) continue;
    if (has_type(roles.name, rrtype::NSEC)) {
      add_problem(out.result, VerifyCheck::ExtraNsec, false, nr.name, rrtype::NSEC,
                  "NSEC record in an NSEC3 zone");
    }
    if (!roles.nsec3.empty()) {
      detail::check_nsec3_signatures(env, s, nr.name, roles.nsec3, out.result);
      collect_nsec3(env, i, nr.name, roles.nsec3, out);
    }
    if (flags == kNoName) continue;
    OwnerNode as_name = n;
    as_name.flags = flags;
    const detail::Nsec3Need need = detail::nsec3_need(as_name);
    if (need == detail::Nsec3Need::None) continue;
    out.wants.push_back(
        {nsec3_hash(nr.name, env.nsec3.salt, env.nsec3.iterations), i, flags, need});
  }
}

std::string hash_text(const Nsec3Hash& h) { return base32hex(h.data(), h.size()); }

// Whether a name without an NSEC3 is excused (nullopt) or why it is not (RFC 5155 s6, s7.1):
// only an insecure delegation, or an ENT that exists only because of insecure delegations
// without NSEC3s of their own, may be left out, and only inside the span of an opt-out NSEC3.
std::optional<std::string> missing_reason(const VerifyEnv& env, const std::vector<Nsec3Rec>& recs,
                                          const Nsec3Want& want,
                                          const std::vector<uint8_t>& has_nsec3) {
  if (want.need == detail::Nsec3Need::Required || recs.empty()) return std::string();
  if (want.need == detail::Nsec3Need::Ent &&
      !detail::ent_only_opted_out(*env.index, want.node, &has_nsec3)) {
    return std::string(
        ": an empty non-terminal needs one unless it exists only because of insecure "
        "delegations covered by opt-out (RFC 5155 s7.1)");
  }
  auto it = std::lower_bound(recs.begin(), recs.end(), want.hash,
                             [](const Nsec3Rec& r, const Nsec3Hash& h) { return r.hash < h; });
  const Nsec3Rec& cover = it == recs.begin() ? recs.back() : *(it - 1);
  if (cover.opt_out) return std::nullopt;
  return ": the NSEC3 covering it, " + hash_text(cover.hash) + ", is not opt-out";
}

// The NSEC3 chain as a whole: one NSEC3 per hash, names joined to their NSEC3 by hash, then
// every NSEC3 checked against its place in the chain (detail::check_nsec3_link, as the sign
// pass checks what it makes).
void check_nsec3_chain(const VerifyEnv& env, std::vector<Nsec3Rec>& recs,
                       std::vector<Nsec3Want>& wants,
                       tbb::enumerable_thread_specific<VerifyScratch>& scratch, ChunkResult& out) {
  const ZoneIndex& index = *env.index;
  const ZoneStore& store = *env.store;
  auto by_hash = [](const auto& a, const auto& b) { return a.hash < b.hash; };
  tbb::parallel_sort(recs.begin(), recs.end(), by_hash);
  tbb::parallel_sort(wants.begin(), wants.end(), by_hash);

  // Two NSEC3 of the chain at one hashed owner: the first stays in the chain.
  size_t kept = 0;
  for (size_t i = 0; i < recs.size(); ++i) {
    if (kept > 0 && recs[kept - 1].hash == recs[i].hash) {
      add_problem(out, VerifyCheck::BadNsec3Chain, false, recs[i].rr.owner->name(), rrtype::NSEC3,
                  "more than one NSEC3 at this hashed owner");
      continue;
    }
    recs[kept++] = recs[i];
  }
  recs.resize(kept);

  // Join names and NSEC3s by hash.
  std::vector<int32_t> want_of(recs.size(), -1);
  std::vector<uint8_t> has_nsec3(index.nodes.size(), 0);
  std::vector<uint32_t> unmatched;
  size_t r = 0;
  for (size_t w = 0; w < wants.size(); ++w) {
    while (r < recs.size() && recs[r].hash < wants[w].hash) ++r;
    if (r < recs.size() && recs[r].hash == wants[w].hash) {
      want_of[r] = static_cast<int32_t>(w);
      has_nsec3[wants[w].node] = 1;
    } else {
      unmatched.push_back(static_cast<uint32_t>(w));
    }
  }
  for (uint32_t w : unmatched) {
    const Nsec3Want& want = wants[w];
    const auto why = missing_reason(env, recs, want, has_nsec3);
    if (!why) continue;
    add_problem(out, VerifyCheck::MissingNsec3, false, index.nodes[want.node].owner->name(),
                rrtype::NSEC3,
                "no NSEC3 for this name (expected owner " + hash_text(want.hash) + ")" + *why);
  }

  const size_t chunks = (recs.size() + kPairsPerChunk - 1) / kPairsPerChunk;
  std::vector<ChunkResult> results(chunks);
  tbb::parallel_for(size_t{0}, chunks, [&](size_t c) {
    VerifyScratch& s = scratch.local();
    const size_t end = std::min(recs.size(), (c + 1) * kPairsPerChunk);
    for (size_t k = c * kPairsPerChunk; k < end; ++k) {
      const Nsec3Rec& rec = recs[k];
      detail::Nsec3Link link;
      link.owner_hash = rec.hash;
      link.next = recs[(k + 1) % recs.size()].hash;
      link.last = k + 1 == recs.size();
      NodeRecords name{};
      if (want_of[k] < 0) {
        add_problem(results[c], VerifyCheck::ExtraNsec3, false, rec.rr.owner->name(), rrtype::NSEC3,
                    "NSEC3 that matches no name of the zone");
      } else {
        const Nsec3Want& want = wants[want_of[k]];
        const OwnerNode& n = index.nodes[want.node];
        const std::span<const RR> all = records_of(store, n);
        const auto roles = has_nsec3_role(store, n, env.origin)
                               ? detail::split_roles(all, s.name_buf, s.nsec3_buf)
                               : detail::OwnerRoles{all, {}};
        name = NodeRecords{n.owner->name(), want.flags, roles.name, false};
        link.name = &name;
      }
      detail::check_nsec3_link(env, s, rec.rr, link, results[c]);
    }
  });
  for (auto& c : results) {
    out.summary.errors += c.summary.errors;
    out.summary.warnings += c.summary.warnings;
    for (auto& p : c.problems) out.problems.push_back(std::move(p));
  }
}

void append(ChunkResult& into, ChunkResult&& from, size_t max_problems) {
  auto& a = into.summary;
  const auto& b = from.summary;
  a.names += b.names;
  a.rrsets += b.rrsets;
  a.signatures += b.signatures;
  a.signatures_verified += b.signatures_verified;
  a.nsec += b.nsec;
  a.nsec3 += b.nsec3;
  a.errors += b.errors;
  a.warnings += b.warnings;
  for (auto& p : from.problems) {
    if (into.problems.size() >= max_problems) break;
    into.problems.push_back(std::move(p));
  }
}

}  // namespace

std::string_view verify_check_name(VerifyCheck c) noexcept {
  switch (c) {
    case VerifyCheck::NoDnskey:
      return "no-dnskey";
    case VerifyCheck::UnsupportedAlgorithm:
      return "unsupported-algorithm";
    case VerifyCheck::DsMismatch:
      return "ds-mismatch";
    case VerifyCheck::BadSignature:
      return "bad-signature";
    case VerifyCheck::Expired:
      return "expired";
    case VerifyCheck::NotYetValid:
      return "not-yet-valid";
    case VerifyCheck::MissingSignature:
      return "missing-signature";
    case VerifyCheck::UnknownKey:
      return "unknown-key";
    case VerifyCheck::BadLabels:
      return "bad-labels";
    case VerifyCheck::BadOriginalTtl:
      return "bad-original-ttl";
    case VerifyCheck::BadRrsigTtl:
      return "bad-rrsig-ttl";
    case VerifyCheck::BadSigner:
      return "bad-signer";
    case VerifyCheck::SignedNonAuthoritative:
      return "signed-non-authoritative";
    case VerifyCheck::NoChain:
      return "no-chain";
    case VerifyCheck::MissingNsec:
      return "missing-nsec";
    case VerifyCheck::ExtraNsec:
      return "extra-nsec";
    case VerifyCheck::BadNsecNext:
      return "bad-nsec-next";
    case VerifyCheck::BadBitmap:
      return "bad-bitmap";
    case VerifyCheck::MissingNsec3:
      return "missing-nsec3";
    case VerifyCheck::ExtraNsec3:
      return "extra-nsec3";
    case VerifyCheck::BadNsec3Chain:
      return "bad-nsec3-chain";
    case VerifyCheck::BadNsec3Param:
      return "bad-nsec3param";
    case VerifyCheck::ZonemdMismatch:
      return "zonemd-mismatch";
    case VerifyCheck::ZonemdSerial:
      return "zonemd-serial";
    case VerifyCheck::ZonemdDuplicate:
      return "zonemd-duplicate";
    case VerifyCheck::ZonemdLength:
      return "zonemd-length";
    case VerifyCheck::ZonemdMissing:
      return "zonemd-missing";
    case VerifyCheck::ZonemdUnsupported:
      return "zonemd-unsupported";
  }
  return "unknown";
}

namespace {

// Which nodes take part in the NSEC3 chain (all zero unless the zone's chain is NSEC3), after
// find_chain decided what the chain is.
std::vector<uint8_t> find_hashed_nodes(VerifyEnv& env, ChunkResult& total) {
  const ZoneIndex& index = *env.index;
  const uint32_t count = static_cast<uint32_t>(index.nodes.size());
  std::vector<uint8_t> hashed(count, 0);
  for (uint32_t i = 0; i < count; ++i) {
    hashed[i] = has_nsec3_role(*env.store, index.nodes[i], env.origin) ? 1 : 0;
  }
  find_chain(env, hashed, total);
  if (env.chain == detail::Chain::Nsec3 && env.nsec3.iterations > kMaxNsec3Iterations) {
    // RFC 9276 s3.2: validators treat such a zone as insecure or bogus anyway, and hashing
    // every name 65536 times is the most a hostile zone could make verify spend (hours for
    // 10 MB). The NSEC3 owners stay out of the name count.
    add_problem(total, VerifyCheck::BadNsec3Param, false, env.origin, rrtype::NSEC3PARAM,
                "NSEC3 iterations " + std::to_string(env.nsec3.iterations) + " above " +
                    std::to_string(kMaxNsec3Iterations) +
                    ": validators treat the zone as insecure (RFC 9276 s3.2); the NSEC3 chain is "
                    "not checked");
    env.chain = detail::Chain::None;
  } else if (env.chain != detail::Chain::Nsec3) {
    std::fill(hashed.begin(), hashed.end(), 0);
  }
  return hashed;
}

// NSEC: each chain member points to the next member; the last to the apex.
std::vector<uint32_t> nsec_successors(const VerifyEnv& env) {
  std::vector<uint32_t> nsec_next;
  if (env.chain != detail::Chain::Nsec) return nsec_next;
  const ZoneIndex& index = *env.index;
  const uint32_t count = static_cast<uint32_t>(index.nodes.size());
  nsec_next.assign(count, UINT32_MAX);
  uint32_t next = env.nsec_wrap.len != 0 ? kNextInNextSlice : index.apex;
  for (uint32_t i = count; i-- > 0;) {
    if (!detail::needs_nsec(index.nodes[i])) continue;
    nsec_next[i] = next;
    next = i;
  }
  return nsec_next;
}

// The chunks' findings in zone order, their NSEC3 records and wants gathered for the chain
// check, and NSEC3 records of other parameters reported once per parameter set.
void gather_chunks(const VerifyEnv& env, std::vector<ChunkOut>& outs, size_t max_problems,
                   std::vector<Nsec3Rec>& recs, std::vector<Nsec3Want>& wants, ChunkResult& total) {
  std::vector<std::pair<std::vector<uint8_t>, uint32_t>> other_chains;
  for (ChunkOut& o : outs) {
    for (auto& oc : o.other_chains) {
      if (std::find_if(other_chains.begin(), other_chains.end(),
                       [&](const auto& x) { return x.first == oc.first; }) == other_chains.end()) {
        other_chains.push_back(std::move(oc));
      }
    }
    append(total, std::move(o.result), max_problems);
    recs.insert(recs.end(), o.recs.begin(), o.recs.end());
    wants.insert(wants.end(), o.wants.begin(), o.wants.end());
    o = ChunkOut{};
  }
  for (const auto& oc : other_chains) {
    const NameView owner = env.index->nodes[oc.second].owner->name();
    const bool param = env.nsec3.present;
    add_problem(total, VerifyCheck::BadNsec3Param, param, owner, rrtype::NSEC3,
                "NSEC3 records with parameters (algorithm " + std::to_string(oc.first[0]) + ", " +
                    std::to_string(oc.first[1] << 8 | oc.first[2]) +
                    " iterations) other than the NSEC3PARAM's: a second chain, not checked");
  }
  if (env.chain == detail::Chain::Nsec3 && recs.empty() && !other_chains.empty()) {
    add_problem(total, VerifyCheck::BadNsec3Param, false, env.origin, rrtype::NSEC3PARAM,
                "no NSEC3 record has the NSEC3PARAM's parameters (RFC 5155 s4)");
  }
}

// Every node of env's index, in parallel chunks (check_chunk).
std::vector<ChunkOut> check_nodes(const VerifyEnv& env, const std::vector<uint8_t>& hashed,
                                  const std::vector<uint32_t>& nsec_next,
                                  tbb::enumerable_thread_specific<VerifyScratch>& scratch) {
  const uint32_t count = static_cast<uint32_t>(env.index->nodes.size());
  const uint32_t chunks = (count + kNodesPerChunk - 1) / kNodesPerChunk;
  std::vector<ChunkOut> outs(chunks);
  tbb::parallel_for(uint32_t{0}, chunks, [&](uint32_t c) {
    const uint32_t begin = c * kNodesPerChunk;
    check_chunk(env, scratch.local(), hashed, nsec_next, begin,
                std::min(count, begin + kNodesPerChunk), outs[c]);
  });
  return outs;
}

}  // namespace

namespace detail {

void verify_slice(VerifyEnv env, const ZoneStore& store, const ZoneIndex& index,
                  size_t max_problems, ChunkResult& total) {
  env.store = &store;
  env.index = &index;
  const std::vector<uint8_t> hashed(index.nodes.size(), 0);  // an NSEC zone
  const std::vector<uint32_t> nsec_next = nsec_successors(env);
  tbb::enumerable_thread_specific<VerifyScratch> scratch;
  std::vector<ChunkOut> outs = check_nodes(env, hashed, nsec_next, scratch);
  std::vector<Nsec3Rec> recs;
  std::vector<Nsec3Want> wants;
  gather_chunks(env, outs, max_problems, recs, wants, total);
}

}  // namespace detail

// The zone's keys, its chain, then every node in parallel chunks, then the NSEC3 chain as a
// whole.
VerifyReport verify_zone(const ZoneStore& store, const ZoneIndex& index,
                         const VerifyOptions& options) {
  VerifyEnv env;
  ChunkResult total;
  detail::init_verify_env(env, store, index, options, total);
  const std::vector<uint8_t> hashed = find_hashed_nodes(env, total);
  const std::vector<uint32_t> nsec_next = nsec_successors(env);

  tbb::enumerable_thread_specific<VerifyScratch> scratch;
  std::vector<ChunkOut> outs = check_nodes(env, hashed, nsec_next, scratch);

  std::vector<Nsec3Rec> recs;
  std::vector<Nsec3Want> wants;
  gather_chunks(env, outs, options.max_problems, recs, wants, total);
  if (env.chain == detail::Chain::Nsec3) {
    ChunkResult chain;
    check_nsec3_chain(env, recs, wants, scratch, chain);
    append(total, std::move(chain), options.max_problems);
  }

  VerifyReport report;
  report.problems = std::move(total.problems);
  report.summary = total.summary;
  return report;
}

Result<VerifyReport> verify_file(const std::string& path, NameView origin,
                                 const VerifyOptions& options, Diagnostics& diag) {
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  // The in-memory verify of a signed zone peaks at about its file's size (1M names: 753 MB).
  if (options.memory_limit != 0 && !ec && size > options.memory_limit) {
    auto report = detail::verify_spilled(path, origin, options, diag);
    if (!report) return fail(report.error());
    if (report->problems.size() > options.max_problems) {
      report->problems.resize(options.max_problems);
    }
    return report;
  }
  auto read = read_sorted_zone(path, origin, diag, options.budget);
  if (!read) return fail(read.error());
  ZoneStore& store = *read;
  if (store.rclass != rrclass::IN && !options.zonemd_only) {
    return fail(Errc::Usage, "zonekiln checks DNSSEC in class IN zones only; this zone is class " +
                                 class_to_string(store.rclass) +
                                 " (--zonemd-only checks its ZONEMD, which covers any class)");
  }
  VerifyReport report;
  if (!options.zonemd_only) {
    const ZoneIndex index = build_index(store);
    report = verify_zone(store, index, options);
  }
  verify_zonemd(store, options.zonemd_only, report);
  // A zone may hold any number of ZONEMD records, each with a problem: list no more than asked
  // (the summary still counts them all).
  if (report.problems.size() > options.max_problems) report.problems.resize(options.max_problems);
  return report;
}

void verify_zonemd(const ZoneStore& store, bool require, VerifyReport& report) {
  const ZonemdReport z = check_zonemd(store);
  auto add = [&](VerifyCheck check, bool warning, std::string detail) {
    (warning ? report.summary.warnings : report.summary.errors) += 1;
    report.problems.push_back({check, warning, make_error(Errc::VerifyFailed, std::move(detail))});
  };
  if (!z.present) {
    if (require) {
      add(VerifyCheck::ZonemdMissing, false,
          name_to_string(store.origin.view()) + " ZONEMD: no ZONEMD record at the apex");
    }
    return;
  }
  for (const ZonemdProblem& p : z.problems) {
    VerifyCheck c = VerifyCheck::ZonemdMismatch;
    switch (p.kind) {
      case ZonemdProblem::Mismatch:
        c = VerifyCheck::ZonemdMismatch;
        break;
      case ZonemdProblem::BadSerial:
        c = VerifyCheck::ZonemdSerial;
        break;
      case ZonemdProblem::Duplicate:
        c = VerifyCheck::ZonemdDuplicate;
        break;
      case ZonemdProblem::BadLength:
        c = VerifyCheck::ZonemdLength;
        break;
      case ZonemdProblem::NoSoa:
        c = VerifyCheck::ZonemdMissing;
        break;
      case ZonemdProblem::Unsupported:
        c = VerifyCheck::ZonemdUnsupported;
        break;
    }
    // Asked to check only the ZONEMD, a digest that cannot be checked is a failure.
    add(c, p.warning && !require, p.detail);
  }
  report.summary.zonemd_digests = z.digests_matched;
}

Result<std::vector<std::vector<uint8_t>>> read_ds_file(const std::string& path, NameView origin) {
  ZoneStore store;
  Diagnostics diag;
  parser::ParseOptions popts;
  popts.origin.assign(origin);
  popts.origin_set = true;
  popts.allow_include = false;
  popts.default_ttl_set = true;  // dsset files often have no TTL; it does not matter here
  if (auto r = parser::parse_file(path, popts, store, diag); !r) return fail(r.error());
  if (diag.has_errors()) {
    const auto all = diag.sorted();
    return fail(Errc::Usage,
                "cannot read DS file " + path + ": " +
                    (all.empty() ? std::string("bad data") : all.front().error.detail));
  }
  std::vector<std::vector<uint8_t>> ds;
  for (const RR& r : store.rrs) {
    if (r.type != rrtype::DS || !name_equal(r.owner->name(), origin)) continue;
    ds.emplace_back(r.rdata, r.rdata + r.rdlen);
  }
  if (ds.empty()) {
    return fail(Errc::Usage, "no DS record for " + name_to_string(origin) + " in " + path);
  }
  return ds;
}

std::string format_report(const VerifyReport& report, NameView origin) {
  std::string out;
  for (const VerifyProblem& p : report.problems) {
    out += p.warning ? "warning: " : "error: ";
    out += p.error.detail;
    out += " [";
    out += verify_check_name(p.check);
    out += "]\n";
  }
  const VerifySummary& s = report.summary;
  if (report.problems.size() < s.errors + s.warnings) {
    out += "(" + std::to_string(s.errors + s.warnings - report.problems.size()) +
           " more problems not listed)\n";
  }
  out += "zonekiln: verify " + name_to_string(origin) + ": " + std::to_string(s.names) +
         " names, " + std::to_string(s.rrsets) + " RRsets, " + std::to_string(s.signatures) +
         " signatures (" + std::to_string(s.signatures_verified) + " verified), " +
         std::to_string(s.nsec) + " NSEC, " + std::to_string(s.nsec3) + " NSEC3" +
         (s.zonemd_digests ? ", " + std::to_string(s.zonemd_digests) + " ZONEMD digest(s) match"
                           : std::string()) +
         ": " + std::to_string(s.errors) + " errors, " + std::to_string(s.warnings) +
         " warnings; " + (report.valid() ? "zone is valid" : "zone is INVALID") + "\n";
  return out;
}

}  // namespace zk::pipeline
