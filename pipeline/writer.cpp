// Stage: NSEC/NSEC3 chain and the streaming, parallel sign-and-print pass.
#include "pipeline/detail/writer.hpp"

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/parallel_sort.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstring>
#include <memory>
#include <optional>

#include "dns/fault.hpp"
#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"
#include "pipeline/detail/verify_core.hpp"

namespace zk::pipeline::detail {

namespace {

// Chunks end at owner boundaries. Sizes keep a chunk's text around 100-300 KiB when signing.
constexpr uint32_t kNodesPerChunkSigned = 512;
constexpr uint32_t kNodesPerChunkPlain = 4096;
constexpr uint32_t kNsec3PerChunk = 1024;
constexpr uint32_t kPrefetchNodes = 4;

bool in_nsec_chain(const OwnerNode& n) { return n.count > 0 && (n.flags & kOccluded) == 0; }

// The verifier's rule (detail::nsec3_need). Opt-out leaves out insecure delegations (RFC 5155
// s6); ENTs keep their NSEC3 even when only insecure delegations are below them (allowed by
// s7.1, which only permits leaving them out).
bool in_nsec3_chain(const OwnerNode& n, bool opt_out) {
  const Nsec3Need need = nsec3_need(n);
  if (need == Nsec3Need::None) return false;
  return !(opt_out && need == Nsec3Need::Delegation);
}

// Which RRsets of a node get signatures: all at authoritative names; at a delegation only DS
// (RFC 4035 s2.2: NS at a cut and glue are not signed); nothing at occluded names.
bool signs_type(const OwnerNode& n, uint16_t type) {
  if (n.flags & (kOccluded | kEnt)) return false;
  if (n.flags & kDelegation) return type == rrtype::DS;
  return true;
}

// Types at the node for its NSEC/NSEC3 bitmap (RFC 4034 s4.1.2, RFC 5155 s3.1.8).
void type_bitmap(const ZoneStore& store, const OwnerNode& n, bool nsec, TypeBitmap& bm) {
  bm.clear();
  bool signed_any = false;
  for (uint32_t k = n.first; k < n.first + n.count; ++k) {
    const uint16_t t = store.rrs[k].type;
    // At a delegation only NS and DS are authoritative data of this zone; glue is not.
    if ((n.flags & kDelegation) && t != rrtype::NS && t != rrtype::DS) continue;
    bm.add(t);
    signed_any |= signs_type(n, t);
  }
  if (nsec) {
    bm.add(rrtype::NSEC);
    bm.add(rrtype::RRSIG);  // the NSEC RRset itself is signed
  } else if (signed_any) {
    bm.add(rrtype::RRSIG);
  }
}

bool is_key_type(uint16_t t) {
  return t == rrtype::DNSKEY || t == rrtype::CDS || t == rrtype::CDNSKEY;
}

// What one owner emitted, kept for the verifier: RDATA copied (the sign buffers are reused).
struct Emitted {
  struct Entry {
    const Owner* owner;
    const uint8_t* external;  // RDATA that outlives the pass (reused RRSIGs), else in bytes
    uint32_t ttl, offset;
    uint16_t type, len;
  };
  std::vector<Entry> entries;
  std::vector<uint8_t> bytes;
  std::vector<RR> rrs;
  std::vector<const uint8_t*> reused;  // RDATA of reused RRSIGs: verified when they were made

