// `zonekiln compile` and `zonekiln sign`.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>

#include "cli/commands.hpp"
#include "cli/lifecycle_args.hpp"
#include "dns/diagnostics.hpp"
#include "dns/rrtype.hpp"
#include "dns/timeparse.hpp"
#include "emit/emit.hpp"
#include "emit/metrics.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/verify.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/pkcs11.hpp"

namespace zk::cli {

namespace {

// The options compile and sign share (the positional argument differs: see add_sign).
void add_common(CLI::App* cmd, ZoneArgs& a) {
  cmd->add_option("--origin", a.origin, "zone apex, e.g. example.com.");
  cmd->add_flag("--strict", a.strict, "treat warnings as errors");
  cmd->add_option("--threads", a.threads, "worker threads (default: all cores)");
  cmd->add_option("--stats-json", a.stats_json, "write statistics as JSON to this file");
  cmd->add_option("--include-dir", a.include_dirs,
                  "a directory $INCLUDE may read from besides the zone file's own (repeatable)");
  add_budget_flags(cmd, a.budget);
}

// The origin as typed, with the final dot (messages name zones as they appear in zone files).
std::string name_or(std::string origin) {
  if (origin.empty() || origin.back() != '.') origin += '.';
  return origin;
}

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Fills the sign options from the flags; any error is a usage error.
Result<void> sign_options(const ZoneArgs& a, int64_t clock_now, pipeline::CompileOptions& o,
                          Report& report) {
  auto& s = o.signing;
  s.key_dir = a.key_dir;
  int64_t now = clock_now;
  if (!a.now.empty()) {
    auto t = parse_time(a.now, clock_now);
    if (!t) return fail(t.error());
    now = *t;
    if (auto r = check_serial_time("--now " + a.now, now, clock_now, "the clock"); !r) return r;
  }
  std::vector<std::string> warnings;
  auto policy = a.policy.policy(warnings);
  for (const auto& w : warnings) report.err += "zonekiln: warning: " + w + "\n";
  if (!policy) return fail(policy.error());
  if (auto r = config::sign_options(*policy, now, clock_now, s); !r) return r;
  s.lock_wait = a.lock_wait;
  s.previous = a.previous;
  s.skr = a.skr;
  s.zsk_uri = a.zsk_uri;
  auto p11 = token_config(a.pkcs11_module, a.pin_file);
  if (!p11) return fail(p11.error());
  s.pkcs11 = std::move(*p11);
  s.full = a.full;
  s.dry_run = a.dry_run;
  s.want_changes = !a.changes.empty();
  s.allow_deprecated_algorithm = a.allow_deprecated_algorithm;
  s.dnskey_signed_by_all = a.dnskey_signers == "all";
  if (s.dnskey_signed_by_all && !a.skr.empty()) {
    return fail(Errc::Usage,
                "--dnskey-signers all cannot be used with --skr: the DNSKEY RRset and its RRSIGs "
                "come from the signed key response");
  }
  o.output = a.output.empty() ? a.zone_file + ".signed" : a.output;
  if (s.zonemd_hash != 0 && o.output == "-") {
    return fail(Errc::Usage, "--zonemd needs an output file: stdout cannot be patched");
  }
  if (a.ds_output == "-" || !a.ds_output.empty()) {
    s.ds_output = a.ds_output;
  } else {
    const std::string dir = o.output == "-" ? "." : dir_of(o.output);
    s.ds_output =
        dir + "/dsset-" + a.origin + (a.origin.empty() || a.origin.back() != '.' ? "." : "");
  }
  return ok();
}

// Inputs, keys and state that the metrics file may not replace, as far as known before the
// zone is parsed (the state is read without the lock; the pipeline checks again under it).
OutputGuard early_guard(const ZoneArgs& a) {
  OutputGuard guard;
  guard.protect_file(a.zone_file, "the zone file");
  auto state = signer::read_state(a.key_dir);
  signer::protect_keys(guard, a.key_dir, state ? &*state : nullptr);
  return guard;
}

}  // namespace

std::string stats_json(const pipeline::Stats& st) { return stats_object(st).dump(2) + "\n"; }

nlohmann::json stats_object(const pipeline::Stats& st) {
  nlohmann::json j;
  j["records_in"] = st.records_in;
  j["duplicates"] = st.duplicates;
  j["out_of_zone"] = st.out_of_zone;
  j["spill"] = {{"runs", st.spill_runs}, {"slices", st.spill_slices}, {"bytes", st.spill_bytes}};
  j["rrsets"] = st.rrsets;
  j["records_out"] = st.records_out;
  j["signatures"] = st.signatures;
  j["clamped_rrsets"] = st.clamped_rrsets;
  j["dnssec_removed"] = st.dnssec_removed;
  j["nsec"] = st.nsec;
  j["nsec3"] = st.nsec3;
  j["serial_old"] = st.serial_old;
  j["serial_new"] = st.serial_new;
  j["rrsets_signed"] = st.rrsets_signed;
  j["resign_reasons"] = {{"no_previous", st.resign.everything},
                         {"added", st.resign.added},
                         {"changed", st.resign.changed},
                         {"new_key", st.resign.new_key},
                         {"expiring", st.resign.expiring}};
  j["rrsets_reused"] = st.rrsets_reused;
  j["signatures_reused"] = st.signatures_reused;
  j["rrsets_renewed_early"] = st.rrsets_renewed_early;
  j["renewal"] = {{"run_interval", st.run_interval},
                  {"expected_share", st.renewal_expected_share},
                  {"forecast", st.renewal_forecast}};
  j["unchanged"] = st.unchanged;
  j["notes"] = st.notes;
  nlohmann::json times = nlohmann::json::object();
  for (const auto& t : st.times) times[t.stage] = t.seconds;
  j["seconds"] = times;
  return j;
}

std::string summary_text(const pipeline::Stats& st, bool sign) {
  double total = 0;
  std::string times;
  for (const auto& t : st.times) {
    total += t.seconds;
    times += fmt::format(" {}={:.3f}s", t.stage, t.seconds);
  }
  if (sign && st.unchanged) return "unchanged, no signature due; output not rewritten";
  if (!sign) {
    std::string spilled;
    if (st.spill_runs > 0) {
      spilled = fmt::format(" (spilled: {} sorted runs, {} slices, {} on disk)", st.spill_runs,
                            st.spill_slices, size_text(st.spill_bytes));
    }
    return fmt::format("compiled: {} records ({} duplicates removed); {:.3f}s{}", st.records_out,
                       st.duplicates, total, spilled);
  }
  return fmt::format(
      "signed: {} RRsets ({} signed, {} of them renewed early; {} reused), {} signatures, {} "
      "NSEC, {} NSEC3, {} TTLs clamped, {} old DNSSEC records replaced, serial {} -> {}; "
      "{:.3f}s ({})",
      st.rrsets, st.rrsets_signed, st.rrsets_renewed_early, st.rrsets_reused, st.signatures,
      st.nsec, st.nsec3, st.clamped_rrsets, st.dnssec_removed, st.serial_old, st.serial_new, total,
      times.empty() ? "" : times.substr(1));
}

Result<void> touch_stamp(const std::string& path) {
  // A new empty file each time, renamed into place: the mtime moves even when the stamp
  // exists, and a reader never sees a half-made one.
  return emit::write_file_atomic(path, "");
}

namespace {

std::string reasons_text(const pipeline::ResignReasons& r) {
  std::vector<std::string> parts;
  auto add = [&](uint64_t n, const char* what) {
    if (n) parts.push_back(std::to_string(n) + " " + what);
  };
  add(r.everything, "with no previous output to keep from");
  add(r.added, "added");
  add(r.changed, "changed");
  add(r.new_key, "for a new key");
  add(r.expiring, "expiring");
  return parts.empty() ? "" : " (" + fmt::format("{}", fmt::join(parts, ", ")) + ")";
}

}  // namespace

// The plan a dry run prints: what the real run would do, in the order it would do it.
std::string dry_run_text(std::string_view origin, const pipeline::Stats& st, int exit_code) {
  std::string s = fmt::format("dry run for {}: nothing was written\n", origin);
  s += "key events due now:\n";
  if (st.key_events.empty()) s += "  none\n";
  for (const auto& e : st.key_events) s += "  " + e + "\n";
  if (st.next_key_event_at) {
    s +=
        "next key event: " + st.next_key_event + " at " + time_to_iso(*st.next_key_event_at) + "\n";
  }
  for (const auto& o : st.owner_actions) s += "owner: " + o + "\n";
  if (st.unchanged) {
    s += fmt::format(
        "RRsets: nothing changed and no signature due; the output would be left "
        "untouched (serial {})\n",
        st.serial_old);
  } else {
    s += fmt::format("RRsets: {}; would sign {} anew{}, keep the RRSIGs of {}\n", st.rrsets,
                     st.rrsets_signed, reasons_text(st.resign), st.rrsets_reused);
    s += fmt::format("serial: {} -> {}\n", st.serial_old, st.serial_new);
  }
  s += fmt::format("TTLs clamped: {} RRset(s) above {} s\n", st.clamped_rrsets, st.max_ttl);
  s += fmt::format("exit code: {} (as the real run)\n", exit_code);
  return s;
}

int finish_compile(const ZoneArgs& a, bool sign, const Result<pipeline::Stats>& res,
                   const Diagnostics& diag, const pipeline::SignOutcome& outcome, Report& report);

// --memory-limit and --temp-dir (compile and sign).
void add_spill_options(CLI::App* cmd, ZoneArgs& a) {
  add_memory_options(
      cmd, a.memory_limit, a.temp_dir,
      "a zone whose run would need more (about 4 bytes per byte of zone text) is "
      "sorted in runs on disk and checked, signed and written in slices, with the "
      "same output",
      "sign: an NSEC3 zone with --zonemd is signed in memory, with a note. sign --config "
      "shares it out among the zones signed at once",
      "the output's directory, $TMPDIR or /tmp for stdout");
}

CLI::App* add_compile(CLI::App& app, ZoneArgs& a) {
  CLI::App* cmd = app.add_subcommand("compile", "check a zone and write it in canonical form");
  cmd->add_option("ZONEFILE", a.zone_file, "zone file to read")->required();
  add_common(cmd, a);
  cmd->get_option("--origin")->required();
  cmd->add_option("--output,-o", a.output, "output file (default: stdout; '-' = stdout)");
  cmd->add_option("--class", a.rclass,
                  "the zone's class: IN, CH, HS or CLASSnnn (default: the class written on the "
                  "zone file's first record, else IN)");
  add_spill_options(cmd, a);
  return cmd;
}

CLI::App* add_sign(CLI::App& app, ZoneArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "sign",
      "check and DNSSEC-sign a zone (ZONEFILE --origin O --keys DIR), or the zones of a "
      "configuration file (--config FILE [ZONE...])");
  cmd->add_option("ZONEFILE", a.zones,
                  "the zone file; with --config: the zones to sign (default: all)");
  add_common(cmd, a);
  cmd->add_option("--keys", a.key_dir, "directory with the zone's BIND key files");
  cmd->add_option("--output,-o", a.output, "signed zone (default ZONEFILE.signed; '-' = stdout)");
  cmd->add_option("--ds-output", a.ds_output,
                  "DS set file (default dsset-ORIGIN beside the output)");
  cmd->add_option("--config", a.config_file,
                  "sign the zones of this configuration file (TOML: [policy.NAME], [[zone]]); "
                  "flags given here override its policies");
  cmd->add_option("--shard", a.shard,
                  "with --config: only the zones of shard K of N (K/N, 0 <= K < N), chosen by a "
                  "hash of the zone name: N runs with K = 0..N-1 sign every zone exactly once");
  cmd->add_flag("--quiet,-q", a.quiet, "print only warnings and errors (and failed zones)");
  cmd->add_option("--stamp", a.stamp,
                  "touch this file after a successful run (exit 0), whether or not the output "
                  "changed: a make target for the run");
  a.policy.add(cmd, kSignSettings, {"refresh", "jitter", "no-verify", "expiration", "inception"});
  cmd->add_option("--now", a.now, "the time to sign at (default: the clock)");
  cmd->add_option("--metrics-file", a.metrics_file,
                  "write Prometheus metrics here at the end of the run, also after a failure");
  cmd->add_option("--lock-wait", a.lock_wait, "seconds to wait for another run's key state lock");
  cmd->add_option("--skr", a.skr, "offline KSK: signed key response from `zonekiln skr-sign`");
  cmd->add_option("--pin-file", a.pin_file, "PKCS#11 keys: file with the token PIN");
  cmd->add_option("--pkcs11-module", a.pkcs11_module, "PKCS#11 module");
  cmd->add_option("--zsk-uri", a.zsk_uri, "a ZSK in an HSM (PKCS#11 URI)");
  cmd->add_flag("--full", a.full, "sign every RRset anew instead of reusing valid RRSIGs");
  cmd->add_flag("--dry-run", a.dry_run,
                "print what this run would do (key events, RRsets to sign and why, serial, TTLs "
                "clamped) and exit as it would; write nothing (no zone, DS set, state, keys, "
                "metrics)");
  cmd->add_option("--changes", a.changes,
                  "write the RRsets added, removed and changed since the previous output as JSON "
                  "to this file ('-' = stdout; also with --dry-run)");
  cmd->add_flag("--allow-deprecated-algorithm", a.allow_deprecated_algorithm,
                "sign with RSASHA1 (5) / RSASHA1-NSEC3-SHA1 (7) keys (RFC 8624: NOT RECOMMENDED), "
                "e.g. until a roll to another algorithm completes");
  cmd->add_option("--dnskey-signers", a.dnskey_signers,
                  "who signs the DNSKEY RRset: ksk (default) or all (the ZSKs too)")
      ->check(CLI::IsMember({"ksk", "all"}));
  cmd->add_option("--previous", a.previous,
                  "an earlier signed version of the zone (default: the output file)");
  add_spill_options(cmd, a);
  return cmd;
}

