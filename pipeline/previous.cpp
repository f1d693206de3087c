// The previous signed zone: parsed once, looked up per RRset by the sign pass.
#include "pipeline/detail/previous.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <span>

#include "dns/diagnostics.hpp"
#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"
#include "parser/parser.hpp"
#include "pipeline/detail/previous_stream.hpp"
#include "pipeline/detail/writer.hpp"
#include "pipeline/pipeline.hpp"

namespace zk::pipeline::detail {

namespace {

int set_compare(const Owner* owner, uint16_t type, const PrevRRset& s) noexcept {
  if (int c = owner_compare(owner, s.owner)) return c;
  return type < s.type ? -1 : type > s.type ? 1 : 0;
}

}  // namespace

PreviousZone PreviousZone::from_text(std::string_view text, NameView origin,
                                     const std::string& file_name) {
  PreviousZone z;
  if (text.empty()) return z;
  Diagnostics quiet;
  parser::ParseOptions popts;
  popts.origin = Name(origin);
  popts.origin.to_lower();
  popts.origin_set = true;
  if (auto r = parser::parse_text(text, file_name, "", popts, z.store_, quiet);
      !r || quiet.has_errors()) {
    PreviousZone broken;
    broken.broken_ = true;
    return broken;
  }
  z.store_.origin = popts.origin;
  sort_zone(z.store_);
  z.index();
  return z;
}

PreviousZone PreviousZone::apex(const std::string& path, NameView origin, std::string* why) {
  auto reader = PreviousReader::open(path, origin, PreviousReader::Section::Names);
  if (!reader) return {};
  std::string text;
  const bool in_order = reader->read(origin, SIZE_MAX, text);
  PreviousZone z = from_text(text, origin, path);
  if (!in_order) {
    // The apex records read before the problem still give the serial last published.
    z.broken_ = true;
    if (why) *why = reader->why();
  } else if (z.broken_ && why) {
    *why = path + ": the apex records do not parse";
  }
  return z;
}

void PreviousZone::index() {
  const auto& rrs = store_.rrs;
  sets_.reserve(rrs.size());
  sigs_.reserve(rrs.size() / 2);
  std::vector<RR> owner_sigs;
  for (size_t b = 0; b < rrs.size();) {
    size_t e = b;
    owner_sigs.clear();
    while (e < rrs.size() && owner_compare(rrs[e].owner, rrs[b].owner) == 0) {
      if (rrs[e].type == rrtype::RRSIG) owner_sigs.push_back(rrs[e]);
      ++e;
    }
    for (size_t t = b; t < e;) {
      size_t u = t + 1;
      while (u < e && rrs[u].type == rrs[t].type) ++u;
      if (rrs[t].type != rrtype::RRSIG) {
        PrevRRset s{rrs[t].owner,
                    rrs[t].ttl,
                    static_cast<uint32_t>(t),
                    static_cast<uint32_t>(u - t),
                    static_cast<uint32_t>(sigs_.size()),
                    0,
                    rrs[t].type};
        for (const RR& sig : owner_sigs) {
          if (rrsig_fields(sig.rdata_span()).type_covered != s.type) continue;
          sigs_.push_back(sig);
          ++s.sig_count;
        }
        if (s.type == rrtype::SOA && name_equal(s.owner->name(), store_.origin.view())) {
          serial_ = soa_fields(rrs[t].rdata_span()).serial;
          has_serial_ = true;
        }
        sets_.push_back(s);
      }
      t = u;
    }
    b = e;
  }
}

const PrevRRset* PreviousZone::find(const Owner* owner, uint16_t type) const noexcept {
  auto it = std::lower_bound(sets_.begin(), sets_.end(), 0, [&](const PrevRRset& s, int) {
    return set_compare(owner, type, s) > 0;
  });
  if (it == sets_.end() || set_compare(owner, type, *it) != 0) return nullptr;
  return &*it;
}

const PrevRRset* PreviousZone::find(const Owner* owner, uint16_t type,
                                    size_t& cursor) const noexcept {
  constexpr int kWalk = 32;  // beyond this a binary search is cheaper
  if (cursor < sets_.size() && set_compare(owner, type, sets_[cursor]) >= 0) {
    for (int i = 0; i < kWalk && cursor < sets_.size(); ++i, ++cursor) {
      const int c = set_compare(owner, type, sets_[cursor]);
      if (c == 0) return &sets_[cursor];
      if (c < 0) return nullptr;
    }
    if (cursor == sets_.size()) return nullptr;
  } else {
    cursor = 0;
  }
  auto it =
      std::lower_bound(sets_.begin() + static_cast<std::ptrdiff_t>(cursor), sets_.end(), 0,
                       [&](const PrevRRset& s, int) { return set_compare(owner, type, s) > 0; });
  cursor = static_cast<size_t>(it - sets_.begin());
  if (it == sets_.end() || set_compare(owner, type, *it) != 0) return nullptr;
  return &*it;
}

bool PreviousZone::nsec3_opt_out(const PrevRRset& s) const noexcept {
  const RR& rr = store_.rrs[s.first];
  return rr.rdlen > 1 && (rr.rdata[1] & 1) != 0;
}

bool PreviousZone::same_data(const PrevRRset& prev, std::span<const RR> rrset) const noexcept {
  if (prev.count != rrset.size() || prev.ttl != rrset[0].ttl) return false;
  for (size_t i = 0; i < rrset.size(); ++i) {
    const RR& old = store_.rrs[prev.first + i];
    if (old.rdlen != rrset[i].rdlen || std::memcmp(old.rdata, rrset[i].rdata, old.rdlen) != 0) {
      return false;
    }
  }
  return true;
}

namespace {

// An RRSIG key publishes or takes over: its own, or one by a retired key of its algorithm.
bool made_by(const RrsigFields& f, const signer::Key& key, std::span<const KeyId> retired) {
  if (f.algorithm != key.algorithm()) return false;
  if (f.key_tag == key.tag()) return true;
  return std::any_of(retired.begin(), retired.end(), [&](const KeyId& r) {
    return r.tag == f.key_tag && r.algorithm == f.algorithm;
  });
}

}  // namespace

bool PreviousZone::signed_by(const PrevRRset& prev, const signer::Key& key,
                             std::span<const KeyId> retired) const noexcept {
  const auto sigs = sigs_of(prev);
  return std::any_of(sigs.begin(), sigs.end(), [&](const RR& sig) {
    return made_by(rrsig_fields(sig.rdata_span()), key, retired);
  });
}

ReuseChoice PreviousZone::reusable(const PrevRRset& prev, const signer::Key& key,
                                   std::span<const KeyId> retired, const ReusePolicy& policy,
                                   uint64_t hash) const noexcept {
  ReuseChoice choice;
  for (const RR& sig : sigs_of(prev)) {
    const RrsigFields f = rrsig_fields(sig.rdata_span());
    if (!made_by(f, key, retired)) continue;
    if (f.original_ttl != prev.ttl || !name_equal(f.signer, policy.signer)) continue;
    // RRSIG times are 32-bit (RFC 4034 s3.1.5); unix seconds fit until 2106.
    if (int64_t{f.inception} > policy.now) continue;
    switch (signer::renewal_of(policy.renewal, policy.now, hash, f.expiration)) {
      case signer::Renewal::Keep:
        // The active key's own RRSIG first: a retired key's is only a stand-in for it.
        if (f.key_tag == key.tag()) return {&sig, false};
        if (!choice.sig) choice.sig = &sig;
        break;
      case signer::Renewal::Early:
        choice.early = true;
        break;
      case signer::Renewal::Due:
        break;
    }
  }
  if (choice.sig) choice.early = false;
  return choice;
}

std::vector<uint64_t> forecast_renewals(const PreviousZone& prev,
                                        const signer::RenewalSchedule& schedule, int64_t now) {
  std::vector<uint64_t> runs(signer::forecast_runs(schedule), 0);
  for (const PrevRRset& set : prev.sets()) {
    const uint64_t hash = signer::renewal_hash(set.owner->name(), set.type);
    for (const RR& sig : prev.sigs_of(set)) {
      signer::add_to_forecast(schedule, now, hash, rrsig_fields(sig.rdata_span()).expiration, runs);
    }
  }
  return runs;
}

namespace {

bool is_chain_type(uint16_t t) { return t == rrtype::NSEC || t == rrtype::NSEC3; }

// As the writer decides (writer.cpp signs_type): authoritative data is signed; at a delegation
// only DS; nothing at occluded names.
bool signed_at(const OwnerNode& n, uint16_t type) {
  if (n.flags & (kOccluded | kEnt)) return false;
  if (n.flags & kDelegation) return type == rrtype::DS;
  return true;
}

bool all_reusable(const PreviousZone& prev, const PrevRRset& set,
                  const std::vector<signer::Key>& keys, std::span<const KeyId> retired,
                  const ReusePolicy& reuse) {
  const uint64_t hash = signer::renewal_hash(set.owner->name(), set.type);
  return std::all_of(keys.begin(), keys.end(), [&](const signer::Key& k) {
    return prev.reusable(set, k, retired, reuse, hash).sig != nullptr;
  });
}

// RRSIGs published as they are (offline KSK response, or kept while the KSK needs its owner)
// must be exactly the previous ones, or the output changes.
bool same_kept_sigs(const PreviousZone& prev, const PrevRRset& set, const std::vector<RR>& kept) {
  size_t n = 0;
  for (const RR& k : kept) {
    if (rrsig_fields(k.rdata_span()).type_covered != set.type) continue;
    ++n;
    const auto old = prev.sigs_of(set);
    const bool found = std::any_of(old.begin(), old.end(), [&](const RR& o) {
      return o.rdlen == k.rdlen && std::memcmp(o.rdata, k.rdata, k.rdlen) == 0;
    });
    if (!found) return false;
  }
  return n == 0 || n == prev.sigs_of(set).size();
}

}  // namespace

namespace {

constexpr uint32_t kNodesPerPiece = 4096;
constexpr size_t kNsec3PieceBytes = 4 << 20;

// The comparison of nothing_to_do, one piece of the previous output at a time.
struct UnchangedCheck {
  const ZoneStore* store;
  const KeyPlan& keys;
  const ReusePolicy& reuse;
  ChainKind chain;
  size_t chain_sets = 0;
  int64_t earliest = INT64_MAX;
  int64_t next_renewal = INT64_MAX;
  std::optional<bool> opt_out;     // of the first NSEC3 record
  std::vector<uint64_t> forecast;  // forecast_renewals over the pieces read
  uint64_t rrsets = 0;             // RRsets of the pieces read

