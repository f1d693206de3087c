// ChunkVerifier: verify-before-publish, one chunk of the sign pass at a time.
//
// The sign pass never holds the whole signed zone (it streams chunks to the output), so this
// checks each owner's output right after it was made, against the store and index the pass
// reads: the DNSKEY RRset comes from the store (not from the signer's key plan), NSEC next
// owners and NSEC3 hashes are recomputed here, not taken from the writer's chain tables.
#include <algorithm>
#include <cstring>

#include "pipeline/detail/verify_core.hpp"
#include "pipeline/verify.hpp"

namespace zk::pipeline {

using detail::ChunkResult;
using detail::NodeRecords;

struct ChunkVerifier::Scratch {
  detail::VerifyScratch s;
  std::vector<RR> sorted;
};

struct ChunkVerifier::Impl {
  detail::VerifyEnv env;
  std::vector<uint32_t> nsec_next;  // NSEC: next chain member of each node, UINT32_MAX if none
  bool opt_out = false;
  uint64_t nsec3_min = 0, nsec3_max = 0;  // how many NSEC3 the chain may have
  std::vector<VerifyProblem> key_problems;
};

ChunkVerifier::ChunkVerifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ChunkVerifier::~ChunkVerifier() = default;

Result<std::unique_ptr<ChunkVerifier>> ChunkVerifier::create(const ZoneStore& store,
                                                             const ZoneIndex& index,
                                                             ChainKind chain,
                                                             const Nsec3Options& nsec3,
                                                             const VerifyOptions& options) {
  auto impl = std::make_unique<Impl>();
  auto& env = impl->env;
  env.store = &store;
  env.index = &index;
  env.origin = store.origin.view();
  env.now = options.now;
  env.crypto = options.crypto;
  ChunkResult keys;
  detail::load_zone_keys(env, options.ds, keys);
  for (const auto& p : keys.problems) {
    if (!p.warning) return fail(p.error);
  }
  const uint32_t count = static_cast<uint32_t>(index.nodes.size());
  if (chain == ChainKind::Nsec) {
    env.chain = detail::Chain::Nsec;
    impl->nsec_next.assign(count, UINT32_MAX);
    uint32_t next = index.apex;
    for (uint32_t i = count; i-- > 0;) {
      if (!detail::needs_nsec(index.nodes[i])) continue;
      impl->nsec_next[i] = next;
      next = i;
    }
  } else {
    env.chain = detail::Chain::Nsec3;
    env.nsec3.alg = 1;
    env.nsec3.iterations = nsec3.iterations;
    env.nsec3.salt = nsec3.salt;
    env.nsec3.present = true;
    impl->opt_out = nsec3.opt_out;
    for (uint32_t i = 0; i < count; ++i) {
      bool optional = false;
      if (!detail::needs_nsec3(index.nodes[i], &optional)) continue;
      ++impl->nsec3_max;
      if (!(optional && nsec3.opt_out)) ++impl->nsec3_min;
    }
  }
  return std::unique_ptr<ChunkVerifier>(new ChunkVerifier(std::move(impl)));
}

ChunkVerifier::ScratchPtr ChunkVerifier::make_scratch() const {
  return ScratchPtr(new Scratch, [](Scratch* s) { delete s; });
}

namespace {

void sort_records(std::span<const RR> emitted, std::vector<RR>& out) {
  out.assign(emitted.begin(), emitted.end());
  std::sort(out.begin(), out.end(), [](const RR& a, const RR& b) {
    if (a.type != b.type) return a.type < b.type;
    return rdata_compare(a, b) < 0;
  });
}

void move_problems(ChunkResult& r, std::vector<VerifyProblem>& out) {
  for (auto& p : r.problems) out.push_back(std::move(p));
}

}  // namespace

void ChunkVerifier::check_node(Scratch& scratch, uint32_t node, std::span<const RR> emitted,
                               std::vector<VerifyProblem>& out,
                               std::span<const uint8_t* const> reused) const {
  scratch.s.reused = reused;
  const auto& env = impl_->env;
  const OwnerNode& n = env.index->nodes[node];
  if (emitted.empty()) return;
  sort_records(emitted, scratch.sorted);
  const NodeRecords nr{n.owner->name(), n.flags, scratch.sorted, false};
  ChunkResult r;
  detail::check_signatures(env, scratch.s, nr, r);
  if (env.chain == detail::Chain::Nsec) {
    const uint32_t next = impl_->nsec_next[node];
    detail::check_nsec(env, scratch.s, nr,
                       next == UINT32_MAX ? NameView{} : env.index->nodes[next].owner->name(), r);
  }
  move_problems(r, out);
}

void ChunkVerifier::check_nsec3(Scratch& scratch, uint32_t node, uint32_t next_node,
                                bool is_last, std::span<const RR> emitted,
                                std::vector<VerifyProblem>& out,
                                std::span<const uint8_t* const> reused) const {
  scratch.s.reused = reused;
  const auto& env = impl_->env;
  const ZoneStore& store = *env.store;
  const OwnerNode& n = env.index->nodes[node];
  ChunkResult r;
  const RR* rr = nullptr;
  for (const RR& e : emitted) {
    if (e.type == rrtype::NSEC3) rr = &e;
  }
  const NameView name = n.owner->name();
  if (!rr) {
    detail::add_problem(r, VerifyCheck::MissingNsec3, false, name, rrtype::NSEC3,
                        "no NSEC3 made for this name");
    move_problems(r, out);
    return;
  }
  sort_records(emitted, scratch.sorted);
  const NameView owner = rr->owner->name();
  detail::check_signatures(env, scratch.s, {owner, 0, scratch.sorted, true}, r);

  Nsec3Hash own{};
  const auto f = detail::nsec3_fields(rr->rdata_span());
  const Nsec3Hash want = nsec3_hash(name, env.nsec3.salt, env.nsec3.iterations);
  if (!detail::decode_hash_label(owner, own) || own != want ||
      !name_equal(owner.parent(), env.origin)) {
    detail::add_problem(r, VerifyCheck::MissingNsec3, false, name, rrtype::NSEC3,
                        "the NSEC3 made for this name is not at its hash " +
                            base32hex(want.data(), want.size()));
  }
  if (!f.ok || f.alg != 1 || f.iterations != env.nsec3.iterations ||
      !std::equal(f.salt.begin(), f.salt.end(), env.nsec3.salt.begin(), env.nsec3.salt.end()) ||
      ((f.flags & 1) != 0) != impl_->opt_out || f.next.size() != kNsec3HashLen) {
    detail::add_problem(r, VerifyCheck::BadNsec3Param, false, owner, rrtype::NSEC3,
                        "NSEC3 fields differ from the signing parameters");
  } else {
    // Each next hash is above its owner's, except the last, which wraps to the first.
    const int c = std::memcmp(f.next.data(), own.data(), kNsec3HashLen);
    const NameView next_name = env.index->nodes[next_node].owner->name();
    const Nsec3Hash next = nsec3_hash(next_name, env.nsec3.salt, env.nsec3.iterations);
    if (std::memcmp(f.next.data(), next.data(), kNsec3HashLen) != 0) {
      detail::add_problem(r, VerifyCheck::BadNsec3Chain, false, owner, rrtype::NSEC3,
                          "next hashed owner is not the hash of the next name in the chain, " +
                              detail::owner_text(next_name));
    } else if (is_last ? c > 0 : c <= 0) {
      detail::add_problem(r, VerifyCheck::BadNsec3Chain, false, owner, rrtype::NSEC3,
                          is_last ? "the last NSEC3 does not wrap to the start of the chain"
                                  : "next hashed owner is not above this owner (unsorted)");
    }
    const NodeRecords nr{name, n.flags, {store.rrs.data() + n.first, n.count}, false};
    detail::expected_bitmap(nr, false, scratch.s);
    if (f.bitmap.size() != scratch.s.bitmap.size() ||
        std::memcmp(f.bitmap.data(), scratch.s.bitmap.data(), f.bitmap.size()) != 0) {
      detail::add_problem(r, VerifyCheck::BadBitmap, false, owner, rrtype::NSEC3,
                          "type bitmap does not match the types at " + detail::owner_text(name));
    }
  }
  move_problems(r, out);
}

void ChunkVerifier::finish(uint64_t nsec3_seen, std::vector<VerifyProblem>& out) const {
  const auto& env = impl_->env;
  if (env.chain != detail::Chain::Nsec3) return;
  if (nsec3_seen < impl_->nsec3_min || nsec3_seen > impl_->nsec3_max) {
    ChunkResult r;
    detail::add_problem(r, VerifyCheck::BadNsec3Chain, false, env.origin, rrtype::NSEC3,
                        std::to_string(nsec3_seen) + " NSEC3 records made, expected " +
                            std::to_string(impl_->nsec3_min) + ".." +
                            std::to_string(impl_->nsec3_max));
    move_problems(r, out);
  }
}

}  // namespace zk::pipeline