  void clear() {
    entries.clear();
    bytes.clear();
    reused.clear();
  }
  void add(const RR& rr) {
    entries.push_back(
        {rr.owner, nullptr, rr.ttl, static_cast<uint32_t>(bytes.size()), rr.type, rr.rdlen});
    bytes.insert(bytes.end(), rr.rdata, rr.rdata + rr.rdlen);
  }
  void add_reused(const RR& rr) {
    entries.push_back({rr.owner, rr.rdata, rr.ttl, 0, rr.type, rr.rdlen});
    reused.push_back(rr.rdata);
  }
  std::span<const RR> view() {
    rrs.clear();
    for (const Entry& e : entries) {
      rrs.push_back(
          {e.owner, e.external ? e.external : bytes.data() + e.offset, e.ttl, e.type, e.len});
    }
    return rrs;
  }
};

struct Scratch {
  signer::SignContext ctx;
  std::vector<uint8_t> sig;
  std::vector<uint8_t> rdata;
  TypeBitmap bitmap;
  ChunkVerifier::ScratchPtr verify{nullptr, nullptr};
  Emitted emitted;
  OwnerDigest digest;
};

struct ChunkOut {
  std::string text;
  WriteStats stats;
  std::vector<Error> errors;
  std::vector<VerifyProblem> problems;
  DigestRun digest;                      // with WritePlan::zonemd_hash
  std::vector<ZonemdLine> zonemd_lines;  // offsets in text
};

struct Task {
  bool nsec3 = false;
  uint32_t begin = 0, end = 0;
  std::shared_ptr<ChunkOut> out;
  std::string previous;  // the previous output's lines for these owners
  bool piece = false;    // previous holds them (for reuse, or for the changes alone)
};

// The owner name of an NSEC3 record: base32hex(hash).origin (RFC 5155 s3), into wire.
NameView nsec3_owner(const Nsec3Hash& hash, NameView origin, uint8_t (&wire)[kMaxNameLen]) {
  const std::string label = base32hex(hash.data(), hash.size());
  wire[0] = static_cast<uint8_t>(label.size());
  std::memcpy(wire + 1, label.data(), label.size());
  std::memcpy(wire + 1 + label.size(), origin.data, origin.len);
  return {wire, static_cast<uint16_t>(1 + label.size() + origin.len)};
}

class ChunkWriter {
 public:
  ChunkWriter(const WritePlan& plan, Scratch& s, ChunkOut& out, const PreviousZone* previous)
      : plan_(plan),
        store_(*plan.store),
        s_(s),
        out_(out),
        previous_(previous),
        forecast_runs_(signer::forecast_runs(plan.reuse.renewal)) {}

  void nodes(uint32_t begin, uint32_t end) {
    // A sorted store's owners and RDATA are scattered over the parse arenas; asking for the
    // ones a few nodes ahead overlaps their cache misses with printing this node.
    const auto& nodes = plan_.index->nodes;
    for (uint32_t i = begin; i < end; ++i) {
      if (i + kPrefetchNodes < end) {
        const OwnerNode& ahead = nodes[i + kPrefetchNodes];
        __builtin_prefetch(ahead.owner);
        if (ahead.count > 0) __builtin_prefetch(store_.rrs[ahead.first].rdata);
      }
      node(i);
    }
  }

  // A spilled sign's NSEC3 records, made already (WritePlan::nsec3_records).
  void nsec3_records(uint32_t begin, uint32_t end) {
    const auto records = plan_.nsec3_records;
    apex_ = false;
    for (uint32_t i = begin; i < end; ++i) {
      const RR& rr = records[i];
      s_.emitted.clear();
      print(rr);
      ++out_.stats.nsec3;
      ++out_.stats.rrsets;
      sign({&rr, 1}, false);
      if (plan_.verifier) {
        Nsec3Hash next{};
        const bool known =
            i + 1 < records.size() && decode_hash_label(records[i + 1].owner->name(), next);
        plan_.verifier->check_nsec3_record(
            *verify_scratch(), s_.emitted.view(), known ? &next : nullptr,
            plan_.nsec3_last && i + 1 == records.size(), out_.problems, s_.emitted.reused);
      }
    }
  }

  void nsec3_entries(uint32_t begin, uint32_t end) {
    if (!plan_.nsec3_records.empty()) return nsec3_records(begin, end);
    Arena arena(16 * 1024);
    const auto& chain = plan_.nsec3;
    const NameView origin = store_.origin.view();
    for (uint32_t i = begin; i < end; ++i) {
      const Nsec3Entry& e = chain[i];
      const Nsec3Entry& next = chain[(i + 1) % chain.size()];
      s_.emitted.clear();
      uint8_t wire[kMaxNameLen];
      const NameView owner_name = nsec3_owner(e.hash, origin, wire);
      const Owner* owner = make_owner(arena, owner_name);
      apex_ = false;

      const OwnerNode& n = plan_.index->nodes[e.node];
      node_bitmap(n, /*nsec=*/false);
      auto& rd = s_.rdata;
      rd.assign(plan_.nsec3_head.begin(), plan_.nsec3_head.end());
      rd.push_back(kNsec3HashLen);
      rd.insert(rd.end(), next.hash.begin(), next.hash.end());
      const size_t head = rd.size();
      rd.resize(head + s_.bitmap.wire_size());
      s_.bitmap.write(rd.data() + head);
      const RR rr{owner, rd.data(), plan_.chain_ttl, rrtype::NSEC3,
                  static_cast<uint16_t>(rd.size())};
      print(rr);
      ++out_.stats.nsec3;
      ++out_.stats.rrsets;
      sign({&rr, 1}, false);
      if (plan_.verifier) {
        plan_.verifier->check_nsec3(*verify_scratch(), e.node, next.node, i + 1 == chain.size(),
                                    s_.emitted.view(), out_.problems, s_.emitted.reused);
      }
      if (plan_.zonemd_hash != 0) s_.digest.flush(owner->name(), store_.rclass, out_.digest);
    }
  }

