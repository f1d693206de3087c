// ChunkVerifier: verify-before-publish, one chunk of the sign pass at a time.
//
// The sign pass never holds the whole signed zone (it streams chunks to the output), so this
// checks each owner's output right after it was made, against the store and index the pass
// reads: the DNSKEY RRset and the NSEC3PARAM come from the store (not from the signer's plan),
// NSEC next owners and NSEC3 hashes are recomputed here, not taken from the writer's chain
// tables. Every check is the one verify_zone makes on the finished file (detail::check_name,
// check_nsec3_signatures, check_nsec3_link, split_roles, nsec3_need): only where the NSEC3 of a
// name is found differs (here the writer says which name it made it for; verify_zone joins by
// hash), so what this pass accepts `zonekiln verify` accepts.
#include <algorithm>
#include <cstring>

#include "pipeline/detail/verify_core.hpp"
#include "pipeline/verify.hpp"

namespace zk::pipeline {

namespace {

// nsec_next of a slice's last chain member: its next owner is Impl::nsec_wrap.
constexpr uint32_t kWrap = UINT32_MAX - 1;

// For each node of index, the next node that needs an NSEC; the last one's is last_next.
std::vector<uint32_t> nsec_chain(const ZoneIndex& index, uint32_t last_next) {
  const uint32_t count = static_cast<uint32_t>(index.nodes.size());
  std::vector<uint32_t> next_of(count, UINT32_MAX);
  uint32_t next = last_next;
  for (uint32_t i = count; i-- > 0;) {
    if (!detail::needs_nsec(index.nodes[i])) continue;
    next_of[i] = next;
    next = i;
  }
  return next_of;
}

}  // namespace

using detail::ChunkResult;
using detail::NodeRecords;

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

struct ChunkVerifier::Scratch {
  detail::VerifyScratch s;
  std::vector<RR> sorted;
  std::vector<RR> name_buf, nsec3_buf;  // split_roles of what was emitted
};

namespace {

// The NSEC3 RR among what the writer emitted for one NSEC3 record, and its role (the NSEC3 and
// the RRSIGs over it); nsec3 null, with the problem in r (reported at `who`), when it made none
// or made other records with it.
struct MadeNsec3 {
  const RR* nsec3 = nullptr;
  std::span<const RR> role;
};

MadeNsec3 made_nsec3(ChunkVerifier::Scratch& scratch, std::span<const RR> emitted, NameView who,
                     ChunkResult& r) {
  sort_records(emitted, scratch.sorted);
  const auto made = detail::split_roles(scratch.sorted, scratch.name_buf, scratch.nsec3_buf);
  const auto nsec3 = std::find_if(made.nsec3.begin(), made.nsec3.end(),
                                  [](const RR& e) { return e.type == rrtype::NSEC3; });
  if (nsec3 == made.nsec3.end() || !made.name.empty()) {
    detail::add_problem(r, VerifyCheck::MissingNsec3, false, who, rrtype::NSEC3,
                        nsec3 == made.nsec3.end() ? "no NSEC3 made for this name"
                                                  : "records other than NSEC3 made as its NSEC3");
    return {};
  }
  return {&*nsec3, made.nsec3};
}

}  // namespace

struct ChunkVerifier::Impl {
  detail::VerifyEnv env;
  std::vector<uint32_t> nsec_next;  // NSEC: next chain member of each node, UINT32_MAX if none
  Name nsec_wrap;                   // a slice's: the next of its last chain member (kWrap)
  bool slice = false;  // for_slice: the whole-zone count is the caller's (nsec3_bounds)
  uint64_t nsec3_min = 0, nsec3_max = 0;  // how many NSEC3 the chain may have
  std::vector<VerifyProblem> key_problems;

