// `zonekiln verify`: check a signed zone file as a validator would.
#include <cstdlib>

#include "cli/commands.hpp"
#include "dns/diagnostics.hpp"
#include "dns/timeparse.hpp"
#include "pipeline/verify.hpp"

namespace zk::cli {

CLI::App* add_verify(CLI::App& app, VerifyArgs& a) {
  CLI::App* cmd = app.add_subcommand("verify", "verify the DNSSEC data of a signed zone");
  cmd->add_option("SIGNEDFILE", a.zone_file, "signed zone file to check")->required();
  cmd->add_option("--origin", a.origin, "zone apex, e.g. example.com.")->required();
  cmd->add_option("--ds", a.ds_file,
                  "DS records of the zone: the DNSKEY RRset must be signed "
                  "by a key that matches one");
  cmd->add_option("--now", a.now,
                  "validation time: YYYYMMDDHHmmSS, unix seconds or +/-offset "
                  "(default: the clock)");
  cmd->add_option("--threads", a.threads, "worker threads (default: all cores)");
  cmd->add_flag("--structure-only", a.structure_only,
                "check everything but the signature cryptography");
  cmd->add_flag("--zonemd-only", a.zonemd_only,
                "check only the apex ZONEMD digest (RFC 8976), e.g. of an unsigned zone");
  add_budget_flags(cmd, a.budget);
  add_memory_options(cmd, a.memory_limit, a.temp_dir,
                     "a signed zone larger (its file's size) is sorted in runs on disk and "
                     "verified in slices, with the same report",
                     "NSEC3 and ZONEMD zones are verified in memory, with a note",
                     "$TMPDIR or /tmp");
  return cmd;
}

int run_verify(const VerifyArgs& a, int64_t clock_now, Report& report) {
  auto parsed_origin = origin_arg(a.origin);
  if (!parsed_origin) {
    report.err +=
        "zonekiln: error: bad --origin '" + a.origin + "': " + parsed_origin.error().detail + "\n";
    return 2;
  }
  const Name origin = *parsed_origin;
  pipeline::VerifyOptions o;
  o.now = clock_now;
  o.crypto = !a.structure_only;
  o.zonemd_only = a.zonemd_only;
  o.budget = a.budget;
  o.memory_limit = a.memory_limit;
  o.temp_dir = a.temp_dir;
  if (o.temp_dir.empty()) {
    const char* t = std::getenv("TMPDIR");
    if (t != nullptr && *t != '\0') o.temp_dir = t;
  }
  if (!a.now.empty()) {
    auto t = parse_time(a.now, clock_now);
    if (t) {
      if (auto r = check_serial_time("--now " + a.now, *t, clock_now, "the clock"); !r)
        t = fail(r.error());
    }
    if (!t) {
      report.err += "zonekiln: error: " + t.error().detail + "\n";
      return 2;
    }
    o.now = *t;
  }
  if (!a.ds_file.empty()) {
    auto ds = pipeline::read_ds_file(a.ds_file, origin);
    if (!ds) {
      report.err += "zonekiln: error: " + ds.error().detail + "\n";
      return 2;
    }
    o.ds = std::move(*ds);
  }
  Diagnostics diag;
  auto res = pipeline::verify_file(a.zone_file, origin, o, diag);
  for (const Diagnostic& d : diag.sorted()) report.err += diag.format(d) + "\n";
  if (const size_t n = diag.warnings_not_listed()) {
    report.err += "zonekiln: note: " + std::to_string(n) + " more warning(s) not listed\n";
  }
  if (!res) {
    report.err += "zonekiln: error: " + res.error().detail + "\n";
    // An unreadable file is a usage problem; zone text that does not parse is bad data.
    return res.error().code == Errc::Io ? 2 : exit_code_for(res.error().code);
  }
  for (const std::string& note : res->notes) report.err += "zonekiln: note: " + note + "\n";
  report.err += pipeline::format_report(*res, origin);
  return res->valid() ? 0 : 1;
}

}  // namespace zk::cli