 private:
  void print(const RR& rr) {
    ++out_.stats.records;
    if (plan_.dry_run) return;
    const size_t at = out_.text.size();
    emit::append_rr(out_.text, rr.owner->name(), rr.ttl, store_.rclass, rr.type, rr.rdata_span());
    if (plan_.verifier) s_.emitted.add(rr);
    if (plan_.zonemd_hash != 0) digest(at, rr.type, rr.type, rr.ttl, rr.rdata_span());
  }

  // RFC 8976 s3.3.1: the apex ZONEMD RRset and the apex RRSIGs covering it are not digested;
  // their lines are noted so that the placeholder can be replaced once the digest is known.
  void digest(size_t at, uint16_t type, uint16_t covered, uint32_t ttl,
              std::span<const uint8_t> rdata) {
    if (apex_ && covered == rrtype::ZONEMD) {
      ZonemdLine line{at, static_cast<uint32_t>(out_.text.size() - at), {}};
      if (type == rrtype::RRSIG) line.rrsig.assign(rdata.begin(), rdata.end());
      out_.zonemd_lines.push_back(std::move(line));
      return;
    }
    s_.digest.add(type, ttl, rdata);
  }

  ChunkVerifier::Scratch* verify_scratch() {
    if (!s_.verify) s_.verify = plan_.verifier->make_scratch();
    return s_.verify.get();
  }

  void write_rrsig(const RR& head, const uint8_t* rdata, uint16_t len, uint32_t expiration,
                   bool reused, uint64_t hash) {
    ++out_.stats.records;
    ++out_.stats.signatures;
    out_.stats.earliest_expiration = std::min(out_.stats.earliest_expiration, expiration);
    out_.stats.next_renewal =
        std::min(out_.stats.next_renewal,
                 signer::next_renewal(plan_.reuse.renewal, plan_.reuse.now, hash, expiration));
    signer::add_to_forecast(plan_.reuse.renewal, plan_.reuse.now, hash, expiration,
                            {out_.stats.forecast.data(), forecast_runs_});
    if (plan_.dry_run) return;  // counted, not printed (as print does)
    const size_t at = out_.text.size();
    emit::append_rr(out_.text, head.owner->name(), head.ttl, store_.rclass, rrtype::RRSIG,
                    {rdata, len});
    if (plan_.zonemd_hash != 0) digest(at, rrtype::RRSIG, head.type, head.ttl, {rdata, len});
    if (!plan_.verifier) return;
    const RR sig{head.owner, rdata, head.ttl, rrtype::RRSIG, len};
    reused ? s_.emitted.add_reused(sig) : s_.emitted.add(sig);
  }

