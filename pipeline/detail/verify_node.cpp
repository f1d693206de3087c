// Verification of one name: its RRSIGs and its NSEC (shared by verify_zone and the sign
// pass's ChunkVerifier).
#include <algorithm>
#include <cstring>

#include "pipeline/detail/verify_core.hpp"

namespace zk::pipeline::detail {

namespace {

// RFC 1982 / RFC 4034 s3.1.5: times are 32-bit serial numbers; compare as such.
bool serial_le(uint32_t a, uint32_t b) { return static_cast<int32_t>(b - a) >= 0; }

std::string alg_text(uint8_t alg) {
  return signer::algorithm_name(alg) + " (" + std::to_string(alg) + ")";
}

std::string time_text(uint32_t t) {
  char buf[32];
  const time_t tt = static_cast<time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return buf;
}

void encode_bitmap(std::vector<uint16_t>& types, std::vector<uint8_t>& out) {
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  out.clear();
  size_t i = 0;
  while (i < types.size()) {
    const unsigned window = types[i] >> 8;
    uint8_t bits[32] = {};
    unsigned len = 0;
    for (; i < types.size() && (types[i] >> 8) == window; ++i) {
      const unsigned b = types[i] & 0xff;
      bits[b / 8] |= static_cast<uint8_t>(0x80 >> (b % 8));
      len = b / 8 + 1;
    }
    out.push_back(static_cast<uint8_t>(window));
    out.push_back(static_cast<uint8_t>(len));
    out.insert(out.end(), bits, bits + len);
  }
}

// A signature is expected over the RRset of this type at this node (RFC 4035 s2.2: NS at a cut
// and glue are not signed; DS and NSEC at a cut are).
bool must_sign(const NodeRecords& n, uint16_t type) {
  if (type == rrtype::RRSIG) return false;
  if (n.flags & (kOccluded | kEnt)) return false;
  if (n.flags & kDelegation) return type == rrtype::DS || type == rrtype::NSEC;
  return true;
}

}  // namespace

std::string owner_text(NameView name) { return name_to_string(name); }

std::string bitmap_text(std::span<const uint8_t> wire) {
  std::string out;
  size_t i = 0;
  while (i + 2 <= wire.size()) {
    const unsigned window = wire[i], len = wire[i + 1];
    if (i + 2 + len > wire.size()) return out + " <malformed>";
    for (unsigned b = 0; b < len * 8; ++b) {
      if (!(wire[i + 2 + b / 8] & (0x80 >> (b % 8)))) continue;
      if (!out.empty()) out += ' ';
      out += type_to_string(static_cast<uint16_t>(window * 256 + b));
    }
    i += 2 + len;
  }
  if (i != wire.size()) out += " <malformed>";
  return out.empty() ? "(none)" : out;
}

void add_problem(ChunkResult& out, VerifyCheck check, bool warning, NameView owner, uint16_t type,
                 const std::string& text) {
  if (warning) {
    ++out.summary.warnings;
  } else {
    ++out.summary.errors;
  }
  std::string detail = owner_text(owner);
  detail += ' ';
  type_to_text(type, detail);
  detail += ": ";
  detail += text;
  out.problems.push_back({check, warning, make_error(Errc::VerifyFailed, std::move(detail))});
}

void load_zone_keys(VerifyEnv& env, const std::vector<std::vector<uint8_t>>& ds,
                    const std::vector<std::vector<uint8_t>>& unpublished, ChunkResult& out) {
  const ZoneIndex& index = *env.index;
  env.have_ds = !ds.empty();
  if (index.apex == UINT32_MAX) {
    add_problem(out, VerifyCheck::NoDnskey, false, env.origin, rrtype::SOA, "no apex");
    return;
  }
  const OwnerNode& apex = index.nodes[index.apex];
  const auto& rrs = env.store->rrs;
  for (uint32_t k = apex.first; k < apex.first + apex.count; ++k) {
    if (rrs[k].type != rrtype::DNSKEY || rrs[k].rdlen < 4) continue;
    const DnskeyFields f = dnskey_fields(rrs[k].rdata_span());
    VerifyKey vk;
    vk.tag = key_tag(rrs[k].rdata_span());
    vk.flags = f.flags;
    vk.alg = f.algorithm;
    const bool zone_key =
        (f.flags & signer::kFlagZone) && f.protocol == 3 && !(f.flags & signer::kFlagRevoke);
    if (zone_key && !signer::algorithm_can_verify(f.algorithm)) {
      add_problem(out, VerifyCheck::UnsupportedAlgorithm, true, env.origin, rrtype::DNSKEY,
                  "key " + std::to_string(vk.tag) + " uses algorithm " + alg_text(f.algorithm) +
                      ", which zonekiln cannot verify; its signatures are not checked");
    } else if (zone_key) {
      auto key = signer::key_from_dnskey(rrs[k].rdata_span());
      if (key) {
        vk.key = std::move(*key);
        vk.usable = true;
        env.required_algs.set(f.algorithm);
      } else {
        add_problem(out, VerifyCheck::NoDnskey, false, env.origin, rrtype::DNSKEY,
                    "key " + std::to_string(vk.tag) + " is unusable: " + key.error().detail);
      }
    }
    for (const auto& d : ds) {
      if (d.size() < 5 || (d[0] << 8 | d[1]) != vk.tag || d[2] != vk.alg) continue;
      auto mine = signer::ds_rdata(env.origin, rrs[k].rdata_span(), d[3]);
      if (mine && mine->size() == d.size() && std::memcmp(mine->data(), d.data(), d.size()) == 0) {
        vk.ds_match = true;
      }
    }
    env.keys.push_back(std::move(vk));
  }
  for (const auto& rd : unpublished) {
    if (rd.size() < 4) continue;
    const std::span<const uint8_t> span(rd);
    const DnskeyFields f = dnskey_fields(span);
    if (!signer::algorithm_can_verify(f.algorithm)) continue;
    auto key = signer::key_from_dnskey(span);
    if (!key) continue;
    VerifyKey vk;
    vk.tag = key_tag(span);
    vk.flags = f.flags;
    vk.alg = f.algorithm;
    vk.key = std::move(*key);
    vk.usable = true;
    env.keys.push_back(std::move(vk));
  }
  if (env.required_algs.none()) {
    add_problem(out, VerifyCheck::NoDnskey, false, env.origin, rrtype::DNSKEY,
                "no usable zone key in the apex DNSKEY RRset");
  }
}

void init_verify_env(VerifyEnv& env, const ZoneStore& store, const ZoneIndex& index,
                     const VerifyOptions& options, ChunkResult& out) {
  env.store = &store;
  env.index = &index;
  env.origin = store.origin.view();
  env.now = options.now;
  env.crypto = options.crypto;
  load_zone_keys(env, options.ds, options.unpublished_keys, out);
}

namespace {

// What one RRSIG over an RRset came to: not counted (no such key, or one zonekiln cannot use),
// a problem reported for its algorithm, or valid (by a key that matches a DS given with --ds).
enum class SigOutcome { NotCounted, Reported, Valid, ValidByDsKey };

// RFC 4034 s3.1 and RFC 4035 s5.3: signer, key, labels, TTLs, validity window, then the
// signature itself (not again for an RRSIG reused from the previous output).
SigOutcome check_rrsig(const VerifyEnv& env, VerifyScratch& s, const NodeRecords& node,
                       std::span<const RR> rrset, const RR& sig, const RrsigFields& f,
                       ChunkResult& out) {
  const uint16_t type = rrset[0].type;
  ++out.summary.signatures;
  const std::string who = "RRSIG " + std::to_string(f.key_tag) + "/" + alg_text(f.algorithm);
  auto reported = [&](VerifyCheck check, std::string what) {
    add_problem(out, check, false, node.name, type, who + what);
    return SigOutcome::Reported;
  };
  if (!name_equal(f.signer, env.origin)) {
    return reported(VerifyCheck::BadSigner,
                    ": signer name " + owner_text(f.signer) + " is not the apex");
  }
  bool known = false;
  for (const VerifyKey& k : env.keys) known |= k.tag == f.key_tag && k.alg == f.algorithm;
  if (!known) {
    add_problem(out, VerifyCheck::UnknownKey, true, node.name, type,
                who + ": no such key in the DNSKEY RRset");
    return SigOutcome::NotCounted;
  }
  const unsigned want_labels = node.name.label_count() - (node.name.is_wildcard() ? 1 : 0);
  if (f.labels != want_labels) {
    return reported(VerifyCheck::BadLabels, ": labels field " + std::to_string(f.labels) +
                                                ", expected " + std::to_string(want_labels) +
                                                " (RFC 4034 s3.1.3)");
  }
  if (f.original_ttl != rrset[0].ttl) {
    return reported(VerifyCheck::BadOriginalTtl,
                    ": original TTL " + std::to_string(f.original_ttl) +
                        " differs from the RRset TTL " + std::to_string(rrset[0].ttl));
  }
  if (sig.ttl != rrset[0].ttl) {
    add_problem(out, VerifyCheck::BadRrsigTtl, false, node.name, type,
                who + ": RRSIG TTL " + std::to_string(sig.ttl) + " differs from the RRset TTL " +
                    std::to_string(rrset[0].ttl) + " (RFC 4034 s3)");
  }
  const uint32_t now = static_cast<uint32_t>(env.now);
  if (!serial_le(now, f.expiration)) {
    return reported(VerifyCheck::Expired, ": expired " + time_text(f.expiration));
  }
  if (!serial_le(f.inception, now)) {
    return reported(VerifyCheck::NotYetValid, ": not valid before " + time_text(f.inception));
  }
  const bool reused = std::find(s.reused.begin(), s.reused.end(), sig.rdata) != s.reused.end();
  bool tried = false;
  for (const VerifyKey& k : env.keys) {
    if (k.tag != f.key_tag || k.alg != f.algorithm || !k.usable) continue;
    tried = true;
    bool ok = true;
    if (env.crypto && !reused) {
      auto r = s.ctx.verify(k.key, rrset, sig.rdata_span());
      ok = r && *r;
    }
    if (!ok) continue;
    if (env.crypto) ++out.summary.signatures_verified;
    return k.ds_match ? SigOutcome::ValidByDsKey : SigOutcome::Valid;
  }
  // A revoked, non-zone or unsupported key: not counted, not an error.
  if (!tried) return SigOutcome::NotCounted;
  return reported(VerifyCheck::BadSignature, ": signature does not verify");
}

// RRSIGs covering a type absent here are stale or misplaced.
void check_stale_rrsigs(const NodeRecords& node, std::span<const RR> sigs, ChunkResult& out) {
  const auto rrs = node.rrs;
  for (const RR& sig : sigs) {
    const uint16_t covered = rrsig_fields(sig.rdata_span()).type_covered;
    const bool present = std::any_of(rrs.begin(), rrs.end(), [&](const RR& r) {
      return r.type == covered && covered != rrtype::RRSIG;
    });
    if (!present) {
      add_problem(out, VerifyCheck::BadSignature, false, node.name, covered,
                  "RRSIG covers a type that has no RRset here");
    }
  }
}

// One RRset's RRSIGs (sigs: the node's): each checked, then every algorithm of the DNSKEY RRset
// must have a valid one (RFC 4035 s2.2), and the apex DNSKEY RRset one by a key with a DS.
void check_rrset_signatures(const VerifyEnv& env, VerifyScratch& s, const NodeRecords& node,
                            std::span<const RR> rrset, std::span<const RR> sigs, ChunkResult& out) {
  const uint16_t type = rrset[0].type;
  const bool want = must_sign(node, type);
  std::bitset<256> valid, reported;
  bool ds_signed = false;
  for (const RR& sig : sigs) {
    const RrsigFields f = rrsig_fields(sig.rdata_span());
    if (f.type_covered != type) continue;
    if (!want) {
      const char* what =
          (node.flags & kDelegation) ? "at a delegation (zone cut)" : "at a glue/occluded name";
      add_problem(out, VerifyCheck::SignedNonAuthoritative, false, node.name, type,
                  std::string("RRSIG over data that is not authoritative ") + what +
                      " (RFC 4035 s2.2), key " + std::to_string(f.key_tag));
      continue;
    }
    switch (check_rrsig(env, s, node, rrset, sig, f, out)) {
      case SigOutcome::NotCounted:
        break;
      case SigOutcome::Reported:
        reported.set(f.algorithm);
        break;
      case SigOutcome::ValidByDsKey:
        ds_signed = true;
        valid.set(f.algorithm);
        break;
      case SigOutcome::Valid:
        valid.set(f.algorithm);
        break;
    }
  }
  if (!want) return;
  for (unsigned a = 0; a < 256; ++a) {
    if (!env.required_algs.test(a) || valid.test(a) || reported.test(a)) continue;
    add_problem(
        out, VerifyCheck::MissingSignature, false, node.name, type,
        "no valid RRSIG of algorithm " + alg_text(static_cast<uint8_t>(a)) + " (RFC 4035 s2.2)");
  }
  if ((node.flags & kApex) && type == rrtype::DNSKEY && env.have_ds && !ds_signed) {
    add_problem(out, VerifyCheck::DsMismatch, false, node.name, type,
                "not signed by any key that matches a DS record given with --ds");
  }
}

}  // namespace

void check_signatures(const VerifyEnv& env, VerifyScratch& s, const NodeRecords& node,
                      ChunkResult& out) {
  const auto rrs = node.rrs;
  // The RRSIGs of the node: one contiguous run, as records are sorted by type.
  size_t sig_b = 0, sig_e = 0;
  for (size_t k = 0; k < rrs.size(); ++k) {
    if (rrs[k].type != rrtype::RRSIG) continue;
    if (sig_e == 0) sig_b = k;
    sig_e = k + 1;
  }
  const std::span<const RR> sigs = rrs.subspan(sig_b, sig_e - sig_b);
  check_stale_rrsigs(node, sigs, out);
  for (size_t b = 0; b < rrs.size();) {
    size_t e = b + 1;
    while (e < rrs.size() && rrs[e].type == rrs[b].type) ++e;
    const std::span<const RR> rrset = rrs.subspan(b, e - b);
    b = e;
    if (rrset[0].type == rrtype::RRSIG) continue;
    ++out.summary.rrsets;
    check_rrset_signatures(env, s, node, rrset, sigs, out);
  }
}

void expected_bitmap(const NodeRecords& node, bool nsec, VerifyScratch& s) {
  auto& types = s.types;
  types.clear();
  const bool cut = (node.flags & kDelegation) != 0;
  bool has_ds = false, has_data = false;
  for (const RR& r : node.rrs) {
    if (r.type == rrtype::RRSIG || r.type == rrtype::NSEC) continue;
    // RFC 4035 s2.3 / RFC 5155 s7.1: at a cut only NS and DS belong to this zone.
    if (cut && r.type != rrtype::NS && r.type != rrtype::DS) continue;
    has_ds |= r.type == rrtype::DS;
    has_data = true;
    types.push_back(r.type);
  }
  if (nsec) {
    types.push_back(rrtype::NSEC);
    types.push_back(rrtype::RRSIG);
  } else if (has_data && (!cut || has_ds)) {
    types.push_back(rrtype::RRSIG);  // something here is signed
  }
  encode_bitmap(types, s.bitmap);
}

void check_nsec(const VerifyEnv& env, VerifyScratch& s, const NodeRecords& node, NameView next,
                ChunkResult& out) {
  const RR* nsec = nullptr;
  unsigned count = 0;
  for (const RR& r : node.rrs) {
    if (r.type != rrtype::NSEC) continue;
    if (!nsec) nsec = &r;
    ++count;
  }
  if (next.len == 0) {
    if (nsec) {
      add_problem(out, VerifyCheck::ExtraNsec, false, node.name, rrtype::NSEC,
                  "NSEC at a glue/occluded name (RFC 4035 s2.3)");
    }
    return;
  }
  if (!nsec) {
    add_problem(out, VerifyCheck::MissingNsec, false, node.name, rrtype::NSEC,
                "no NSEC record (RFC 4035 s2.3)");
    return;
  }
  ++out.summary.nsec;
  if (count > 1) {
    add_problem(out, VerifyCheck::BadNsecNext, false, node.name, rrtype::NSEC,
                "more than one NSEC record");
  }
  uint16_t nlen = 0;
  const auto rd = nsec->rdata_span();
  if (!wire_name_length(rd.data(), rd.size(), &nlen)) {
    add_problem(out, VerifyCheck::BadNsecNext, false, node.name, rrtype::NSEC, "malformed NSEC");
    return;
  }
  const NameView got{rd.data(), nlen};
  if (!name_equal(got, next)) {
    add_problem(out, VerifyCheck::BadNsecNext, false, node.name, rrtype::NSEC,
                "next owner is " + owner_text(got) + ", expected " + owner_text(next) +
                    " (chain out of order, incomplete or not closed)");
  }
  expected_bitmap(node, true, s);
  const auto have = rd.subspan(nlen);
  if (have.size() != s.bitmap.size() ||
      (!have.empty() && std::memcmp(have.data(), s.bitmap.data(), have.size()) != 0)) {
    add_problem(
        out, VerifyCheck::BadBitmap, false, node.name, rrtype::NSEC,
        "type bitmap lists " + bitmap_text(have) + ", types present: " + bitmap_text(s.bitmap));
  }
}

void check_name(const VerifyEnv& env, VerifyScratch& s, const NodeRecords& node, NameView next,
                ChunkResult& out) {
  if (node.rrs.empty()) return;
  check_signatures(env, s, node, out);
  if (env.chain == Chain::Nsec) check_nsec(env, s, node, next, out);
}

}  // namespace zk::pipeline::detail
