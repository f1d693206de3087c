// Stage: verify a signed zone held in memory (zonekiln verify). Parallel over chunks of owner
// nodes; the NSEC3 chain is joined against the names' hashes afterwards.
#include "pipeline/verify.hpp"

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_sort.h>

#include <algorithm>
#include <cstring>

#include "parser/parser.hpp"
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
constexpr size_t kPairsPerChunk = 4096;

// One NSEC3 RR found in the zone.
struct Nsec3Rec {
  Nsec3Hash hash;
  Nsec3Hash next;
  uint32_t node;  // index node of its (hashed) owner
  uint32_t rr;    // store index of the NSEC3 RR
  bool opt_out;
};

// A name that needs an NSEC3.
struct Nsec3Want {
  Nsec3Hash hash;
  uint32_t node;
  bool optional;
};

struct ChunkOut {
  ChunkResult result;
  std::vector<Nsec3Rec> recs;
  std::vector<Nsec3Want> wants;
  // NSEC3 parameter sets other than the NSEC3PARAM's: (alg, iterations, salt) and a node.
  std::vector<std::pair<std::vector<uint8_t>, uint32_t>> other_chains;
};

bool has_type(const ZoneStore& store, const OwnerNode& n, uint16_t type) {
  for (uint32_t k = n.first; k < n.first + n.count; ++k) {
    if (store.rrs[k].type == type) return true;
  }
  return false;
}

// A hashed owner: directly below the apex, holding only NSEC3 (and its RRSIGs).
bool is_nsec3_owner(const ZoneStore& store, const OwnerNode& n, NameView origin) {
  if (n.count == 0 || (n.flags & (kApex | kOccluded))) return false;
  const NameView name = n.owner->name();
  if (name.label_count() != origin.label_count() + 1) return false;
  bool nsec3 = false;
  for (uint32_t k = n.first; k < n.first + n.count; ++k) {
    const uint16_t t = store.rrs[k].type;
    if (t == rrtype::NSEC3) {
      nsec3 = true;
    } else if (t != rrtype::RRSIG) {
      return false;
    }
  }
  return nsec3;
}