  void note_expirations(const PreviousZone& prev) {
    rrsets += prev.sets().size();
    for (const PrevRRset& set : prev.sets()) {
      const uint64_t hash = signer::renewal_hash(set.owner->name(), set.type);
      for (const RR& sig : prev.sigs_of(set)) {
        const int64_t expiration = rrsig_fields(sig.rdata_span()).expiration;
        earliest = std::min(earliest, expiration);
        next_renewal = std::min(next_renewal,
                                signer::next_renewal(reuse.renewal, reuse.now, hash, expiration));
      }
    }
    const std::vector<uint64_t> runs = forecast_renewals(prev, reuse.renewal, reuse.now);
    if (forecast.size() < runs.size()) forecast.resize(runs.size(), 0);
    for (size_t k = 0; k < runs.size(); ++k) forecast[k] += runs[k];
  }

  // The names nodes against the piece of the previous output that holds the same owners.
  bool names(const PreviousZone& prev, std::span<const OwnerNode> nodes) {
    note_expirations(prev);
    const auto sets = prev.sets();
    size_t p = 0;
    // Skips the previous chain records, checking their RRSIGs as the writer would reuse them.
    auto skip_chain = [&]() {
      while (p < sets.size() && is_chain_type(sets[p].type)) {
        if (sets[p].type != rrtype::NSEC || chain != ChainKind::Nsec) return false;
        if (!all_reusable(prev, sets[p], keys.zsks, keys.retired_zsks, reuse)) return false;
        ++chain_sets;
        ++p;
      }
      return true;
    };
    const auto& rrs = store->rrs;
    for (const OwnerNode& n : nodes) {
      const uint32_t end = n.first + n.count;
      for (uint32_t b = n.first; b < end;) {
        uint32_t e = b + 1;
        while (e < end && rrs[e].type == rrs[b].type) ++e;
        if (!skip_chain()) return false;
        if (p == sets.size() || owner_compare(rrs[b].owner, sets[p].owner) != 0 ||
            rrs[b].type != sets[p].type) {
          return false;
        }
        const std::span<const RR> rrset{rrs.data() + b, e - b};
        if (!prev.same_data(sets[p], rrset)) return false;
        if (signed_at(n, rrs[b].type)) {
          const bool key_type =
              (n.flags & kApex) && (rrs[b].type == rrtype::DNSKEY || rrs[b].type == rrtype::CDS ||
                                    rrs[b].type == rrtype::CDNSKEY);
          const auto& signers = key_type ? keys.key_set_signers(rrs[b].type) : keys.zsks;
          const std::span<const KeyId> retired =
              key_type ? std::span<const KeyId>() : std::span<const KeyId>(keys.retired_zsks);
          if (!all_reusable(prev, sets[p], signers, retired, reuse)) return false;
          if (key_type && !same_kept_sigs(prev, sets[p], keys.kept_key_rrsigs)) return false;
          // A key that no longer signs a key RRset (e.g. --dnskey-signers back to ksk) changes
          // it.
          if (key_type && keys.kept_key_rrsigs.empty() &&
              prev.sigs_of(sets[p]).size() != signers.size()) {
            return false;
          }
        }
        ++p;
        b = e;
      }
    }
    return skip_chain() && p == sets.size();
  }