  void sign(std::span<const RR> rrset, bool key_set) {
    if (plan_.keys == nullptr) return;
    const uint64_t hash = signer::renewal_hash(rrset[0].owner->name(), rrset[0].type);
    if (key_set) {
      for (const RR& kept : plan_.keys->kept_key_rrsigs) {
        const RrsigFields f = rrsig_fields(kept.rdata_span());
        if (f.type_covered != rrset[0].type) continue;
        write_rrsig(rrset[0], kept.rdata, kept.rdlen, f.expiration, true, hash);
      }
    }
    const auto& keys = key_set ? plan_.keys->key_set_signers(rrset[0].type) : plan_.keys->zsks;
    if (keys.empty()) return;
    const std::span<const KeyId> retired =
        key_set ? std::span<const KeyId>() : std::span<const KeyId>(plan_.keys->retired_zsks);
    const PreviousZone* previous = previous_;
    const PrevRRset* prev =
        previous ? previous->find(rrset[0].owner, rrset[0].type, prev_cursor_) : nullptr;
    Why why = Why::None;
    if (previous && !prev) why = Why::Added;
    if (prev && !previous->same_data(*prev, rrset)) {
      prev = nullptr;
      why = Why::Changed;
    }
    signer::RrsigParams params = plan_.keys->params;
    params.original_ttl = rrset[0].ttl;
    // RRSIG times are 32-bit (RFC 4034 s3.1.5); unix seconds fit until 2106.
    params.expiration = static_cast<uint32_t>(
        signer::renewal_expiration(plan_.reuse.renewal, plan_.reuse.now, hash));
    bool made = false, needed = false;
    for (const signer::Key& key : keys) {
      ReuseChoice choice;
      if (prev) {
        choice = previous->reusable(*prev, key, retired, plan_.reuse, hash);
        if (const RR* old = choice.sig) {
          write_rrsig(rrset[0], old->rdata, old->rdlen, rrsig_fields(old->rdata_span()).expiration,
                      true, hash);
          ++out_.stats.signatures_reused;
          continue;
        }
        // Expiring: due, or renewed early to even out the runs (signer::Renewal).
        if (why == Why::None) {
          why = previous->signed_by(*prev, key, retired) ? Why::Expiring : Why::NewKey;
        }
      }
      if (plan_.dry_run) {  // counted as made, not made: the forecast still counts it
        signer::add_to_forecast(plan_.reuse.renewal, plan_.reuse.now, hash, params.expiration,
                                {out_.stats.forecast.data(), forecast_runs_});
        made = true;
        needed |= !choice.early;
        continue;
      }
      s_.sig.resize(signer::max_rrsig_rdata_len(key));
      auto len = s_.ctx.sign(key, params, rrset, s_.sig.data());
      if (!len) {
        out_.errors.push_back(len.error());
        continue;
      }
      write_rrsig(rrset[0], s_.sig.data(), static_cast<uint16_t>(*len), params.expiration, false,
                  hash);
      made = true;
      needed |= !choice.early;
    }
    ++(made ? out_.stats.rrsets_signed : out_.stats.rrsets_reused);
    if (made && !needed) ++out_.stats.rrsets_renewed_early;
    if (made) count_resign(why);
  }

  // Why an RRset is signed anew, when it is: the first reason that applies.
  enum class Why { None, Added, Changed, NewKey, Expiring };

  void count_resign(Why why) {
    auto& r = out_.stats.resign;
    switch (why) {
      case Why::Added:
        ++r.added;
        break;
      case Why::Changed:
        ++r.changed;
        break;
      case Why::NewKey:
        ++r.new_key;
        break;
      case Why::Expiring:
        ++r.expiring;
        break;
      case Why::None:  // no previous output to keep from
        ++r.everything;
        break;
    }
  }

  void rrset(const OwnerNode& n, uint32_t b, uint32_t e) {
    const auto& rrs = store_.rrs;
    for (uint32_t k = b; k < e; ++k) print(rrs[k]);
    ++out_.stats.rrsets;
    const uint16_t type = rrs[b].type;
    if (signs_type(n, type)) sign({rrs.data() + b, e - b}, is_key_type(type) && (n.flags & kApex));
  }

  void node_bitmap(const OwnerNode& n, bool nsec) { type_bitmap(store_, n, nsec, s_.bitmap); }

  void nsec(const OwnerNode& n, uint32_t i) {
    const uint32_t next = plan_.nsec_next[i];
    node_bitmap(n, true);
    auto& rd = s_.rdata;
    const NameView nn =
        next == kNsecNextOutside ? plan_.nsec_wrap : plan_.index->nodes[next].owner->name();
    rd.assign(nn.data, nn.data + nn.len);
    rd.resize(nn.len + s_.bitmap.wire_size());
    s_.bitmap.write(rd.data() + nn.len);
    const RR rr{n.owner, rd.data(), plan_.chain_ttl, rrtype::NSEC,
                static_cast<uint16_t>(rd.size())};
    print(rr);
    ++out_.stats.nsec;
    ++out_.stats.rrsets;
    sign({&rr, 1}, false);
  }

  void node(uint32_t i) {
    const OwnerNode& n = plan_.index->nodes[i];
    if (n.count == 0) return;
    s_.emitted.clear();
    apex_ = (n.flags & kApex) != 0;
    const auto& rrs = store_.rrs;
    const uint32_t end = n.first + n.count;
    const bool apex = (n.flags & kApex) != 0;
    // The apex SOA is written first (what loaders and humans expect), then canonical order.
    if (apex) {
      for (uint32_t b = n.first; b < end; ++b) {
        if (rrs[b].type != rrtype::SOA) continue;
        uint32_t e = b + 1;
        while (e < end && rrs[e].type == rrtype::SOA) ++e;
        rrset(n, b, e);
        break;
      }
    }
    for (uint32_t b = n.first; b < end;) {
      uint32_t e = b + 1;
      while (e < end && rrs[e].type == rrs[b].type) ++e;
      if (!(apex && rrs[b].type == rrtype::SOA)) rrset(n, b, e);
      b = e;
    }
    if (plan_.chain == ChainKind::Nsec && in_nsec_chain(n)) nsec(n, i);
    if (plan_.verifier) {
      plan_.verifier->check_node(*verify_scratch(), i, s_.emitted.view(), out_.problems,
                                 s_.emitted.reused);
    }
    if (plan_.zonemd_hash != 0) s_.digest.flush(n.owner->name(), store_.rclass, out_.digest);
  }

