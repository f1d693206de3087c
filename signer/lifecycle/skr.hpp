// zk::signer offline KSK: key signing requests (KSR) and signed key responses (SKR), after the
// root zone's KSR/SKR exchange. The KSK never meets the zone: `zonekiln ksr` (where the zone is
// signed) lists, per period, the ZSK DNSKEYs to publish; `zonekiln skr-sign` (where the KSK
// lives: file keys or an HSM) answers with the complete DNSKEY, CDS and CDNSKEY RRsets of every
// period and their RRSIGs; `zonekiln sign --skr` takes the period that covers "now".
//
// File format (both files; text, one file per request/response):
//
//   ; zonekiln KSR v1                 (or "; zonekiln SKR v1" for a response)
//   ;; zone example.com.
//   ;; period 20260101000000 20260111000000 zsk 13 41234
//   example.com. 3600 IN DNSKEY 256 3 13 <base64>
//   example.com. 3600 IN DNSKEY 256 3 13 <base64>
//   ;; end
//   ;; period 20260111000000 20260121000000 zsk 13 41234
//   ...
//
// Lines starting with ";;" are markers, other ";" lines are comments. "period FROM TO" (UTC,
// YYYYMMDDHHMMSS) opens a period [FROM, TO); "zsk ALG TAG" names the ZSK that signs the zone in
// that period. Records are zone-file presentation lines with absolute owner (the zone apex),
// TTL, class IN and type DNSKEY, CDS, CDNSKEY or RRSIG. A request holds only ZSK DNSKEYs; a
// response holds the whole DNSKEY RRset (KSKs + ZSKs), CDS/CDNSKEY for the KSKs and the KSKs'
// RRSIGs over the three RRsets. Periods are in time order and do not overlap.
//
// ZSK schedule of `ksr` (documented, simple): one ZSK per zsk_lifetime (rounded up to whole
// periods), active from the start of its slot, pre-published one period before it becomes
// active and kept published one period after it retires. The DNSKEY TTL and the zone's largest
// TTL must be below one period for this to be safe. ZSK files carry the same BIND timing
// (Publish, Activate, Inactive, Delete), so consecutive requests continue the same chain.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "dns/result.hpp"
#include "signer/signer.hpp"

namespace zk::signer {

/// One record at the zone apex.
struct SkrRecord {
  uint16_t type = 0;
  uint32_t ttl = 0;
  std::vector<uint8_t> rdata;
};

/// One period [from, to) of a request or response.
struct SkrPeriod {
  int64_t from = 0;
  int64_t to = 0;
  uint8_t zsk_algorithm = 0;  // the ZSK that signs the zone in this period
  uint16_t zsk_tag = 0;
  std::vector<SkrRecord> records;
};

/// A whole request (is_response false) or response.
struct SkrDocument {
  Name origin;
  bool is_response = false;
  std::vector<SkrPeriod> periods;
};

std::string skr_to_text(const SkrDocument& doc);
/// Parses the format above. Errc::Usage naming source_name and the line when malformed.
Result<SkrDocument> skr_from_text(std::string_view text, const std::string& source_name);
Result<SkrDocument> read_skr_file(const std::string& path);
/// Writes atomically (temp file + rename). Errc::Io on failure.
Result<void> write_skr_file(const std::string& path, const SkrDocument& doc);

struct KsrOptions {
  int64_t from = 0;  // unix seconds
  int64_t to = 0;
  int64_t period = 10 * 86400;
  int64_t zsk_lifetime = 90 * 86400;
  uint8_t algorithm = alg::ECDSAP256SHA256;
  uint32_t dnskey_ttl = 3600;
};

/// Builds a request for [from, to): loads the ZSKs of origin in key_dir (file keys), creates
/// the ones the schedule above needs (written to key_dir with BIND timing; one line each in
/// notes), and lists per period the ZSK DNSKEYs to publish. now is the creation time recorded
/// in new key files. Errc::Usage for bad options (to <= from, period < 1 day, more than 1000
/// periods, lifetime shorter than 2 periods), Errc::KeyActionNeeded / Io for key files.
Result<SkrDocument> make_ksr(const std::string& key_dir, NameView origin, const KsrOptions& options,
                             int64_t now, std::vector<std::string>* notes);

struct SkrSignOptions {
  int64_t skew = 3600;          // inception = period start - skew (clock skew of validators)
  int64_t overlap = 5 * 86400;  // expiration = period end + overlap (a late run still validates)
  bool cds = true;              // publish CDS (SHA-256) and CDNSKEY for the KSKs (RFC 7344)
};

/// Answers a request with ksks (keys with private parts and the SEP flag: files or PKCS#11).
/// Refuses (Errc::Usage) a request that is a response, has overlapping/unordered periods, holds
/// a DNSKEY with the SEP flag, names an active ZSK it does not list, or uses an algorithm no KSK
/// has (RFC 6840 s5.11: every DNSKEY algorithm must sign the RRset). Errc::Crypto on signing.
Result<SkrDocument> sign_ksr(const SkrDocument& request, std::span<const Key> ksks,
                             const SkrSignOptions& options);

/// What the sign pipeline publishes this run.
struct SkrSelection {
  int64_t from = 0, to = 0;   // the chosen period
  int64_t runs_out_at = 0;    // end of the response's last period
  uint8_t zsk_algorithm = 0;  // the ZSK that must sign the rest of the zone
  uint16_t zsk_tag = 0;
  std::vector<uint8_t> zsk_dnskey;  // its DNSKEY RDATA (find the key file by it)
  std::vector<SkrRecord> records;   // DNSKEY, CDS, CDNSKEY and their RRSIGs, ready to publish
};

inline constexpr int64_t kSkrWarnSeconds = 3 * 86400;

/// Chooses the response period with from <= now < to and checks it: every RRSIG verifies with a
/// KSK of its DNSKEY RRset and is valid at now. Errc::KeyActionNeeded when no period covers
/// now, when the response ends within warn seconds of now ("make the next KSR and have it
/// signed"), or when the period's signatures do not verify or are not valid now.
Result<SkrSelection> select_skr_period(const SkrDocument& response, int64_t now,
                                       int64_t warn = kSkrWarnSeconds);

/// The key among keys whose DNSKEY RDATA equals dnskey (flags included), or nullptr.
const Key* find_key_by_dnskey(std::span<const Key> keys, std::span<const uint8_t> dnskey);

}  // namespace zk::signer
