// Stages: TTL clamp, removal of old DNSSEC records, SOA serial policy.
#include <algorithm>
#include <cstring>
#include <ctime>

#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"
#include "pipeline/pipeline.hpp"

namespace zk::pipeline {

size_t clamp_ttls(ZoneStore& store, uint32_t max_ttl) {
  if (max_ttl == 0) return 0;
  size_t rrsets = 0;
  auto& rrs = store.rrs;
  for (size_t b = 0; b < rrs.size();) {
    size_t e = b + 1;
    while (e < rrs.size() && rrs[e].type == rrs[b].type &&
           owner_compare(rrs[e].owner, rrs[b].owner) == 0)
      ++e;
    bool changed = false;
    for (size_t k = b; k < e; ++k) {
      if (rrs[k].ttl <= max_ttl) continue;
      rrs[k].ttl = max_ttl;
      changed = true;
    }
    rrsets += changed;
    b = e;
  }
  return rrsets;
}

StripResult strip_dnssec(ZoneStore& store, const std::vector<std::vector<uint8_t>>& our_dnskeys,
                         bool drop_cds) {
  StripResult res;
  const NameView origin = store.origin.view();
  auto is_ours = [&](const RR& rr) {
    return std::any_of(our_dnskeys.begin(), our_dnskeys.end(), [&](const auto& k) {
      return k.size() == rr.rdlen && std::memcmp(k.data(), rr.rdata, rr.rdlen) == 0;
    });
  };
  auto drop = [&](const RR& rr) {
    switch (rr.type) {
      case rrtype::RRSIG:
      case rrtype::NSEC:
      case rrtype::NSEC3:
      case rrtype::NSEC3PARAM:
        return true;
      default:
        break;
    }
    // Only key records at the apex may go from here on; testing the type first spares the
    // owner lookup (a cache miss on a sorted zone) for every other record.
    if (rr.type != rrtype::DNSKEY && rr.type != rrtype::CDS && rr.type != rrtype::CDNSKEY) {
      return false;
    }
    const NameView n = rr.owner->name();
    const bool apex = n.len == origin.len && std::memcmp(n.data, origin.data, n.len) == 0;
    if (!apex) return false;
    if (rr.type == rrtype::DNSKEY) {
      if (is_ours(rr)) return true;
      res.kept_dnskey_tags.push_back(key_tag(rr.rdata_span()));
      return false;
    }
    return drop_cds && (rr.type == rrtype::CDS || rr.type == rrtype::CDNSKEY);
  };
  auto keep_end = std::remove_if(store.rrs.begin(), store.rrs.end(), drop);
  res.removed = static_cast<size_t>(store.rrs.end() - keep_end);
  store.rrs.erase(keep_end, store.rrs.end());
  return res;
}

bool serial_lt(uint32_t a, uint32_t b) noexcept {
  // RFC 1982 s3.2 with SERIAL_BITS = 32; a pair exactly 2^31 apart is undefined (false).
  return (a < b && b - a < 0x80000000u) || (a > b && a - b > 0x80000000u);
}

uint32_t next_serial(uint32_t old, SerialPolicy policy, int64_t now) noexcept {
  uint32_t want = old;
  switch (policy) {
    case SerialPolicy::Keep:
      return old;
    case SerialPolicy::Increment:
      want = old + 1;
      break;
    case SerialPolicy::UnixTime:
      want = static_cast<uint32_t>(now);
      break;
    case SerialPolicy::Date: {
      const std::time_t t = static_cast<std::time_t>(now);
      std::tm tm{};
      gmtime_r(&t, &tm);
      const uint32_t ymd =
          static_cast<uint32_t>((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
      want = ymd * 100;
      break;
    }
  }
  if (!serial_lt(old, want)) want = old + 1;
  if (want == 0) want = 1;  // BIND never uses serial 0 when it increments
  return want;
}

RR* apex_soa(ZoneStore& store) noexcept {
  const NameView origin = store.origin.view();
  for (RR& rr : store.rrs) {
    const NameView n = rr.owner->name();
    if (n.len != origin.len || std::memcmp(n.data, origin.data, n.len) != 0) break;
    if (rr.type == rrtype::SOA) return &rr;
  }
  return nullptr;
}

void set_serial(ZoneStore& store, uint32_t serial) {
  RR* soa = apex_soa(store);
  if (soa == nullptr || soa_fields(soa->rdata_span()).serial == serial) return;
  uint8_t* copy = store.arena().copy(soa->rdata, soa->rdlen);
  const size_t off = soa_serial_offset(soa->rdata_span());
  copy[off] = static_cast<uint8_t>(serial >> 24);
  copy[off + 1] = static_cast<uint8_t>(serial >> 16);
  copy[off + 2] = static_cast<uint8_t>(serial >> 8);
  copy[off + 3] = static_cast<uint8_t>(serial);
  soa->rdata = copy;
}

uint32_t update_serial(ZoneStore& store, SerialPolicy policy, int64_t now) {
  RR* soa = apex_soa(store);
  if (soa == nullptr) return 0;
  const uint32_t fresh = next_serial(soa_fields(soa->rdata_span()).serial, policy, now);
  set_serial(store, fresh);
  return fresh;
}

}  // namespace zk::pipeline