  const WritePlan& plan_;
  const ZoneStore& store_;
  Scratch& s_;
  ChunkOut& out_;
  const PreviousZone* previous_;  // the previous output's piece for this chunk, or null
  size_t prev_cursor_ = 0;        // lookups in it go forward
  size_t forecast_runs_;
  bool apex_ = false;  // the owner being written is the apex
};

}  // namespace

void add_write_stats(WriteStats& total, WriteStats&& s) {
  total.records += s.records;
  total.rrsets += s.rrsets;
  total.signatures += s.signatures;
  total.nsec += s.nsec;
  total.nsec3 += s.nsec3;
  total.rrsets_signed += s.rrsets_signed;
  total.rrsets_reused += s.rrsets_reused;
  total.signatures_reused += s.signatures_reused;
  total.rrsets_renewed_early += s.rrsets_renewed_early;
  total.verify_warnings += s.verify_warnings;
  for (size_t k = 0; k < total.forecast.size(); ++k) total.forecast[k] += s.forecast[k];
  total.resign += s.resign;
  total.changes.append(std::move(s.changes));
  total.changes_complete = total.changes_complete && s.changes_complete;
  total.earliest_expiration = std::min(total.earliest_expiration, s.earliest_expiration);
  total.next_renewal = std::min(total.next_renewal, s.next_renewal);
  for (ZonemdLine& line : s.zonemd_lines) total.zonemd_lines.push_back(std::move(line));
}

Result<void> build_chain(WritePlan& plan, const Nsec3Options& opts) {
  const auto& nodes = plan.index->nodes;
  if (plan.chain == ChainKind::Nsec) {
    // The last name's NSEC points back to the apex, or a slice's to the next slice.
    uint32_t next = plan.nsec_wrap.len != 0 ? kNsecNextOutside : plan.index->apex;
    plan.nsec_next.assign(nodes.size(), next);
    for (size_t i = nodes.size(); i-- > 0;) {
      if (!in_nsec_chain(nodes[i])) continue;
      plan.nsec_next[i] = next;
      next = static_cast<uint32_t>(i);
    }
    return ok();
  }
  if (plan.chain != ChainKind::Nsec3) return ok();

  std::vector<uint32_t> members;
  for (uint32_t i = 0; i < nodes.size(); ++i) {
    if (in_nsec3_chain(nodes[i], opts.opt_out)) members.push_back(i);
  }
  plan.nsec3.resize(members.size());
  tbb::parallel_for(
      tbb::blocked_range<size_t>(0, members.size(), 1024),
      [&](const tbb::blocked_range<size_t>& r) {
        for (size_t k = r.begin(); k != r.end(); ++k) {
          const OwnerNode& n = nodes[members[k]];
          plan.nsec3[k] = {nsec3_hash(n.owner->name(), opts.salt, opts.iterations), members[k]};
        }
      });
  tbb::parallel_sort(plan.nsec3.begin(), plan.nsec3.end(),
                     [](const Nsec3Entry& a, const Nsec3Entry& b) { return a.hash < b.hash; });
  for (size_t k = 1; k < plan.nsec3.size(); ++k) {
    if (plan.nsec3[k].hash == plan.nsec3[k - 1].hash) {
      return fail(Errc::Internal, "NSEC3 hash collision; choose another salt");
    }
  }
  auto& head = plan.nsec3_head;
  head = {1, static_cast<uint8_t>(opts.opt_out ? 1 : 0), static_cast<uint8_t>(opts.iterations >> 8),
          static_cast<uint8_t>(opts.iterations), static_cast<uint8_t>(opts.salt.size())};
  head.insert(head.end(), opts.salt.begin(), opts.salt.end());
  return ok();
}

void make_nsec3_records(const WritePlan& plan, ZoneStore& out) {
  const NameView origin = plan.store->origin.view();
  TypeBitmap bitmap;
  std::vector<uint8_t> rd;
  for (const Nsec3Entry& e : plan.nsec3) {
    uint8_t wire[kMaxNameLen];
    const Owner* owner = make_owner(out.arena(), nsec3_owner(e.hash, origin, wire));
    type_bitmap(*plan.store, plan.index->nodes[e.node], false, bitmap);
    rd.assign(plan.nsec3_head.begin(), plan.nsec3_head.end());
    rd.push_back(kNsec3HashLen);
    rd.resize(rd.size() + kNsec3HashLen, 0);  // the next hashed owner, filled in later
    const size_t head = rd.size();
    rd.resize(head + bitmap.wire_size());
    bitmap.write(rd.data() + head);
    out.rrs.push_back({owner, out.arena().copy(rd.data(), rd.size()), plan.chain_ttl, rrtype::NSEC3,
                       static_cast<uint16_t>(rd.size())});
  }
}

namespace {

// How many NSEC3 records a pass writes: prepared ones, or one per chain entry.
uint32_t nsec3_count(const WritePlan& plan) {
  if (plan.chain != ChainKind::Nsec3) return 0;
  return static_cast<uint32_t>(!plan.nsec3_records.empty() ? plan.nsec3_records.size()
                                                           : plan.nsec3.size());
}

// The ZONEMD side of write_zone: the digester, and where NSEC3 text waits when names and NSEC3
// owners are written interleaved.
struct ZonemdPass {
  std::unique_ptr<ZonemdDigester> owned;
  ZonemdDigester* digester = nullptr;  // owned, or the plan's across slices
  bool last_slice = true;              // the names stream ends with this pass
  std::optional<emit::ScratchFile> nsec3_text;
  bool interleave = false;  // chunks in canonical order of their first owners

