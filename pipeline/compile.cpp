// The compile/sign driver: runs the stages in order and times them.
#include <algorithm>
#include <chrono>
#include <memory>

#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"
#include "parser/parser.hpp"
#include "pipeline/detail/keys.hpp"
#include "pipeline/detail/writer.hpp"
#include "pipeline/detail/zonemd_sign.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/verify.hpp"

namespace zk::pipeline {

namespace {

class StageClock {
 public:
  explicit StageClock(Stats& s) : stats_(s), t0_(std::chrono::steady_clock::now()) {}
  void lap(const char* stage) {
    const auto t = std::chrono::steady_clock::now();
    stats_.times.push_back({stage, std::chrono::duration<double>(t - t0_).count()});
    t0_ = t;
  }

 private:
  Stats& stats_;
  std::chrono::steady_clock::time_point t0_;
};

Unexpected zone_errors(const Diagnostics& diag) {
  return fail(Errc::ZoneCheck, std::to_string(diag.error_count()) + " error(s), " +
                                   std::to_string(diag.warning_count()) +
                                   " warning(s) in the zone data");
}

}  // namespace

Result<Stats> compile_zone(const CompileOptions& options, Diagnostics& diag) {
  Stats stats;
  StageClock clock(stats);
  diag.set_strict(options.strict);

  ZoneStore store;
  Name origin(options.origin.view());
  origin.to_lower();
  parser::ParseOptions popts;
  popts.origin = origin;
  popts.origin_set = true;
  if (auto r = parser::parse_file(options.zone_file, popts, store, diag); !r)
    return fail(r.error());
  store.origin = origin;
  clock.lap("parse");
  if (diag.has_errors()) return zone_errors(diag);
  stats.records_in = store.rrs.size();

  stats.duplicates = sort_zone(store);
  stats.out_of_zone = drop_out_of_zone(store, diag);
  clock.lap("sort");
  ZoneIndex index = build_index(store);
  check_zone(store, index, diag);
  clock.lap("check");
  if (diag.has_errors()) return zone_errors(diag);

  detail::WritePlan plan;
  detail::KeyPlan keys;
  const SignOptions& sopts = options.signing;
  if (options.sign) {
    auto kp = detail::prepare_keys(sopts, origin, diag, stats);
    if (!kp) return fail(kp.error());
    keys = std::move(*kp);
    clock.lap("keys");

    stats.clamped_rrsets = clamp_ttls(store, sopts.max_ttl);
    std::vector<std::vector<uint8_t>> ours;
    for (const auto& k : keys.published) {
      ours.emplace_back(k.dnskey_rdata().begin(), k.dnskey_rdata().end());
    }
    StripResult stripped = strip_dnssec(store, ours, sopts.cds);
    stats.dnssec_removed = stripped.removed;
    // An input ZONEMD cannot match the re-signed zone: replaced with --zonemd, else dropped.
    if (const size_t old_zonemd = detail::drop_apex_zonemd(store); old_zonemd != 0) {
      stats.dnssec_removed += old_zonemd;
      if (sopts.zonemd_hash == 0) {
        stats.notes.push_back("removed the apex ZONEMD of the input (it cannot match the signed "
                              "zone; use --zonemd to publish a new one)");
      }
    }
    for (uint16_t tag : stripped.kept_dnskey_tags) {
      stats.notes.push_back("kept DNSKEY " + std::to_string(tag) +
                            " from the zone file (no key for it in " + sopts.key_dir + ")");
    }
    // Stripping keeps the order, so the apex is still the first owner.
    stats.serial_old = soa_fields(apex_soa(store)->rdata_span()).serial;
    stats.serial_new = update_serial(store, sopts.serial, sopts.now);
    const RR soa_rr = *apex_soa(store);  // a copy: adding records below may reallocate
    const SoaFields soa = soa_fields(soa_rr.rdata_span());
    keys.dnskey_ttl = sopts.dnskey_ttl ? *sopts.dnskey_ttl : std::min<uint32_t>(soa.minimum, 3600);
    // RFC 9077 s3: NSEC/NSEC3 TTL = min(SOA TTL, SOA MINIMUM).
    plan.chain_ttl = std::min(soa_rr.ttl, soa.minimum);
    const size_t sorted = store.rrs.size();
    if (auto r = detail::add_key_records(store, soa_rr.owner, keys, sopts.cds, sopts.nsec3,
                                         plan.chain_ttl);
        !r) {
      return fail(r.error());
    }
    if (sopts.zonemd_hash != 0) {
      detail::add_zonemd_placeholder(store, soa_rr.owner, soa_rr.ttl, stats.serial_new,
                                     sopts.zonemd_hash);
    }
    merge_added(store, sorted);
    index = build_index(store);
    clock.lap("prepare");

    plan.keys = &keys;
    plan.chain = sopts.nsec3.enabled ? detail::ChainKind::Nsec3 : detail::ChainKind::Nsec;
  }
  plan.store = &store;
  plan.index = &index;
  if (auto r = detail::build_chain(plan, sopts.nsec3); !r) return fail(r.error());
  if (options.sign) clock.lap("chain");

  // Verify-before-publish: each chunk is checked as it is made, so a failure stops the pass
  // before the output replaces the previous file. Checked at the current time, kept inside
  // the signatures' window so that pre-signing (inception in the future) passes.
  std::unique_ptr<ChunkVerifier> verifier;
  if (options.sign && sopts.verify != VerifyMode::None) {
    VerifyOptions vo;
    vo.now = std::clamp(sopts.now, sopts.inception, sopts.expiration);
    vo.crypto = sopts.verify == VerifyMode::Full;
    auto v = ChunkVerifier::create(store, index,
                                   sopts.nsec3.enabled ? ChunkVerifier::ChainKind::Nsec3
                                                       : ChunkVerifier::ChainKind::Nsec,
                                   sopts.nsec3, vo);
    if (!v) return fail(Errc::VerifyFailed, "own output failed verification: " + v.error().detail);
    verifier = std::move(*v);
    plan.verifier = verifier.get();
  }

  const bool zonemd = options.sign && sopts.zonemd_hash != 0;
  if (zonemd && options.output == "-") {
    return fail(Errc::Usage, "--zonemd needs an output file: stdout cannot be patched");
  }
  auto out = emit::OutputFile::open(options.output);
  if (!out) return fail(out.error());
  auto written = detail::write_zone(plan, *out);
  if (!written) return fail(written.error());
  if (zonemd) {
    clock.lap(sopts.verify == VerifyMode::None ? "sign+write" : "sign+verify+write");
    const RR soa_rr = *apex_soa(store);
    if (auto r = detail::finalize_zonemd(out->temp_path(), origin, keys, soa_rr.ttl,
                                         stats.serial_new, sopts.zonemd_hash);
        !r) {
      return fail(r.error());
    }
  }
  if (auto c = out->commit(); !c) return fail(c.error());
  clock.lap(zonemd                               ? "zonemd+commit"
            : !options.sign                      ? "write"
            : sopts.verify == VerifyMode::None ? "sign+write"
                                                : "sign+verify+write");
  stats.verify_warnings = written->verify_warnings;
  stats.records_out = written->records;
  stats.rrsets = written->rrsets;
  stats.signatures = written->signatures;
  stats.nsec = written->nsec;
  stats.nsec3 = written->nsec3;

  if (options.sign && !sopts.ds_output.empty()) {
    auto ds = detail::ds_text(store, keys);
    if (!ds) return fail(ds.error());
    if (auto w = emit::write_file_atomic(sopts.ds_output, *ds); !w) return fail(w.error());
  }
  return stats;
}

}  // namespace zk::pipeline
