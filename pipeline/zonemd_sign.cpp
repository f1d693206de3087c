// ZONEMD in the sign pass: placeholder before the streaming write, the real record after it.
#include "pipeline/detail/zonemd_sign.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"
#include "emit/emit.hpp"
#include "pipeline/detail/previous_stream.hpp"
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

std::vector<uint8_t> zonemd_candidate(const PreviousZone& apex, uint8_t hash) {
  const ZoneStore& prev = apex.store();
  const RR* found = nullptr;
  std::optional<uint32_t> serial;
  for (const RR& rr : prev.rrs) {
    if (!name_equal(rr.owner->name(), prev.origin.view())) continue;
    if (rr.type == rrtype::SOA) serial = soa_fields(rr.rdata_span()).serial;
    if (rr.type != rrtype::ZONEMD) continue;
    if (found != nullptr) return {};
    found = &rr;
  }
  if (found == nullptr || found->rdlen != 6 + zonemd_digest_len(hash) ||
      found->rdata[4] != zonemd::kSchemeSimple || found->rdata[5] != hash || !serial) {
    return {};
  }
  const uint32_t zserial = (uint32_t{found->rdata[0]} << 24) | (uint32_t{found->rdata[1]} << 16) |
                           (uint32_t{found->rdata[2]} << 8) | found->rdata[3];
  if (zserial != *serial) return {};
  return {found->rdata, found->rdata + found->rdlen};
}

namespace {

// The canonical wire RRs of a piece of the previous output (sorted), owner by owner, without the
// apex ZONEMD RRset and the apex RRSIGs covering it (RFC 8976 s3.3.1).
DigestRun digest_run(const ZoneStore& piece, NameView origin) {
  DigestRun run;
  OwnerDigest owner;
  const auto& rrs = piece.rrs;
  for (size_t b = 0; b < rrs.size();) {
    size_t e = b;
    const bool apex = name_equal(rrs[b].owner->name(), origin);
    for (; e < rrs.size() && owner_compare(rrs[e].owner, rrs[b].owner) == 0; ++e) {
      const RR& rr = rrs[e];
      const uint16_t covered = rr.type == rrtype::RRSIG && rr.rdlen >= 2
                                   ? static_cast<uint16_t>((rr.rdata[0] << 8) | rr.rdata[1])
                                   : rr.type;
      if (apex && covered == rrtype::ZONEMD) continue;
      owner.add(rr.type, rr.ttl, rr.rdata_span());
    }
    owner.flush(rrs[b].owner->name(), piece.rclass, run);
    b = e;
  }
  return run;
}

}  // namespace

bool zonemd_verifies(const std::string& path, const PreviousZone& apex, uint8_t hash) {
  const std::vector<uint8_t> rd = zonemd_candidate(apex, hash);
  if (rd.empty()) return false;
  const NameView origin = apex.store().origin.view();
  auto digester = ZonemdDigester::start(hash, 2);
  if (!digester) return false;
  std::unique_ptr<PreviousReader> readers[2] = {
      PreviousReader::open(path, origin, PreviousReader::Section::Names),
      PreviousReader::open(path, origin, PreviousReader::Section::Nsec3)};
  if (!readers[0] || !readers[1]) return false;
  // Read from the section the digest waits for, so that at most a piece of each is held.
  std::string text;
  for (int s; (s = (*digester)->waiting()) >= 0;) {
    PreviousReader& r = *readers[s];
    if (r.done()) {
      if (!(*digester)->close(static_cast<unsigned>(s))) return false;
      continue;
    }
    text.clear();
    if (!r.read(NameView{}, 4u << 20, text)) return false;
    const PreviousZone piece = PreviousZone::from_text(text, origin, path);
    if (piece.broken()) return false;
    if (!(*digester)->add(static_cast<unsigned>(s), digest_run(piece.store(), origin))) {
      return false;
    }
  }
  auto digest = (*digester)->finish();
  return digest && digest->size() + 6 == rd.size() &&
         std::equal(digest->begin(), digest->end(), rd.begin() + 6);
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