  static Result<ZonemdPass> start(const WritePlan& plan, const emit::OutputFile* file,
                                  uint32_t node_count, uint32_t nsec3_count) {
    ZonemdPass z;
    if (plan.zonemd_hash == 0) return z;
    if (plan.zonemd_digester != nullptr) {
      z.digester = plan.zonemd_digester;
      z.last_slice = !plan.more_follow;
      if (node_count == 0 && z.last_slice) (void)z.digester->close(0);
      return z;
    }
    auto d = ZonemdDigester::start(plan.zonemd_hash, 2);
    if (!d) return fail(d.error());
    z.owned = std::move(*d);
    z.digester = z.owned.get();
    if (node_count == 0) (void)z.digester->close(0);
    if (nsec3_count == 0) (void)z.digester->close(1);
    z.interleave = nsec3_count > 0;
    if (z.interleave) {
      auto f = emit::ScratchFile::beside(file->path());
      if (!f) return fail(f.error());
      z.nsec3_text = std::move(*f);
    }
    return z;
  }
};

// One write pass: tbb::parallel_pipeline over chunks of owners (then NSEC3 records), with its
// three stages as methods: take the next chunk (serial, in order), make its text (parallel:
// sign, verify, format), and put it out (serial, in order: checks, writes, digests, adds up).
class ZonePass {
 public:
  ZonePass(const WritePlan& plan, emit::OutputFile* file, ZonemdPass& zonemd)
      : plan_(plan),
        file_(file),
        zonemd_(zonemd),
        origin_(plan.store->origin.view()),
        node_count_(static_cast<uint32_t>(plan.index->nodes.size())),
        nsec3_count_(nsec3_count(plan)),
        per_chunk_(plan.keys ? kNodesPerChunkSigned : kNodesPerChunkPlain),
        changes_reader_(plan.want_changes && !plan.previous && plan.changes_from != nullptr) {}

  void run() {
    // The stage starts now, not when its first chunk is done: a rate and time left from the
    // first chunk on, however short the pass.
    if (plan_.progress != nullptr && node_count_ + nsec3_count_ != 0) {
      (*plan_.progress)(0, uint64_t{node_count_} + nsec3_count_);
    }
    const size_t tokens = 2 * static_cast<size_t>(tbb::this_task_arena::max_concurrency()) + 2;
    tbb::parallel_pipeline(
        tokens,
        tbb::make_filter<void, Task>(tbb::filter_mode::serial_in_order,
                                     [this](tbb::flow_control& fc) { return next_task(fc); }) &
            tbb::make_filter<Task, Task>(tbb::filter_mode::parallel,
                                         [this](Task t) { return make_chunk(std::move(t)); }) &
            tbb::make_filter<Task, void>(tbb::filter_mode::serial_in_order,
                                         [this](Task t) { put_chunk(std::move(t)); }));
  }

  Result<WriteStats> finish();

