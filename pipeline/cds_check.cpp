// Stage: the CDS/CDNSKEY consistency check of named-checkzone (RFC 7344, RFC 8078).
#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"
#include "emit/rdata_print.hpp"
#include "pipeline/pipeline.hpp"
#include "signer/signer.hpp"

namespace zk::pipeline {

namespace {

using Rdata = std::span<const uint8_t>;

// RFC 8078 s4: "CDS 0 0 0 00" and "CDNSKEY 0 3 0 AA==" ask the parent to remove the DS RRset.
constexpr uint8_t kDeleteCds[] = {0, 0, 0, 0, 0};
constexpr uint8_t kDeleteCdnskey[] = {0, 0, 3, 0, 0};

bool same(Rdata a, Rdata b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

std::string record_text(uint16_t type, Rdata rd) {
  std::string s = type_to_string(type) + " ";
  emit::rdata_to_text(type, rd, s);
  return s;
}

// A CDS matches a DNSKEY when it is that key's DS (RFC 7344 s3.1). Digest types zonekiln cannot
// compute are matched on key tag and algorithm, with a warning that the digest went unchecked.
bool cds_matches(NameView apex, Rdata cds, const std::vector<Rdata>& dnskeys, bool* unchecked) {
  const uint16_t tag = get16(cds.data());
  const uint8_t alg = cds[2], digest = cds[3];
  const bool computable = digest == 1 || digest == 2 || digest == 4;
  for (Rdata key : dnskeys) {
    if (key.size() < 4 || key[3] != alg || key_tag(key) != tag) continue;
    if (!computable) {
      *unchecked = true;
      return true;
    }
    auto ds = signer::ds_rdata(apex, key, digest);
    if (ds && same(*ds, cds)) return true;
  }
  return false;
}

}  // namespace

void check_cds(const ZoneStore& store, const ZoneIndex& index, Diagnostics& diag) {
  if (index.apex == UINT32_MAX) return;
  const OwnerNode& node = index.nodes[index.apex];
  const NameView apex = node.owner->name();
  std::vector<Rdata> dnskeys, cds, cdnskeys;
  for (uint32_t k = node.first; k < node.first + node.count; ++k) {
    const RR& rr = store.rrs[k];
    if (rr.type == rrtype::DNSKEY) dnskeys.push_back(rr.rdata_span());
    if (rr.type == rrtype::CDS && rr.rdlen >= 4) cds.push_back(rr.rdata_span());
    if (rr.type == rrtype::CDNSKEY && rr.rdlen >= 4) cdnskeys.push_back(rr.rdata_span());
  }
  const std::string where = name_to_string(apex) + ": CDS/CDNSKEY consistency check failed: ";
  auto error = [&](std::string what) {
    diag.report(Severity::Error, make_error(Errc::ZoneCheck, where + std::move(what)));
  };
  // Each RRset is either the delete record alone or records that each match an apex DNSKEY.
  auto check_set = [&](uint16_t type, const std::vector<Rdata>& set, Rdata delete_rdata,
                       const char* delete_text) {
    const bool has_delete =
        std::any_of(set.begin(), set.end(), [&](Rdata r) { return same(r, delete_rdata); });
    if (has_delete) {
      if (set.size() > 1) {
        error("the RFC 8078 delete record (" + type_to_string(type) + " " + delete_text +
              ") must be the only " + type_to_string(type) + " record");
      }
      return;
    }
    for (Rdata r : set) {
      bool unchecked = false;
      const bool match = type == rrtype::CDS ? cds_matches(apex, r, dnskeys, &unchecked)
                                             : std::any_of(dnskeys.begin(), dnskeys.end(),
                                                           [&](Rdata k) { return same(k, r); });
      if (!match) {
        error(record_text(type, r) + " matches no DNSKEY at the apex");
      } else if (unchecked) {
        diag.report(Severity::Warning,
                    make_error(Errc::ZoneCheck, name_to_string(apex) + ": " + record_text(type, r) +
                                                    ": digest type " + std::to_string(r[3]) +
                                                    " cannot be computed; matched on key tag "
                                                    "and algorithm only"));
      }
    }
  };
  check_set(rrtype::CDS, cds, kDeleteCds, "0 0 0 00");
  check_set(rrtype::CDNSKEY, cdnskeys, kDeleteCdnskey, "0 3 0 AA==");
}

}  // namespace zk::pipeline
