// ZONEMD in the sign pass: placeholder before the streaming write, the real record after it.
#include "pipeline/detail/zonemd_sign.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"
#include "emit/emit.hpp"
#include "pipeline/detail/zonemd_stream.hpp"
#include "pipeline/zonemd.hpp"
#include "signer/signer.hpp"

namespace zk::pipeline::detail {

size_t drop_apex_zonemd(ZoneStore& store) {
  const NameView apex = store.origin.view();
  const auto end = std::remove_if(store.rrs.begin(), store.rrs.end(), [&](const RR& rr) {
    return rr.type == rrtype::ZONEMD && name_equal(rr.owner->name(), apex);
  });
  const size_t removed = static_cast<size_t>(store.rrs.end() - end);
  store.rrs.erase(end, store.rrs.end());
  return removed;
}

void add_zonemd_placeholder(ZoneStore& store, const Owner* apex, uint32_t ttl, uint32_t serial,
                            uint8_t hash) {
  const std::vector<uint8_t> zeros(zonemd_digest_len(hash), 0);
  add_zonemd_record(store, apex, ttl, zonemd_rdata(serial, hash, zeros));
}

void add_zonemd_record(ZoneStore& store, const Owner* apex, uint32_t ttl,
                       std::span<const uint8_t> rdata) {
  const uint8_t* stored = store.arena().copy(rdata.data(), rdata.size());
  store.rrs.push_back({apex, stored, ttl, rrtype::ZONEMD, static_cast<uint16_t>(rdata.size())});
}

std::vector<uint8_t> reusable_zonemd(const ZoneStore& previous, uint8_t hash) {
  const RR* found = nullptr;
  for (const RR& rr : previous.rrs) {
    if (!name_equal(rr.owner->name(), previous.origin.view())) break;  // apex first
    if (rr.type != rrtype::ZONEMD) continue;
    if (found != nullptr) return {};
    found = &rr;
  }
  if (found == nullptr || found->rdlen < 6 || found->rdata[4] != zonemd::kSchemeSimple ||
      found->rdata[5] != hash) {
    return {};
  }
  const ZonemdReport r = check_zonemd(previous);
  if (!r.verified || !r.ok()) return {};
  return {found->rdata, found->rdata + found->rdlen};
}

void reset_zonemd_placeholder(ZoneStore& store, uint32_t serial, uint8_t hash) {
  const NameView apex = store.origin.view();
  const std::vector<uint8_t> zeros(zonemd_digest_len(hash), 0);
  const std::vector<uint8_t> rd = zonemd_rdata(serial, hash, zeros);
  for (RR& rr : store.rrs) {
    if (!name_equal(rr.owner->name(), apex)) break;  // the apex is the first owner
    if (rr.type != rrtype::ZONEMD) continue;
    rr.rdata = store.arena().copy(rd.data(), rd.size());
    rr.rdlen = static_cast<uint16_t>(rd.size());
  }
}

Result<void> finalize_zonemd(emit::OutputFile& out, const WriteStats& written, NameView origin,
                             const KeyPlan& keys, uint16_t rclass, uint32_t ttl, uint32_t serial,
                             uint8_t hash) {
  const auto& lines = written.zonemd_lines;
  if (lines.empty() || !lines.front().rrsig.empty() ||
      written.zonemd_digest.size() != zonemd_digest_len(hash)) {
    return fail(Errc::Internal, "the ZONEMD placeholder was not written at the apex");
  }
  Arena arena(4096);
  const Owner* apex = make_owner(arena, origin);
  const std::vector<uint8_t> rd = zonemd_rdata(serial, hash, written.zonemd_digest);
  const RR real{apex, rd.data(), ttl, rrtype::ZONEMD, static_cast<uint16_t>(rd.size())};

  // Every new line must have the length of the placeholder line it replaces, so that no other
  // byte of the file moves: the digest's length is fixed by the hash, a signature's by the key.
  struct Patch {
    uint64_t offset;
    std::string text;
  };
  std::vector<Patch> patches;
  auto add_patch = [&](const ZonemdLine& line, uint16_t type,
                       std::span<const uint8_t> rdata) -> Result<void> {
    Patch p{line.offset, {}};
    emit::append_rr(p.text, apex->name(), ttl, rclass, type, rdata);
    if (p.text.size() != line.len) {
      return fail(Errc::Internal, "ZONEMD placeholder and final record differ in length");
    }
    patches.push_back(std::move(p));
    return ok();
  };
  if (auto r = add_patch(lines.front(), rrtype::ZONEMD, rd); !r) return r;

  // The real RRSIGs get the placeholder's fields (times, key, TTL), whatever the writer chose
  // for them (e.g. a spread expiration).
  signer::SignContext ctx;
  std::vector<uint8_t> sig;
  for (size_t i = 1; i < lines.size(); ++i) {
    const RrsigFields f = rrsig_fields(lines[i].rrsig);
    const signer::Key* found = nullptr;
    for (const auto* list : {&keys.zsks, &keys.ksks}) {
      for (const signer::Key& k : *list) {
        if (k.tag() == f.key_tag && k.algorithm() == f.algorithm && k.has_private()) found = &k;
      }
    }
    if (found == nullptr) {
      return fail(Errc::Internal,
                  "no key " + std::to_string(f.key_tag) + " for the ZONEMD placeholder's RRSIG");
    }
    const signer::Key& key = *found;
    signer::RrsigParams params = keys.params;
    params.inception = f.inception;
    params.expiration = f.expiration;
    params.original_ttl = f.original_ttl;
    sig.resize(signer::max_rrsig_rdata_len(key));
    auto len = ctx.sign(key, params, {&real, 1}, sig.data());
    if (!len) return fail(len.error());
    sig.resize(*len);
    auto good = ctx.verify(key, {&real, 1}, sig);
    if (!good) return fail(good.error());
    if (!*good) {
      return fail(Errc::VerifyFailed,
                  "own ZONEMD RRSIG by key " + std::to_string(key.tag()) + " does not verify");
    }
    if (auto r = add_patch(lines[i], rrtype::RRSIG, sig); !r) return r;
  }
  for (const Patch& p : patches) {
    if (auto r = out.patch(p.offset, p.text); !r) return r;
  }
  return ok();
}

}  // namespace zk::pipeline::detail