void find_chain(VerifyEnv& env, const std::vector<uint8_t>& hashed, ChunkResult& out) {
  const ZoneStore& store = *env.store;
  const ZoneIndex& index = *env.index;
  bool any_nsec3 = false, any_nsec = false;
  for (size_t i = 0; i < index.nodes.size(); ++i) {
    any_nsec3 |= hashed[i] != 0;
    any_nsec |= !any_nsec && has_type(store, index.nodes[i], rrtype::NSEC);
  }
  bool param = false;
  if (index.apex != UINT32_MAX) {
    const OwnerNode& apex = index.nodes[index.apex];
    for (uint32_t k = apex.first; k < apex.first + apex.count; ++k) {
      const RR& r = store.rrs[k];
      if (r.type != rrtype::NSEC3PARAM) continue;
      if (param) {
        add_problem(out, VerifyCheck::BadNsec3Param, true, env.origin, rrtype::NSEC3PARAM,
                    "more than one NSEC3PARAM; the first is used");
        continue;
      }
      param = true;
      const auto rd = r.rdata_span();
      if (rd.size() < 5 || rd.size() != 5u + rd[4]) {
        add_problem(out, VerifyCheck::BadNsec3Param, false, env.origin, rrtype::NSEC3PARAM,
                    "malformed NSEC3PARAM");
        continue;
      }
      env.nsec3.alg = rd[0];
      env.nsec3.iterations = static_cast<uint16_t>(rd[2] << 8 | rd[3]);
      env.nsec3.salt.assign(rd.begin() + 5, rd.end());
      env.nsec3.present = true;
      if (rd[0] != 1) {
        add_problem(out, VerifyCheck::BadNsec3Param, false, env.origin, rrtype::NSEC3PARAM,
                    "hash algorithm " + std::to_string(rd[0]) + " is not SHA-1 (RFC 5155 s11)");
      }
      if (rd[1] != 0) {
        add_problem(out, VerifyCheck::BadNsec3Param, false, env.origin, rrtype::NSEC3PARAM,
                    "flags field is " + std::to_string(rd[1]) + ", must be 0 (RFC 5155 s4.1.2)");
      }
    }
  }
  if (param || any_nsec3) {
    env.chain = detail::Chain::Nsec3;
    if (!param) {
      add_problem(out, VerifyCheck::BadNsec3Param, false, env.origin, rrtype::NSEC3PARAM,
                  "NSEC3 records but no NSEC3PARAM at the apex (RFC 5155 s7.1)");
      // Take the parameters of the first NSEC3 so the rest can still be checked.
      for (size_t i = 0; i < index.nodes.size(); ++i) {
        if (!hashed[i]) continue;
        const OwnerNode& n = index.nodes[i];
        for (uint32_t k = n.first; k < n.first + n.count; ++k) {
          if (store.rrs[k].type != rrtype::NSEC3) continue;
          const auto f = detail::nsec3_fields(store.rrs[k].rdata_span());
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

// RFC 5155 s7.1: with opt-out, an ENT whose descendants are all insecure delegations (or
// data below them) may have no NSEC3.
bool ent_optional(const ZoneIndex& index, const std::vector<uint8_t>& hashed, uint32_t i) {
  const NameView name = index.nodes[i].owner->name();
  for (size_t j = i + 1; j < index.nodes.size(); ++j) {
    const OwnerNode& n = index.nodes[j];
    if (!is_subdomain(n.owner->name(), name)) break;
    if (hashed[j] || (n.flags & (kOccluded | kEnt))) continue;
    if ((n.flags & kDelegation) && !(n.flags & kHasDs)) continue;
    return false;
  }
  return true;
}

void check_chunk(const VerifyEnv& env, VerifyScratch& s, const std::vector<uint8_t>& hashed,
                 const std::vector<uint32_t>& nsec_next, uint32_t begin, uint32_t end,
                 ChunkOut& out) {
  const ZoneStore& store = *env.store;
  const ZoneIndex& index = *env.index;
  for (uint32_t i = begin; i < end; ++i) {
    const OwnerNode& n = index.nodes[i];
    NodeRecords nr{n.owner->name(), n.flags, {store.rrs.data() + n.first, n.count}, hashed[i] != 0};
    if (!nr.nsec3_owner) ++out.result.summary.names;
    if (n.count > 0) detail::check_signatures(env, s, nr, out.result);
    if (env.chain == detail::Chain::Nsec) {
      if (n.count == 0) continue;
      const NameView next =
          nsec_next[i] == UINT32_MAX ? NameView{} : index.nodes[nsec_next[i]].owner->name();
      detail::check_nsec(env, s, nr, next, out.result);
      continue;
    }
    if (env.chain != detail::Chain::Nsec3) continue;
    if (n.count > 0 && has_type(store, n, rrtype::NSEC)) {
      add_problem(out.result, VerifyCheck::ExtraNsec, false, nr.name, rrtype::NSEC,
                  "NSEC record in an NSEC3 zone");
    }
    if (nr.nsec3_owner) {
      for (uint32_t k = n.first; k < n.first + n.count; ++k) {
        const RR& r = store.rrs[k];
        if (r.type != rrtype::NSEC3) continue;
        ++out.result.summary.nsec3;
        const auto f = detail::nsec3_fields(r.rdata_span());
        Nsec3Rec rec{};
        if (!f.ok || f.next.size() != kNsec3HashLen || !detail::decode_hash_label(nr.name, rec.hash)) {
          add_problem(out.result, VerifyCheck::BadNsec3Chain, false, nr.name, rrtype::NSEC3,
                      "malformed NSEC3 (owner label or next hashed owner is not a SHA-1 hash)");
          continue;
        }
        if (f.alg != env.nsec3.alg || f.iterations != env.nsec3.iterations ||
            !std::equal(f.salt.begin(), f.salt.end(), env.nsec3.salt.begin(),
                        env.nsec3.salt.end())) {
          // Another chain (RFC 5155 s10.4 parameter change in progress): noted once per
          // parameter set after the pass; names are checked against the NSEC3PARAM chain only.
          std::vector<uint8_t> head{f.alg, static_cast<uint8_t>(f.iterations >> 8),
                                    static_cast<uint8_t>(f.iterations)};
          head.insert(head.end(), f.salt.begin(), f.salt.end());
          if (std::find_if(out.other_chains.begin(), out.other_chains.end(),
                           [&](const auto& o) { return o.first == head; }) ==
              out.other_chains.end()) {
            out.other_chains.emplace_back(std::move(head), i);
          }
          continue;
        }
        std::memcpy(rec.next.data(), f.next.data(), kNsec3HashLen);
        rec.node = i;
        rec.rr = k;
        rec.opt_out = (f.flags & 1) != 0;
        out.recs.push_back(rec);
      }
      continue;
    }
    bool optional = false;
    if (!detail::needs_nsec3(n, &optional)) continue;
    if (n.flags & kEnt) optional = ent_optional(index, hashed, i);
    out.wants.push_back(
        {nsec3_hash(nr.name, env.nsec3.salt, env.nsec3.iterations), i, optional});
  }
}

std::string hash_text(const Nsec3Hash& h) { return base32hex(h.data(), h.size()); }

// The NSEC3 chain as a whole: sorted, closed, one NSEC3 per name that needs one, bitmaps.
void check_nsec3_chain(const VerifyEnv& env, std::vector<Nsec3Rec>& recs,
                       std::vector<Nsec3Want>& wants,
                       tbb::enumerable_thread_specific<VerifyScratch>& scratch,
                       ChunkResult& out) {
  const ZoneIndex& index = *env.index;
  const ZoneStore& store = *env.store;
  auto by_hash = [](const auto& a, const auto& b) { return a.hash < b.hash; };
  tbb::parallel_sort(recs.begin(), recs.end(), by_hash);
  tbb::parallel_sort(wants.begin(), wants.end(), by_hash);

  for (size_t i = 0; i < recs.size(); ++i) {
    const Nsec3Rec& r = recs[i];
    const NameView owner = index.nodes[r.node].owner->name();
    if (i + 1 < recs.size() && recs[i + 1].hash == r.hash) {
      add_problem(out, VerifyCheck::BadNsec3Chain, false, owner, rrtype::NSEC3,
                  "more than one NSEC3 at this hashed owner");
      continue;
    }
    const Nsec3Hash& want = recs[(i + 1) % recs.size()].hash;
    if (r.next != want) {
      add_problem(out, VerifyCheck::BadNsec3Chain, false, owner, rrtype::NSEC3,
                  "next hashed owner is " + hash_text(r.next) + ", expected " + hash_text(want) +
                      (i + 1 == recs.size() ? " (the chain must close on the first hash)"
                                            : " (chain broken or unsorted)"));
    }
  }

  // Join names and NSEC3s by hash.
  std::vector<std::pair<uint32_t, uint32_t>> pairs;  // (want index, rec index)
  pairs.reserve(wants.size());
  size_t r = 0;
  for (size_t w = 0; w < wants.size(); ++w) {
    while (r < recs.size() && recs[r].hash < wants[w].hash) {
      if (w == 0 || recs[r].hash != wants[w - 1].hash) {
        add_problem(out, VerifyCheck::ExtraNsec3, false, index.nodes[recs[r].node].owner->name(),
                    rrtype::NSEC3, "NSEC3 that matches no name of the zone");
      }
      ++r;
    }
    const NameView name = index.nodes[wants[w].node].owner->name();
    if (r < recs.size() && recs[r].hash == wants[w].hash) {
      pairs.emplace_back(static_cast<uint32_t>(w), static_cast<uint32_t>(r));
      ++r;
      continue;
    }
    if (wants[w].optional && !recs.empty()) {
      // Covered by the NSEC3 before it in hash order (wrapping); that one must be opt-out.
      const Nsec3Rec& cover = r == 0 ? recs.back() : recs[r - 1];
      if (cover.opt_out) continue;
    }
    add_problem(out, VerifyCheck::MissingNsec3, false, name, rrtype::NSEC3,
                "no NSEC3 for this name (expected owner " + hash_text(wants[w].hash) + ")");
  }
  for (; r < recs.size(); ++r) {
    add_problem(out, VerifyCheck::ExtraNsec3, false, index.nodes[recs[r].node].owner->name(),
                rrtype::NSEC3, "NSEC3 that matches no name of the zone");
  }

  const size_t chunks = (pairs.size() + kPairsPerChunk - 1) / kPairsPerChunk;
  std::vector<ChunkResult> results(chunks);
  tbb::parallel_for(size_t{0}, chunks, [&](size_t c) {
    VerifyScratch& s = scratch.local();
    const size_t end = std::min(pairs.size(), (c + 1) * kPairsPerChunk);
    for (size_t p = c * kPairsPerChunk; p < end; ++p) {
      const OwnerNode& n = index.nodes[wants[pairs[p].first].node];
      const Nsec3Rec& rec = recs[pairs[p].second];
      const NodeRecords nr{n.owner->name(), n.flags, {store.rrs.data() + n.first, n.count}, false};
      detail::expected_bitmap(nr, false, s);
      const auto f = detail::nsec3_fields(store.rrs[rec.rr].rdata_span());
      if (f.bitmap.size() != s.bitmap.size() ||
          std::memcmp(f.bitmap.data(), s.bitmap.data(), s.bitmap.size()) != 0) {
        add_problem(results[c], VerifyCheck::BadBitmap, false,
                    index.nodes[rec.node].owner->name(), rrtype::NSEC3,
                    "type bitmap does not match the types at " + detail::owner_text(nr.name));
      }
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
    case VerifyCheck::NoDnskey: return "no-dnskey";
    case VerifyCheck::UnsupportedAlgorithm: return "unsupported-algorithm";
    case VerifyCheck::DsMismatch: return "ds-mismatch";
    case VerifyCheck::BadSignature: return "bad-signature";
    case VerifyCheck::Expired: return "expired";
    case VerifyCheck::NotYetValid: return "not-yet-valid";
    case VerifyCheck::MissingSignature: return "missing-signature";
    case VerifyCheck::UnknownKey: return "unknown-key";
    case VerifyCheck::BadLabels: return "bad-labels";
    case VerifyCheck::BadOriginalTtl: return "bad-original-ttl";
    case VerifyCheck::BadRrsigTtl: return "bad-rrsig-ttl";
    case VerifyCheck::BadSigner: return "bad-signer";
    case VerifyCheck::SignedNonAuthoritative: return "signed-non-authoritative";
    case VerifyCheck::NoChain: return "no-chain";
    case VerifyCheck::MissingNsec: return "missing-nsec";
    case VerifyCheck::ExtraNsec: return "extra-nsec";
    case VerifyCheck::BadNsecNext: return "bad-nsec-next";
    case VerifyCheck::BadBitmap: return "bad-bitmap";
    case VerifyCheck::MissingNsec3: return "missing-nsec3";
    case VerifyCheck::ExtraNsec3: return "extra-nsec3";
    case VerifyCheck::BadNsec3Chain: return "bad-nsec3-chain";
    case VerifyCheck::BadNsec3Param: return "bad-nsec3param";
    case VerifyCheck::ZonemdMismatch: return "zonemd-mismatch";
    case VerifyCheck::ZonemdSerial: return "zonemd-serial";
    case VerifyCheck::ZonemdDuplicate: return "zonemd-duplicate";
    case VerifyCheck::ZonemdLength: return "zonemd-length";
    case VerifyCheck::ZonemdMissing: return "zonemd-missing";
    case VerifyCheck::ZonemdUnsupported: return "zonemd-unsupported";
  }
  return "unknown";
}

VerifyReport verify_zone(const ZoneStore& store, const ZoneIndex& index,
                         const VerifyOptions& options) {
  VerifyEnv env;
  env.store = &store;
  env.index = &index;
  env.origin = store.origin.view();
  env.now = options.now;
  env.crypto = options.crypto;

  ChunkResult total;
  detail::load_zone_keys(env, options.ds, total);

  const uint32_t count = static_cast<uint32_t>(index.nodes.size());
  std::vector<uint8_t> hashed(count, 0);
  for (uint32_t i = 0; i < count; ++i) {
    hashed[i] = is_nsec3_owner(store, index.nodes[i], env.origin) ? 1 : 0;
  }
  find_chain(env, hashed, total);
  if (env.chain != detail::Chain::Nsec3) std::fill(hashed.begin(), hashed.end(), 0);

  // NSEC: each chain member points to the next member; the last to the apex.
  std::vector<uint32_t> nsec_next;
  if (env.chain == detail::Chain::Nsec) {
    nsec_next.assign(count, UINT32_MAX);
    uint32_t next = index.apex;
    for (uint32_t i = count; i-- > 0;) {
      if (!detail::needs_nsec(index.nodes[i])) continue;
      nsec_next[i] = next;
      next = i;
    }
  }

  const uint32_t chunks = (count + kNodesPerChunk - 1) / kNodesPerChunk;
  std::vector<ChunkOut> outs(chunks);
  tbb::enumerable_thread_specific<VerifyScratch> scratch;
  tbb::parallel_for(uint32_t{0}, chunks, [&](uint32_t c) {
    const uint32_t begin = c * kNodesPerChunk;
    check_chunk(env, scratch.local(), hashed, nsec_next, begin,
                std::min(count, begin + kNodesPerChunk), outs[c]);
  });

  std::vector<Nsec3Rec> recs;
  std::vector<Nsec3Want> wants;
  std::vector<std::pair<std::vector<uint8_t>, uint32_t>> other_chains;
  for (ChunkOut& o : outs) {
    for (auto& oc : o.other_chains) {
      if (std::find_if(other_chains.begin(), other_chains.end(),
                       [&](const auto& x) { return x.first == oc.first; }) == other_chains.end()) {
        other_chains.push_back(std::move(oc));
      }
    }
    append(total, std::move(o.result), options.max_problems);
    recs.insert(recs.end(), o.recs.begin(), o.recs.end());
    wants.insert(wants.end(), o.wants.begin(), o.wants.end());
    o = ChunkOut{};
  }
  for (const auto& oc : other_chains) {
    const NameView owner = index.nodes[oc.second].owner->name();
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
  auto read = read_sorted_zone(path, origin, diag);
  if (!read) return fail(read.error());
  ZoneStore& store = *read;
  VerifyReport report;
  if (!options.zonemd_only) {
    const ZoneIndex index = build_index(store);
    report = verify_zone(store, index, options);
  }
  verify_zonemd(store, options.zonemd_only, report);
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
      case ZonemdProblem::Mismatch: c = VerifyCheck::ZonemdMismatch; break;
      case ZonemdProblem::BadSerial: c = VerifyCheck::ZonemdSerial; break;
      case ZonemdProblem::Duplicate: c = VerifyCheck::ZonemdDuplicate; break;
      case ZonemdProblem::BadLength: c = VerifyCheck::ZonemdLength; break;
      case ZonemdProblem::NoSoa: c = VerifyCheck::ZonemdMissing; break;
      case ZonemdProblem::Unsupported: c = VerifyCheck::ZonemdUnsupported; break;
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
    return fail(Errc::Usage, "cannot read DS file " + path + ": " +
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
         ": " +
         std::to_string(s.errors) + " errors, " + std::to_string(s.warnings) + " warnings; " +
         (report.valid() ? "zone is valid" : "zone is INVALID") + "\n";
  return out;
}

}  // namespace zk::pipeline