  // nsec3_min and nsec3_max of the names in index.
  void count_nsec3(const ZoneIndex& index) {
    const bool opt_out = env.nsec3.opt_out.value_or(false);
    for (uint32_t i = 0; i < index.nodes.size(); ++i) {
      const detail::Nsec3Need need = detail::nsec3_need(index.nodes[i]);
      if (need == detail::Nsec3Need::None) continue;
      ++nsec3_max;
      const bool may_skip =
          opt_out &&
          (need == detail::Nsec3Need::Delegation ||
           (need == detail::Nsec3Need::Ent && detail::ent_only_opted_out(index, i, nullptr)));
      if (!may_skip) ++nsec3_min;
    }
  }
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
  ChunkResult keys;
  detail::init_verify_env(env, store, index, options, keys);
  for (const auto& p : keys.problems) {
    if (!p.warning) return fail(p.error);
  }
  if (chain == ChainKind::Nsec) {
    env.chain = detail::Chain::Nsec;
    impl->nsec_next = nsec_chain(index, index.apex);
  } else {
    env.chain = detail::Chain::Nsec3;
    ChunkResult param;
    const bool found = detail::read_nsec3param(env, param);
    for (const auto& p : param.problems) {
      if (!p.warning) return fail(p.error);
    }
    if (!found || env.nsec3.alg != 1 || env.nsec3.iterations != nsec3.iterations ||
        env.nsec3.salt != nsec3.salt) {
      return fail(Errc::VerifyFailed,
                  "the apex NSEC3PARAM is missing or differs from the NSEC3 parameters to sign "
                  "with");
    }
    env.nsec3.opt_out = nsec3.opt_out;
    impl->count_nsec3(index);
  }
  return std::unique_ptr<ChunkVerifier>(new ChunkVerifier(std::move(impl)));
}

Result<std::unique_ptr<ChunkVerifier>> ChunkVerifier::for_slice(const ZoneStore& store,
                                                                const ZoneIndex& index,
                                                                NameView nsec_wrap) const {
  auto impl = std::make_unique<Impl>();
  impl->env = impl_->env;  // the apex's keys and NSEC3 parameters
  impl->env.store = &store;
  impl->env.index = &index;
  impl->slice = true;
  if (impl->env.chain == detail::Chain::Nsec) {
    impl->nsec_wrap = Name(nsec_wrap);
    impl->nsec_next = nsec_chain(index, kWrap);
  } else {
    impl->count_nsec3(index);
  }
  return std::unique_ptr<ChunkVerifier>(new ChunkVerifier(std::move(impl)));
}

std::pair<uint64_t, uint64_t> ChunkVerifier::nsec3_bounds() const noexcept {
  return {impl_->nsec3_min, impl_->nsec3_max};
}

void ChunkVerifier::check_nsec3_member(Scratch& scratch, uint32_t node, const RR& nsec3,
                                       std::vector<VerifyProblem>& out) const {
  const auto& env = impl_->env;
  const OwnerNode& n = env.index->nodes[node];
  const NameView name = n.owner->name();
  const auto roles = detail::split_roles({env.store->rrs.data() + n.first, n.count},
                                         scratch.s.name_buf, scratch.s.nsec3_buf);
  const NodeRecords nr{name, n.flags, roles.name, false};
  detail::Nsec3Link link;
  link.name = &nr;
  link.owner_hash = nsec3_hash(name, env.nsec3.salt, env.nsec3.iterations);
  link.check_next = false;
  ChunkResult r;
  detail::check_nsec3_link(env, scratch.s, nsec3, link, r);
  move_problems(r, out);
}

void ChunkVerifier::check_nsec3_record(Scratch& scratch, std::span<const RR> emitted,
                                       const Nsec3Hash* next, bool is_last,
                                       std::vector<VerifyProblem>& out,
                                       std::span<const uint8_t* const> reused) const {
  scratch.s.reused = reused;
  const auto& env = impl_->env;
  ChunkResult r;
  const MadeNsec3 made = made_nsec3(scratch, emitted, env.origin, r);
  if (made.nsec3 == nullptr) return move_problems(r, out);
  const RR* nsec3 = made.nsec3;
  detail::check_nsec3_signatures(env, scratch.s, nsec3->owner->name(), made.role, r);
  detail::Nsec3Link link;
  // The owner hash was checked against its name when the record was made (check_nsec3_member);
  // a label that is no hash is reported by check_nsec3_link.
  (void)detail::decode_hash_label(nsec3->owner->name(), link.owner_hash);
  const detail::Nsec3Fields f = detail::nsec3_fields(nsec3->rdata_span());
  if (next != nullptr) {
    link.next = *next;
  } else if (f.ok && f.next.size() == kNsec3HashLen) {
    std::copy(f.next.begin(), f.next.end(), link.next.begin());
  }
  link.last = is_last;
  detail::check_nsec3_link(env, scratch.s, *nsec3, link, r);
  move_problems(r, out);
}

ChunkVerifier::ScratchPtr ChunkVerifier::make_scratch() const {
  return ScratchPtr(new Scratch, [](Scratch* s) { delete s; });
}

void ChunkVerifier::check_node(Scratch& scratch, uint32_t node, std::span<const RR> emitted,
                               std::vector<VerifyProblem>& out,
                               std::span<const uint8_t* const> reused) const {
  scratch.s.reused = reused;
  const auto& env = impl_->env;
  const OwnerNode& n = env.index->nodes[node];
  if (emitted.empty()) return;
  sort_records(emitted, scratch.sorted);
  const auto roles = detail::split_roles(scratch.sorted, scratch.name_buf, scratch.nsec3_buf);
  const NodeRecords nr{n.owner->name(), n.flags, roles.name, false};
  ChunkResult r;
  if (!roles.nsec3.empty()) {
    detail::add_problem(r, VerifyCheck::ExtraNsec3, false, nr.name, rrtype::NSEC3,
                        "NSEC3 records made among the name's own records");
  }
  const uint32_t next = impl_->nsec_next.empty() ? UINT32_MAX : impl_->nsec_next[node];
  const NameView next_name = next == UINT32_MAX ? NameView{}
                             : next == kWrap    ? impl_->nsec_wrap.view()
                                                : env.index->nodes[next].owner->name();
  detail::check_name(env, scratch.s, nr, next_name, r);
  move_problems(r, out);
}

void ChunkVerifier::check_nsec3(Scratch& scratch, uint32_t node, uint32_t next_node, bool is_last,
                                std::span<const RR> emitted, std::vector<VerifyProblem>& out,
                                std::span<const uint8_t* const> reused) const {
  scratch.s.reused = reused;
  const auto& env = impl_->env;
  const ZoneStore& store = *env.store;
  const OwnerNode& n = env.index->nodes[node];
  const NameView name = n.owner->name();
  ChunkResult r;
  const MadeNsec3 made = made_nsec3(scratch, emitted, name, r);
  if (made.nsec3 == nullptr) return move_problems(r, out);
  const RR* nsec3 = made.nsec3;
  detail::check_nsec3_signatures(env, scratch.s, nsec3->owner->name(), made.role, r);
  // The name's own records, as verify_zone divides them at an owner.
  const auto roles = detail::split_roles({store.rrs.data() + n.first, n.count}, scratch.s.name_buf,
                                         scratch.s.nsec3_buf);
  const NodeRecords nr{name, n.flags, roles.name, false};
  detail::Nsec3Link link;
  link.name = &nr;
  link.owner_hash = nsec3_hash(name, env.nsec3.salt, env.nsec3.iterations);
  link.next =
      nsec3_hash(env.index->nodes[next_node].owner->name(), env.nsec3.salt, env.nsec3.iterations);
  link.last = is_last;
  detail::check_nsec3_link(env, scratch.s, *nsec3, link, r);
  move_problems(r, out);
}

void ChunkVerifier::finish(uint64_t nsec3_seen, std::vector<VerifyProblem>& out) const {
  const auto& env = impl_->env;
  if (env.chain != detail::Chain::Nsec3 || impl_->slice) return;
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