 private:
  Task next_task(tbb::flow_control& fc);
  Task make_chunk(Task t);
  void put_chunk(Task t);
  Result<void> write_text(const Task& t);
  void add_up(ChunkOut& out);

  // Names first, then the NSEC3 records; interleaved by first owner for the ZONEMD digest.
  bool nsec3_next() const {
    if (next_nsec3_ >= nsec3_count_) return false;
    if (next_node_ >= node_count_) return true;
    if (!zonemd_.interleave) return false;
    uint8_t wire[kMaxNameLen];
    const NameView h = nsec3_owner(plan_.nsec3[next_nsec3_].hash, origin_, wire);
    return canonical_compare(h, plan_.index->nodes[next_node_].owner->name()) < 0;
  }
  // The last owner of a names chunk (empty for the last chunk: the rest of the section).
  NameView chunk_last(const Task& t) const {
    if (t.end == node_count_ && !plan_.more_follow) return {};
    return plan_.index->nodes[t.end - 1].owner->name();
  }
  // The records of a names chunk's owners (contiguous in the sorted store).
  std::span<const RR> chunk_records(const Task& t) const {
    const auto& nodes = plan_.index->nodes;
    uint32_t lo = UINT32_MAX, hi = 0;
    for (uint32_t i = t.begin; i < t.end; ++i) {
      if (nodes[i].count == 0) continue;
      lo = std::min(lo, nodes[i].first);
      hi = std::max(hi, nodes[i].first + nodes[i].count);
    }
    if (lo >= hi) return {};
    return {plan_.store->rrs.data() + lo, hi - lo};
  }
  // The previous output's lines for the owners of t (whole owners; the last chunk of a section
  // takes the rest of it).
  bool read_previous(Task& t) {
    if (t.nsec3) {
      uint8_t wire[kMaxNameLen];
      const bool prepared = !plan_.nsec3_records.empty();
      const NameView last = t.end == nsec3_count_ && !(prepared && plan_.more_follow) ? NameView{}
                            : prepared ? plan_.nsec3_records[t.end - 1].owner->name()
                                       : nsec3_owner(plan_.nsec3[t.end - 1].hash, origin_, wire);
      return plan_.previous->nsec3(last, t.previous);
    }
    return plan_.previous->names(chunk_last(t), t.previous);
  }
  void fail_with(Error e) {
    first_error_ = std::move(e);
    stop_ = true;
  }

