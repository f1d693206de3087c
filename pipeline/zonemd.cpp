// ZONEMD digest and verification (RFC 8976 s3, s4).
#include "pipeline/zonemd.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>

#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"
#include "parser/parser.hpp"
#include "pipeline/detail/openssl_util.hpp"
#include "pipeline/pipeline.hpp"

namespace zk::pipeline {

namespace {

using detail::crypto_error;
using detail::MdCtxPtr;
using detail::put16;
using detail::put32;

const EVP_MD* hash_md(uint8_t hash) noexcept {
  switch (hash) {
    case zonemd::kSha384:
      return EVP_sha384();
    case zonemd::kSha512:
      return EVP_sha512();
  }
  return nullptr;
}

uint32_t get32(const uint8_t* p) noexcept {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

bool at_apex(const ZoneStore& store, const RR& rr) noexcept {
  return name_equal(rr.owner->name(), store.origin.view());
}

// RFC 8976 s3.3.1: the apex ZONEMD RRset and the apex RRSIGs covering it are left out; a
// ZONEMD (or its RRSIG) anywhere else is ordinary data.
bool excluded(const ZoneStore& store, const RR& rr) noexcept {
  if (rr.type == rrtype::ZONEMD) return at_apex(store, rr);
  if (rr.type != rrtype::RRSIG || rr.rdlen < 2) return false;
  const uint16_t covered = static_cast<uint16_t>((rr.rdata[0] << 8) | rr.rdata[1]);
  return covered == rrtype::ZONEMD && at_apex(store, rr);
}

std::string hex(std::span<const uint8_t> b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t c : b) {
    s += kDigits[c >> 4];
    s += kDigits[c & 15];
  }
  return s;
}

}  // namespace

size_t zonemd_digest_len(uint8_t hash) noexcept {
  switch (hash) {
    case zonemd::kSha384:
      return 48;
    case zonemd::kSha512:
      return 64;
  }
  return 0;
}

Result<std::vector<uint8_t>> zonemd_digest(const ZoneStore& store, uint8_t hash) {
  const EVP_MD* md = hash_md(hash);
  if (md == nullptr)
    return fail(Errc::Usage, "unsupported ZONEMD hash algorithm " + std::to_string(hash));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) {
    return crypto_error("cannot start the ZONEMD digest");
  }
  // RRs are gathered into one buffer and handed to OpenSSL in large pieces: one update per RR
  // costs more than the hashing for small records.
  constexpr size_t kFlushAt = 256 * 1024;
  std::vector<uint8_t> buf;
  buf.reserve(kFlushAt + 66000);
  for (const RR& rr : store.rrs) {
    if (excluded(store, rr)) continue;
    // Owner names are held lowercased and RDATA in canonical form (dns/name.hpp), so this is
    // the RFC 4034 s6.2 canonical RR form.
    const NameView owner = rr.owner->name();
    buf.insert(buf.end(), owner.data, owner.data + owner.len);
    put16(buf, rr.type);
    put16(buf, store.rclass);
    put32(buf, rr.ttl);
    put16(buf, rr.rdlen);
    buf.insert(buf.end(), rr.rdata, rr.rdata + rr.rdlen);
    if (buf.size() >= kFlushAt) {
      if (EVP_DigestUpdate(ctx.get(), buf.data(), buf.size()) != 1) {
        return crypto_error("ZONEMD digest failed");
      }
      buf.clear();
    }
  }
  if (!buf.empty() && EVP_DigestUpdate(ctx.get(), buf.data(), buf.size()) != 1) {
    return crypto_error("ZONEMD digest failed");
  }
  std::vector<uint8_t> out(zonemd_digest_len(hash));
  unsigned len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    return crypto_error("ZONEMD digest failed");
  }
  return out;
}

std::vector<uint8_t> zonemd_rdata(uint32_t serial, uint8_t hash, std::span<const uint8_t> digest) {
  std::vector<uint8_t> rd;
  rd.reserve(6 + digest.size());
  put32(rd, serial);
  rd.push_back(zonemd::kSchemeSimple);
  rd.push_back(hash);
  rd.insert(rd.end(), digest.begin(), digest.end());
  return rd;
}

