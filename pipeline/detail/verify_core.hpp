// Internal: the checks shared by verify_zone and ChunkVerifier. Both call the same functions
// for a name's records (check_name) and for an NSEC3 RR (check_nsec3_signatures,
// check_nsec3_link), and the same rules for which names need an NSEC3 (nsec3_need) and how the
// records at an owner divide between a name and a hashed owner (split_roles), so that what
// `sign` accepted in its pass `verify` accepts from the file.
#pragma once

#if !defined(ZK_INSIDE_PIPELINE) && !defined(ZK_WHITE_BOX)
#error "pipeline/detail/ is private to pipeline/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <bitset>
#include <cstdint>
#include <optional>
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
  signer::Key key;  // public only
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
  bool present = false;  // an NSEC3PARAM gave them
  /// The opt-out flag every NSEC3 must carry (the sign pass knows it); unset: any (verify).
  std::optional<bool> opt_out;
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
  /// A slice of an NSEC zone (a spilled verify): the name the NSEC of the slice's last chain
  /// member must point to (the next slice's first name, the apex after the last). Empty: the
  /// store is the whole zone and the chain closes on its apex.
  NameView nsec_wrap;
};

/// Per-thread scratch.
struct VerifyScratch {
  signer::SignContext ctx;
  std::vector<uint16_t> types;
  std::vector<uint8_t> bitmap;
  std::vector<RR> sorted;
  std::vector<RR> name_buf, nsec3_buf;  // split_roles copies here when an owner has both
  // RDATA of RRSIGs reused from the previous output: not verified cryptographically again.
  std::span<const uint8_t* const> reused;
};

/// Counters and problems of one chunk.
struct ChunkResult {
  std::vector<VerifyProblem> problems;
  VerifySummary summary;
};

/// verify_zone's checks of one slice of an NSEC zone (a spilled verify): base holds the apex's
/// keys (init_verify_env on the apex) and chain Nsec, and nsec_wrap; store and index hold the
/// slice. Its problems (in node order, at most max_problems kept) and counts go to total.
void verify_slice(VerifyEnv base, const ZoneStore& store, const ZoneIndex& index,
                  size_t max_problems, ChunkResult& total);

/// Appends a problem "owner TYPE: text".
void add_problem(ChunkResult& out, VerifyCheck check, bool warning, NameView owner, uint16_t type,
                 const std::string& text);

/// Builds env.keys / required_algs from the apex DNSKEY RRset of the store and reports key
/// problems (no DNSKEY, unsupported algorithms, DS with no matching key). unpublished: DNSKEY
/// RDATA of signers outside the RRset (VerifyOptions::unpublished_keys), added as usable keys
/// whose algorithms are not required.
void load_zone_keys(VerifyEnv& env, const std::vector<std::vector<uint8_t>>& ds,
                    const std::vector<std::vector<uint8_t>>& unpublished, ChunkResult& out);

/// The one setup of a verification (verify_zone and the sign pass's ChunkVerifier): store,
/// index, origin, options' time and crypto switch, and the keys (load_zone_keys with options'
/// DS and unpublished keys; their problems go to out). The chain is left for the caller.
void init_verify_env(VerifyEnv& env, const ZoneStore& store, const ZoneIndex& index,
                     const VerifyOptions& options, ChunkResult& out);

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

/// The records at one owner name divided by role (RFC 5155 s3, s7.1): the NSEC3 RRset and the
/// RRSIGs covering it belong to the hashed owner; everything else to the name of the zone's
/// data. One owner can be both: a name that looks like a hash label and equals the hash of
/// another name (RFC 5155 Appendix A: 2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. holds an A
/// RRset and is the NSEC3 owner for ns1.example.).
struct OwnerRoles {
  std::span<const RR> name;
  std::span<const RR> nsec3;
};

/// True when name can be an NSEC3 owner of the zone: one label directly below the apex.
inline bool nsec3_owner_position(NameView name, NameView origin) {
  return name.label_count() == origin.label_count() + 1;
}

/// Splits rrs (one owner, sorted by (type, rdata)) into its roles. When only one role is
/// present the spans point into rrs; when both are, into name_buf / nsec3_buf (valid until
/// those are next changed).
OwnerRoles split_roles(std::span<const RR> rrs, std::vector<RR>& name_buf,
                       std::vector<RR>& nsec3_buf);

/// One name of the zone: its RRSIGs (check_signatures) and, in an NSEC zone, its NSEC (next:
/// the owner the NSEC must point to; len 0 when the name must have none). node.rrs is the
/// name's role only (no NSEC3, no RRSIG over NSEC3).
void check_name(const VerifyEnv& env, VerifyScratch& s, const NodeRecords& node, NameView next,
                ChunkResult& out);

/// The signatures of the NSEC3 RRset at a hashed owner (role: its NSEC3 RRs and their RRSIGs).
void check_nsec3_signatures(const VerifyEnv& env, VerifyScratch& s, NameView owner,
                            std::span<const RR> role, ChunkResult& out);

/// What one NSEC3 RR is checked against.
struct Nsec3Link {
  const NodeRecords* name = nullptr;  // the name it is for (its name role); null: none known
  Nsec3Hash owner_hash{};             // the hash its owner label must be
  Nsec3Hash next{};                   // the next hashed owner it must carry
  bool last = false;                  // the last of the chain: next wraps to the first hash
  bool check_next = true;             // false: next not known yet (a spilled sign's slice)
};

/// One NSEC3 RR against its place in the chain: fields and parameters (env.nsec3), owner =
/// link.owner_hash below the apex, next hashed owner = link.next, hash order (only the last
/// wraps), and the type bitmap = the types of link.name (RFC 5155 s3.1.8).
void check_nsec3_link(const VerifyEnv& env, VerifyScratch& s, const RR& nsec3,
                      const Nsec3Link& link, ChunkResult& out);

/// Reads the apex NSEC3PARAM into env.nsec3 (present = true) and reports a malformed one, a
/// hash algorithm other than SHA-1 or non-zero flags. Returns false when there is none.
bool read_nsec3param(VerifyEnv& env, ChunkResult& out);

/// Whether a name needs an NSEC3 (RFC 5155 s7.1).
enum class Nsec3Need : uint8_t {
  None,  // glue or occluded data: no NSEC3
  Required,
  Delegation,  // insecure delegation: may be left to an opt-out span (RFC 5155 s6)
  Ent,         // ENT: may be left out only if it exists only because of insecure delegations
               // that are themselves covered by opt-out (ent_only_opted_out)
};
Nsec3Need nsec3_need(const OwnerNode& n);

/// For the ENT at index node i: true when every name below it that needs an NSEC3 is an
/// insecure delegation without an NSEC3 of its own (has_nsec3: per index node, null = none
/// has one). An ENT above a secure delegation, data, or an insecure delegation that has its
/// own NSEC3 must have its NSEC3 (RFC 5155 s7.1; kzonecheck: "missing NSEC(3) record").
bool ent_only_opted_out(const ZoneIndex& index, uint32_t i, const std::vector<uint8_t>* has_nsec3);

/// True when the node needs an NSEC (authoritative name with data, delegations included).
inline bool needs_nsec(const OwnerNode& n) {
  return n.count > 0 && (n.flags & (kOccluded | kEnt)) == 0;
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

/// The types a wire bitmap lists, as text ("A NS RRSIG").
std::string bitmap_text(std::span<const uint8_t> wire);

}  // namespace zk::pipeline::detail