  // A piece of the previous NSEC3 records: each must be reusable as the writer would reuse it.
  bool nsec3(const PreviousZone& prev) {
    note_expirations(prev);
    for (const PrevRRset& set : prev.sets()) {
      if (set.type != rrtype::NSEC3 || chain != ChainKind::Nsec3) return false;
      if (!all_reusable(prev, set, keys.zsks, keys.retired_zsks, reuse)) return false;
      // Opt-out is only in the NSEC3 records' flags (RFC 5155 s3.1.2), not in NSEC3PARAM.
      if (!opt_out) opt_out = set.count > 0 && prev.nsec3_opt_out(set);
      ++chain_sets;
    }
    return true;
  }
};

}  // namespace

struct UnchangedScan::State {
  std::string path;
  Name origin;
  std::unique_ptr<PreviousReader> names;
  UnchangedCheck check;
  bool opt_out_wanted = false;
  bool going = true;  // no difference found so far
  Unchanged result;
};

UnchangedScan::UnchangedScan(const std::string& prev_path, NameView origin, const KeyPlan& keys,
                             const ReusePolicy& reuse, ChainKind chain, bool opt_out)
    : s_(new State{
          prev_path,
          Name(origin),
          PreviousReader::open(prev_path, origin, PreviousReader::Section::Names),
          UnchangedCheck{nullptr, keys, reuse, chain, 0, INT64_MAX, INT64_MAX, std::nullopt, {}, 0},
          opt_out,
          true,
          {}}) {
  s_->going = s_->names != nullptr;
}

UnchangedScan::~UnchangedScan() = default;

bool UnchangedScan::slice(const ZoneStore& store, const ZoneIndex& index, bool more_follow) {
  State& s = *s_;
  if (!s.going) return false;
  s.check.store = &store;
  std::string text;
  const std::span<const OwnerNode> nodes = index.nodes;
  for (size_t i = 0; i < nodes.size();) {
    const size_t end = std::min<size_t>(i + kNodesPerPiece, nodes.size());
    // The last piece of the last slice takes the rest of the names.
    const NameView last =
        end == nodes.size() && !more_follow ? NameView{} : nodes[end - 1].owner->name();
    text.clear();
    if (!s.names->read(last, SIZE_MAX, text)) {
      s.result.bad = s.names->why();
      return s.going = false;
    }
    const PreviousZone piece = PreviousZone::from_text(text, s.origin.view(), s.path);
    if (piece.broken() || !s.check.names(piece, nodes.subspan(i, end - i))) {
      return s.going = false;
    }
    i = end;
  }
  return true;
}

Unchanged UnchangedScan::finish() {
  State& s = *s_;
  Unchanged result = std::move(s.result);
  if (!s.going) return result;
  const NameView origin = s.origin.view();
  auto nsec3 = PreviousReader::open(s.path, origin, PreviousReader::Section::Nsec3);
  if (!nsec3) return result;
  std::string text;
  UnchangedCheck& check = s.check;
  while (!nsec3->done()) {
    text.clear();
    if (!nsec3->read(NameView{}, kNsec3PieceBytes, text)) {
      result.bad = nsec3->why();
      return result;
    }
    const PreviousZone piece = PreviousZone::from_text(text, origin, s.path);
    if (piece.broken() || !check.nsec3(piece)) return result;
  }
  if (check.chain_sets == 0) return result;
  if (check.chain == ChainKind::Nsec3 && check.opt_out != s.opt_out_wanted) return result;
  result.unchanged = true;
  result.earliest_expiration = check.earliest;
  result.next_renewal = check.next_renewal;
  result.rrsets = check.rrsets;
  result.forecast = std::move(check.forecast);
  result.forecast.resize(signer::forecast_runs(check.reuse.renewal), 0);
  return result;
}

Unchanged nothing_to_do(const ZoneStore& store, const ZoneIndex& index,
                        const std::string& prev_path, const KeyPlan& keys, const ReusePolicy& reuse,
                        ChainKind chain, bool opt_out) {
  UnchangedScan scan(prev_path, store.origin.view(), keys, reuse, chain, opt_out);
  scan.slice(store, index, /*more_follow=*/false);
  return scan.finish();
}

}  // namespace zk::pipeline::detail