namespace {

// The pipeline's options from the command line, before any key or zone is read: origin, class,
// include directories, the key directory, and the metrics file checked early (it is written
// even when the run fails). Errc::Usage.
Result<void> compile_options(const ZoneArgs& a, bool sign, pipeline::CompileOptions& o) {
  o.zone_file = a.zone_file;
  o.strict = a.strict;
  o.sign = sign;
  o.budget = a.budget;
  for (const auto& d : a.include_dirs) {
    std::error_code ec;
    o.include_dirs.push_back(std::filesystem::absolute(d, ec).lexically_normal().string());
  }
  auto n = origin_arg(a.origin);
  if (!n) return fail(Errc::Usage, "bad --origin '" + a.origin + "': " + n.error().detail);
  o.origin = *n;
  if (!a.rclass.empty()) {
    const auto c = class_from_text(a.rclass);
    if (!c || !class_is_data(*c)) {
      return fail(Errc::Usage,
                  "bad --class '" + a.rclass + "': give IN, CH, HS or CLASSnnn of a data class");
    }
    o.rclass = *c;
  }
  o.output = a.output.empty() ? "-" : a.output;
  o.memory_limit = a.memory_limit;
  o.temp_dir = a.temp_dir;
  // sign's output defaults to ZONEFILE.signed (sign_options).
  if (o.temp_dir.empty() && (sign ? a.output == "-" : o.output == "-")) {
    const char* t = std::getenv("TMPDIR");
    if (t != nullptr && *t != '\0') o.temp_dir = t;
  }
  if (!sign) return ok();
  // No metrics either when the key directory is wrong: nothing is known about the zone's keys.
  if (auto d = signer::require_key_dir(a.key_dir, a.origin); !d) return fail(d.error());
  // The metrics file is written even when the run fails early: it is checked here, before the
  // pipeline (which checks every output again, with the $INCLUDEd files and the key state).
  if (!a.metrics_file.empty()) {
    if (auto g = early_guard(a).check({"--metrics-file", a.metrics_file}); !g) {
      return fail(g.error());
    }
  }
  return ok();
}

// A sign run's metrics file (also after a failed run) and its stamp (after a good one). Either
// failing makes a good run exit 4: monitoring or make cannot see this run, so cron's mail must.
int finish_sign_files(const ZoneArgs& a, int code, const pipeline::SignOutcome& outcome,
                      const Result<pipeline::Stats>& res, double seconds, Report& report) {
  if (!a.metrics_file.empty() && !outcome.output_refused && !a.dry_run) {
    const emit::RunMetrics m = run_metrics(name_or(a.origin), code, outcome, res, seconds);
    if (auto w = emit::write_metrics(a.metrics_file, std::span(&m, 1)); !w) {
      report.err += std::string("zonekiln: error: ") +
                    (code == 0 ? "the run succeeded (the zone was published, or left unchanged "
                                 "when nothing was due) but "
                               : "") +
                    w.error().detail + "\n";
      return code == 0 ? 4 : code;
    }
  }
  if (code == 0 && !a.stamp.empty()) {
    if (auto w = touch_stamp(a.stamp); !w) {
      report.err += "zonekiln: error: " + w.error().detail + "\n";
      return 4;
    }
  }
  return code;
}

}  // namespace