  const WritePlan& plan_;
  emit::OutputFile* file_;
  ZonemdPass& zonemd_;
  const NameView origin_;
  const uint32_t node_count_, nsec3_count_, per_chunk_;
  // --changes without reuse: the previous output is read for them alone, while in order.
  bool changes_reader_;
  tbb::enumerable_thread_specific<Scratch> scratch_;
  WriteStats total_;
  std::optional<Error> first_error_;  // written only by the output stage
  std::atomic<bool> stop_{false};     // read by the input stage on another thread
  uint32_t next_node_ = 0, next_nsec3_ = 0;
  uint64_t items_done_ = 0;
};

// The next chunk: owners up to the next chunk boundary, or NSEC3 records, with the previous
// output's lines for them.
Task ZonePass::next_task(tbb::flow_control& fc) {
  Task t;
  if (stop_.load(std::memory_order_relaxed)) {
    fc.stop();
    return t;
  }
  if (nsec3_next()) {
    t.nsec3 = true;
    t.begin = next_nsec3_;
    t.end = std::min(nsec3_count_, next_nsec3_ + kNsec3PerChunk);
    next_nsec3_ = t.end;
  } else if (next_node_ < node_count_) {
    t.begin = next_node_;
    t.end = std::min(node_count_, next_node_ + per_chunk_);
    next_node_ = t.end;
  } else {
    fc.stop();
    return t;
  }
  t.out = std::make_shared<ChunkOut>();
  if (plan_.previous) {
    t.piece = true;
    if (!read_previous(t)) {
      stop_ = true;
      fc.stop();
    }
  } else if (changes_reader_ && !t.nsec3) {
    // Read for the changes only: an edited file stops them, not the pass.
    t.piece = plan_.changes_from->names(chunk_last(t), t.previous);
    if (!t.piece) changes_reader_ = false;
  }
  return t;
}

// A chunk's text, signatures, verification findings and digest input, on any thread.
Task ZonePass::make_chunk(Task t) {
  std::optional<PreviousZone> previous;
  if (t.piece) {
    const PreviousStream* from = plan_.previous ? plan_.previous : plan_.changes_from;
    previous = PreviousZone::from_text(t.previous, origin_, from->path());
    std::string().swap(t.previous);
  }
  ChunkWriter w(plan_, scratch_.local(), *t.out, plan_.previous && previous ? &*previous : nullptr);
  if (t.nsec3) {
    w.nsec3_entries(t.begin, t.end);
  } else {
    w.nodes(t.begin, t.end);
    if (plan_.want_changes) {
      diff_rrsets(chunk_records(t), previous ? &*previous : nullptr, t.out->stats.changes);
    }
  }
  return t;
}

// In chunk order: the first error stops the pass; else the text is written (NSEC3 text to the
// scratch file while interleaving), digested, and its figures added up.
void ZonePass::put_chunk(Task t) {
  if (first_error_) return;
  if (!t.out->errors.empty()) return fail_with(t.out->errors.front());
  for (const VerifyProblem& p : t.out->problems) {
    if (p.warning) {
      ++total_.verify_warnings;
      continue;
    }
    return fail_with(
        make_error(Errc::VerifyFailed, "own output failed verification: " + p.error.detail + " [" +
                                           std::string(verify_check_name(p.check)) + "]"));
  }
  if (auto w = write_text(t); !w) return fail_with(w.error());
  items_done_ += t.end - t.begin;
  if (plan_.progress != nullptr && node_count_ + nsec3_count_ != 0) {
    (*plan_.progress)(items_done_, uint64_t{node_count_} + nsec3_count_);
  }
  add_up(*t.out);
}

Result<void> ZonePass::write_text(const Task& t) {
  const bool to_scratch = t.nsec3 && zonemd_.nsec3_text;
  const uint64_t base = file_ != nullptr ? file_->size() : 0;
  if (to_scratch) {
    if (auto w = zonemd_.nsec3_text->write(t.out->text); !w) return fail(w.error());
  } else if (file_ != nullptr) {
    if (auto w = file_->write(t.out->text); !w) return fail(w.error());
  }
  crash_point("write");  // test build only (dns/fault.hpp)
  if (!zonemd_.digester) return ok();
  const unsigned stream = t.nsec3 ? 1 : 0;
  auto d = zonemd_.digester->add(stream, std::move(t.out->digest));
  if (d && t.end == (t.nsec3 ? nsec3_count_ : node_count_) && zonemd_.last_slice) {
    d = zonemd_.digester->close(stream);
  }
  if (!d) return fail(d.error());
  for (ZonemdLine& line : t.out->zonemd_lines) {
    line.offset += base;
    total_.zonemd_lines.push_back(std::move(line));
  }
  return ok();
}

void ZonePass::add_up(ChunkOut& out) { add_write_stats(total_, std::move(out.stats)); }

// After the last chunk: the pass's outcome, the verifier's whole-zone checks, the NSEC3 text
// appended and the ZONEMD digest.
Result<WriteStats> ZonePass::finish() {
  total_.changes_complete =
      !plan_.want_changes || plan_.previous || !plan_.changes_from || !plan_.changes_from->bad();
  if (plan_.previous && plan_.previous->bad()) {
    return fail(Errc::Internal,
                "the previous output is not in zonekiln's order: " + plan_.previous->why());
  }
  if (first_error_) return fail(*first_error_);
  if (plan_.verifier) {
    std::vector<VerifyProblem> problems;
    plan_.verifier->finish(total_.nsec3, problems);
    if (!problems.empty()) {
      return fail(Errc::VerifyFailed,
                  "own output failed verification: " + problems.front().error.detail);
    }
  }
  if (zonemd_.nsec3_text) {
    if (auto a = file_->append(*zonemd_.nsec3_text); !a) return fail(a.error());
  }
  if (zonemd_.owned) {
    auto d = zonemd_.owned->finish();
    if (!d) return fail(d.error());
    total_.zonemd_digest = std::move(*d);
  }
  return std::move(total_);
}

}  // namespace

Result<WriteStats> write_zone(const WritePlan& plan, emit::OutputFile* file) {
  assert((file != nullptr || plan.dry_run) && "only a dry run writes nowhere");
  assert((file != nullptr || plan.zonemd_hash == 0) && "a ZONEMD digest needs the output");
  const uint32_t node_count = static_cast<uint32_t>(plan.index->nodes.size());
  auto zonemd = ZonemdPass::start(plan, file, node_count, nsec3_count(plan));
  if (!zonemd) return fail(zonemd.error());
  ZonePass pass(plan, file, *zonemd);
  pass.run();
  return pass.finish();
}

}  // namespace zk::pipeline::detail
