// The NSEC3 checks shared by verify_zone and the sign pass's ChunkVerifier: which records at an
// owner are the hashed owner's, which names need an NSEC3, and one NSEC3 RR against its place
// in the chain (RFC 5155 s3, s7.1).
#include <algorithm>
#include <cstring>

#include "pipeline/detail/verify_core.hpp"

namespace zk::pipeline::detail {

namespace {

bool in_nsec3_role(const RR& r) {
  if (r.type == rrtype::NSEC3) return true;
  return r.type == rrtype::RRSIG && rrsig_fields(r.rdata_span()).type_covered == rrtype::NSEC3;
}

std::string hash_text(const Nsec3Hash& h) { return base32hex(h.data(), h.size()); }

}  // namespace

OwnerRoles split_roles(std::span<const RR> rrs, std::vector<RR>& name_buf,
                       std::vector<RR>& nsec3_buf) {
  size_t in_nsec3 = 0;
  for (const RR& r : rrs) in_nsec3 += in_nsec3_role(r) ? 1 : 0;
  if (in_nsec3 == 0) return {rrs, {}};
  if (in_nsec3 == rrs.size()) return {{}, rrs};
  name_buf.clear();
  nsec3_buf.clear();
  for (const RR& r : rrs) (in_nsec3_role(r) ? nsec3_buf : name_buf).push_back(r);
  return {name_buf, nsec3_buf};
}

void check_nsec3_signatures(const VerifyEnv& env, VerifyScratch& s, NameView owner,
                            std::span<const RR> role, ChunkResult& out) {
  check_signatures(env, s, {owner, 0, role, true}, out);
}

void check_nsec3_link(const VerifyEnv& env, VerifyScratch& s, const RR& nsec3,
                      const Nsec3Link& link, ChunkResult& out) {
  const NameView owner = nsec3.owner->name();
  const Nsec3Fields f = nsec3_fields(nsec3.rdata_span());
  Nsec3Hash own{};
  if (!f.ok || f.next.size() != kNsec3HashLen || !decode_hash_label(owner, own) ||
      !name_equal(owner.parent(), env.origin)) {
    add_problem(out, VerifyCheck::BadNsec3Chain, false, owner, rrtype::NSEC3,
                "malformed NSEC3 (owner label or next hashed owner is not a SHA-1 hash below "
                "the apex)");
    return;
  }
  const Nsec3Params& p = env.nsec3;
  if (f.alg != p.alg || f.iterations != p.iterations ||
      !std::equal(f.salt.begin(), f.salt.end(), p.salt.begin(), p.salt.end())) {
    add_problem(out, VerifyCheck::BadNsec3Param, false, owner, rrtype::NSEC3,
                "NSEC3 algorithm, iterations or salt differ from the NSEC3PARAM's");
    return;
  }
  if (p.opt_out && ((f.flags & 1) != 0) != *p.opt_out) {
    add_problem(out, VerifyCheck::BadNsec3Param, false, owner, rrtype::NSEC3,
                std::string("opt-out flag ") + ((f.flags & 1) ? "set" : "clear") +
                    ", the zone is signed " + (*p.opt_out ? "with" : "without") + " opt-out");
  }
  if (own != link.owner_hash) {
    const std::string what = link.name ? " for " + owner_text(link.name->name) : std::string();
    add_problem(out, VerifyCheck::MissingNsec3, false, owner, rrtype::NSEC3,
                "the NSEC3" + what + " is not at its hash " + hash_text(link.owner_hash));
  }
  const int order = std::memcmp(f.next.data(), own.data(), kNsec3HashLen);
  if (!link.check_next) {
    // The next hashed owner is filled in later, once the chain is sorted (a spilled sign).
  } else if (std::memcmp(f.next.data(), link.next.data(), kNsec3HashLen) != 0) {
    add_problem(out, VerifyCheck::BadNsec3Chain, false, owner, rrtype::NSEC3,
                "next hashed owner is " + base32hex(f.next.data(), f.next.size()) + ", expected " +
                    hash_text(link.next) +
                    (link.last ? " (the chain must close on the first hash)"
                               : " (chain broken or unsorted)"));
  } else if (link.last ? order > 0 : order <= 0) {
    add_problem(out, VerifyCheck::BadNsec3Chain, false, owner, rrtype::NSEC3,
                link.last ? "the last NSEC3 does not wrap to the start of the chain"
                          : "next hashed owner is not above this owner (unsorted)");
  }
  if (link.name == nullptr) return;
  expected_bitmap(*link.name, false, s);
  // Both may be empty (data() then may be null, which memcmp must not see).
  if (f.bitmap.size() != s.bitmap.size() ||
      (!s.bitmap.empty() && std::memcmp(f.bitmap.data(), s.bitmap.data(), s.bitmap.size()) != 0)) {
    add_problem(out, VerifyCheck::BadBitmap, false, owner, rrtype::NSEC3,
                "type bitmap lists " + bitmap_text(f.bitmap) + ", types at " +
                    owner_text(link.name->name) + ": " + bitmap_text(s.bitmap));
  }
}

bool read_nsec3param(VerifyEnv& env, ChunkResult& out) {
  const ZoneIndex& index = *env.index;
  if (index.apex == UINT32_MAX) return false;
  const OwnerNode& apex = index.nodes[index.apex];
  bool param = false;
  for (uint32_t k = apex.first; k < apex.first + apex.count; ++k) {
    const RR& r = env.store->rrs[k];
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
  return param;
}

Nsec3Need nsec3_need(const OwnerNode& n) {
  if (n.flags & kOccluded) return Nsec3Need::None;
  if (n.flags & kEnt) return Nsec3Need::Ent;
  if ((n.flags & kDelegation) && !(n.flags & kHasDs)) return Nsec3Need::Delegation;
  return Nsec3Need::Required;
}

bool ent_only_opted_out(const ZoneIndex& index, uint32_t i, const std::vector<uint8_t>* has_nsec3) {
  const NameView name = index.nodes[i].owner->name();
  for (size_t j = i + 1; j < index.nodes.size(); ++j) {
    const OwnerNode& n = index.nodes[j];
    if (!is_subdomain(n.owner->name(), name)) break;
    switch (nsec3_need(n)) {
      case Nsec3Need::None:
      case Nsec3Need::Ent:
        continue;
      case Nsec3Need::Delegation:
        if (has_nsec3 != nullptr && (*has_nsec3)[j]) return false;
        continue;
      case Nsec3Need::Required:
        return false;
    }
  }
  return true;
}

bool decode_hash_label(NameView owner, Nsec3Hash& out) {
  if (owner.len < 1 || owner.data[0] != 32) return false;
  uint64_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (unsigned i = 0; i < 32; ++i) {
    const uint8_t c = ascii_lower(owner.data[1 + i]);
    unsigned v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'v') {
      v = c - 'a' + 10;
    } else {
      return false;
    }
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out[n++] = static_cast<uint8_t>(acc >> (bits - 8));
      bits -= 8;
    }
  }
  return n == kNsec3HashLen;
}

Nsec3Fields nsec3_fields(std::span<const uint8_t> rd) {
  Nsec3Fields f{};
  if (rd.size() < 5) return f;
  f.alg = rd[0];
  f.flags = rd[1];
  f.iterations = static_cast<uint16_t>(rd[2] << 8 | rd[3]);
  const size_t salt_len = rd[4];
  if (rd.size() < 5 + salt_len + 1) return f;
  f.salt = rd.subspan(5, salt_len);
  const size_t hash_len = rd[5 + salt_len];
  if (rd.size() < 6 + salt_len + hash_len) return f;
  f.next = rd.subspan(6 + salt_len, hash_len);
  f.bitmap = rd.subspan(6 + salt_len + hash_len);
  f.ok = true;
  return f;
}

}  // namespace zk::pipeline::detail