int run_compile(const ZoneArgs& args, bool sign, int64_t clock_now, Report& report) {
  if (sign && !args.config_file.empty()) return run_sign_config(args, clock_now, report);
  if (sign && (args.zones.size() != 1 || args.origin.empty() || args.key_dir.empty())) {
    report.err +=
        "zonekiln: error: sign needs ZONEFILE --origin ORIGIN --keys DIR, or --config FILE\n";
    return 2;
  }
  if (sign && (!args.shard.empty())) {
    report.err += "zonekiln: error: --shard selects zones of a --config file\n";
    return 2;
  }
  ZoneArgs a = args;  // sign takes the zone file from its positional list
  if (sign) a.zone_file = args.zones.front();
  Diagnostics diag;
  pipeline::CompileOptions o;
  if (auto r = compile_options(a, sign, o); !r) {
    report.err += "zonekiln: error: " + r.error().detail + "\n";
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  pipeline::SignOutcome outcome;
  Result<pipeline::Stats> res = pipeline::Stats{};
  int code = 0;
  if (sign) {
    if (auto r = sign_options(a, clock_now, o, report); !r) {
      report.err += "zonekiln: error: " + r.error().detail + "\n";
      code = exit_code_for(r.error().code);
      res = fail(r.error());
    }
  }
  if (code == 0) {
    o.outputs = {{"--output", o.output}, {"--stats-json", a.stats_json}};
    if (!a.changes.empty()) o.outputs.push_back({"--changes", a.changes});
    if (sign) {
      o.outputs.push_back({"--ds-output", o.signing.ds_output});
      o.outputs.push_back({"--metrics-file", a.metrics_file});
    }
    TerminalProgress progress;
    o.progress = progress.callback();
    if (!a.quiet) o.note = progress.note_callback();
    res = pipeline::compile_zone(o, diag, sign ? &outcome : nullptr);
    code = finish_compile(a, sign, res, diag, outcome, report);
  }
  if (!sign) return code;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return finish_sign_files(a, code, outcome, res, seconds, report);
}

emit::RunMetrics run_metrics(std::string zone, int code, const pipeline::SignOutcome& outcome,
                             const Result<pipeline::Stats>& res, double seconds) {
  emit::RunMetrics m;
  m.zone = std::move(zone);
  m.internal_failure = code == 4 || outcome.internal_failure;
  m.ksk_action_needed = outcome.ksk_action_needed;
  m.ksk_action_needed_seconds = outcome.ksk_action_needed_seconds;
  for (const auto& [tag, age] : outcome.ksk_ages) m.ksk_ages.push_back({tag, age});
  m.last_success = outcome.last_success;
  m.last_exit_code = code;
  m.rrsig_earliest_expiration = outcome.earliest_expiration;
  m.renewal_expected_share = outcome.renewal_expected_share;
  if (res) {
    m.rrsets_signed = outcome.rrsets_signed;
    m.rrsets_reused = outcome.rrsets_reused;
    m.rrsets_renewed_early = outcome.rrsets_renewed_early;
    m.ttl_clamped = res->clamped_rrsets;
  }
  m.run_duration_seconds = seconds;
  return m;
}

int finish_compile(const ZoneArgs& a, bool sign, const Result<pipeline::Stats>& res,
                   const Diagnostics& diag, const pipeline::SignOutcome& outcome, Report& report) {
  for (const Diagnostic& d : diag.sorted()) {
    // Cross-record checks have no single source position; name the file at least.
    if (d.error.where.line == 0) report.err += a.zone_file + ": ";
    report.err += diag.format(d) + "\n";
  }
  if (const size_t n = diag.warnings_not_listed()) {
    report.err += fmt::format("zonekiln: note: {} more warning(s) not listed\n", n);
  }
  if (!res) {
    report.err += "zonekiln: error: " + res.error().detail + "\n";
    return exit_code_for(res.error().code);
  }
  const pipeline::Stats& st = *res;
  if (!a.changes.empty()) {
    if (a.changes == "-") {
      report.out += st.changes_json;
    } else if (auto w = emit::write_file_atomic(a.changes, st.changes_json); !w) {
      report.err += "zonekiln: error: " + w.error().detail + "\n";
      return exit_code_for(w.error().code);
    }
  }
  if (sign && a.dry_run) {
    report.out += dry_run_text(a.origin, st, outcome.exit_code);
    return outcome.exit_code;
  }
  if (!a.quiet) {
    for (size_t i = st.notes_reported; i < st.notes.size(); ++i) {
      report.err += "zonekiln: note: " + st.notes[i] + "\n";
    }
    // "signed: figures" -> "zonekiln: signed ORIGIN: figures" (the single-zone form scripts read)
    const std::string line = summary_text(st, sign);
    const size_t colon = line.find(": ");
    if ((sign && st.unchanged) || colon == std::string::npos) {
      report.err += "zonekiln: " + a.origin + " " + line + "\n";
    } else {
      report.err +=
          "zonekiln: " + line.substr(0, colon) + " " + a.origin + line.substr(colon) + "\n";
    }
    if (sign && !st.renewal_forecast.empty()) {
      report.err += fmt::format(
          "zonekiln: renewals: the next {} runs (every {}) re-sign {} signatures if nothing "
          "changes; a run renews {:.1f}% of the zone on average\n",
          st.renewal_forecast.size(), duration_to_text(st.run_interval),
          fmt::join(st.renewal_forecast, " "), 100.0 * st.renewal_expected_share);
    }
  }
  if (!a.stats_json.empty()) {
    if (auto w = emit::write_file_atomic(a.stats_json, stats_json(st)); !w) {
      report.err += "zonekiln: error: " + w.error().detail + "\n";
      return exit_code_for(w.error().code);
    }
  }
  return sign ? outcome.exit_code : 0;
}

}  // namespace zk::cli
