// Internal: the per-owner checks shared by verify_zone and ChunkVerifier.
#pragma once

#include <bitset>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/verify.hpp"
#include "signer/signer.hpp"

namespace zk::pipeline::detail {

/// One apex DNSKEY, parsed once.
struct VerifyKey {
  signer::Key key;     // public only
  uint16_t tag = 0;
  uint16_t flags = 0;
  uint8_t alg = 0;
  bool usable = false;    // zone bit, protocol 3, not revoked, algorithm we can verify
  bool ds_match = false;  // matches one of the DS records given
};

enum class Chain { None, Nsec, Nsec3 };

struct Nsec3Params {
  uint8_t alg = 1;
  uint16_t iterations = 0;
  std::vector<uint8_t> salt;
  bool present = false;  // an NSEC3PARAM (or the sign options) gave them
};

/// Read-only state shared by all threads.
struct VerifyEnv {
  const ZoneStore* store = nullptr;
  const ZoneIndex* index = nullptr;
  NameView origin;
  std::vector<VerifyKey> keys;
  std::bitset<256> required_algs;  // every RRset needs a valid RRSIG of each
  bool have_ds = false;
  int64_t now = 0;
  bool crypto = true;
  Chain chain = Chain::None;
  Nsec3Params nsec3;
};

/// Per-thread scratch.
struct VerifyScratch {
  signer::SignContext ctx;
  std::vector<uint16_t> types;
  std::vector<uint8_t> bitmap;
  std::vector<RR> sorted;
  // RDATA of RRSIGs reused from the previous output: not verified cryptographically again.
  std::span<const uint8_t* const> reused;
};

/// Counters and problems of one chunk.
struct ChunkResult {
  std::vector<VerifyProblem> problems;
  VerifySummary summary;
};

/// Appends a problem "owner TYPE: text".
void add_problem(ChunkResult& out, VerifyCheck check, bool warning, NameView owner,
                 uint16_t type, const std::string& text);

/// Builds env.keys / required_algs from the apex DNSKEY RRset of the store and reports key
/// problems (no DNSKEY, unsupported algorithms, DS with no matching key).
void load_zone_keys(VerifyEnv& env, const std::vector<std::vector<uint8_t>>& ds,
                    ChunkResult& out);

/// One owner: name, flags from the index, its records sorted by (type, rdata).
struct NodeRecords {
  NameView name;
  uint16_t flags = 0;
  std::span<const RR> rrs;
  bool nsec3_owner = false;  // a hashed NSEC3 owner, not a name of the zone's data
};

/// The RRSIG checks of one owner: every RRset signed as required, no signatures where
/// none belong, every RRSIG well-formed and (with env.crypto) cryptographically valid.
/// For the apex DNSKEY RRset, also the DS requirement.
void check_signatures(const VerifyEnv& env, VerifyScratch& s, const NodeRecords& node,
                      ChunkResult& out);

/// Type bitmap in wire form (RFC 4034 s4.1.2) of the types at the node as the NSEC or NSEC3
/// of this node must list them, into s.bitmap.
void expected_bitmap(const NodeRecords& node, bool nsec, VerifyScratch& s);

/// NSEC checks of one owner in an NSEC zone. next: the owner the NSEC must point to (len 0
/// when the node must have no NSEC).
void check_nsec(const VerifyEnv& env, VerifyScratch& s, const NodeRecords& node, NameView next,
                ChunkResult& out);

/// True when the node needs an NSEC (authoritative name with data, delegations included).
inline bool needs_nsec(const OwnerNode& n) { return n.count > 0 && (n.flags & (kOccluded | kEnt)) == 0; }

/// True when the node needs an NSEC3; optional when opt-out may leave it out (insecure
/// delegation, RFC 5155 s6).
inline bool needs_nsec3(const OwnerNode& n, bool* optional) {
  *optional = (n.flags & kDelegation) && !(n.flags & kHasDs);
  return (n.flags & kOccluded) == 0;
}

/// Decodes a 32-character base32hex label into a SHA-1 hash; false when it is not one.
bool decode_hash_label(NameView owner, Nsec3Hash& out);

/// NSEC3 RDATA fields.
struct Nsec3Fields {
  uint8_t alg, flags;
  uint16_t iterations;
  std::span<const uint8_t> salt, next, bitmap;
  bool ok = false;
};
Nsec3Fields nsec3_fields(std::span<const uint8_t> rdata);

std::string owner_text(NameView name);

}  // namespace zk::pipeline::detail