ZonemdReport check_zonemd(const ZoneStore& store) {
  ZonemdReport report;
  const std::string where = name_to_string(store.origin.view()) + " ZONEMD: ";
  std::optional<uint32_t> soa_serial;
  std::vector<const RR*> zonemds;
  // The apex is the first owner of a sorted in-zone store.
  for (const RR& rr : store.rrs) {
    if (!at_apex(store, rr)) break;
    if (rr.type == rrtype::SOA && !soa_serial) soa_serial = soa_fields(rr.rdata_span()).serial;
    if (rr.type == rrtype::ZONEMD && rr.rdlen >= 6) zonemds.push_back(&rr);
  }
  report.present = !zonemds.empty();
  if (!report.present) return report;
  auto problem = [&](ZonemdProblem::Kind kind, std::string what, bool warning = false) {
    report.problems.push_back({kind, warning, where + std::move(what)});
  };
  if (!soa_serial) {
    problem(ZonemdProblem::NoSoa, "no SOA at the apex, nothing to compare the serial with");
    return report;
  }

  std::map<std::pair<uint8_t, uint8_t>, unsigned> pairs;
  for (const RR* rr : zonemds) ++pairs[{rr->rdata[4], rr->rdata[5]}];
  std::map<uint8_t, std::vector<uint8_t>> computed;  // by hash; each digest made once
  unsigned supported = 0;
  for (const RR* rr : zonemds) {
    const uint32_t serial = get32(rr->rdata);
    const uint8_t scheme = rr->rdata[4], hash = rr->rdata[5];
    const std::span<const uint8_t> digest(rr->rdata + 6, rr->rdlen - 6u);
    const std::string id = "scheme " + std::to_string(scheme) + " hash " + std::to_string(hash);
    // RFC 8976 s4 step 4: RRs of unknown schemes or hash algorithms are ignored.
    if (scheme != zonemd::kSchemeSimple || zonemd_digest_len(hash) == 0) continue;
    ++supported;
    if (pairs[{scheme, hash}] > 1) {
      problem(ZonemdProblem::Duplicate, "more than one RR with " + id + " (RFC 8976 s2.4)");
      continue;
    }
    if (serial != *soa_serial) {
      problem(ZonemdProblem::BadSerial, "serial " + std::to_string(serial) + " (" + id +
                                            ") differs from the SOA serial " +
                                            std::to_string(*soa_serial));
      continue;
    }
    if (digest.size() != zonemd_digest_len(hash)) {
      problem(ZonemdProblem::BadLength, "digest (" + id + ") has " + std::to_string(digest.size()) +
                                            " octets, not " +
                                            std::to_string(zonemd_digest_len(hash)));
      continue;
    }
    auto it = computed.find(hash);
    if (it == computed.end()) {
      auto d = zonemd_digest(store, hash);
      if (!d) {
        problem(ZonemdProblem::Mismatch, "cannot compute the digest: " + d.error().detail);
        continue;
      }
      it = computed.emplace(hash, std::move(*d)).first;
    }
    ++report.digests_checked;
    if (!std::equal(digest.begin(), digest.end(), it->second.begin(), it->second.end())) {
      problem(ZonemdProblem::Mismatch, "digest (" + id +
                                           ") does not match the zone data: " + "published " +
                                           hex(digest) + ", computed " + hex(it->second));
      continue;
    }
    report.verified = true;
    ++report.digests_matched;
  }
  if (supported == 0) {
    problem(ZonemdProblem::Unsupported,
            "no RR with a supported scheme and hash (SIMPLE with SHA-384 or SHA-512); "
            "the digest cannot be checked",
            /*warning=*/true);
  }
  return report;
}

Result<ZonemdReport> check_zonemd_file(const std::string& path, NameView origin,
                                       Diagnostics& diag) {
  auto store = read_sorted_zone(path, origin, diag);
  if (!store) return fail(store.error());
  return check_zonemd(*store);
}

}  // namespace zk::pipeline
