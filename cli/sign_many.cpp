// `zonekiln sign --config FILE [ZONE...]` and `zonekiln check-config FILE`: many zones, one
// process, one TBB arena.
//
// Scheduling: one task per zone in a tbb::task_group, largest zone file first, each zone's run
// isolated (this_task_arena::isolate) so that a thread waiting inside one zone's parallel stage
// only helps that zone and never starts another zone on top of its stack. Small zones then run
// side by side on all threads, and a large zone's own parallel stages use the threads the small
// ones leave free. Each zone has its own diagnostics, key lock, outcome and messages; nothing
// is shared between the tasks but read-only options.
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <set>

#include "cli/commands.hpp"
#include "cli/lifecycle_args.hpp"
#include "config/config_file.hpp"
#include "config/shard.hpp"
#include "dns/path_guard.hpp"
#include "dns/timeparse.hpp"
#include "emit/emit.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/pkcs11.hpp"

namespace zk::cli {

namespace {

struct ZoneRun {
  const config::ZoneEntry* zone = nullptr;
  config::Policy policy;
  uint64_t size = 0;  // bytes of the zone file, for the order
  int code = 0;
  std::string messages;  // every line starts with "zone ORIGIN: "
  Result<pipeline::Stats> stats = fail(Errc::Internal, "not run");
  pipeline::SignOutcome outcome;
  double seconds = 0;
};

// Options that belong to one zone: with --config they come from its [[zone]] table.
Result<void> refuse_per_zone_flags(const ZoneArgs& a) {
  for (auto [value, flag, key] :
       {std::tuple{&a.origin, "--origin", "origin"},
        {&a.key_dir, "--keys", "keys"},
        {&a.output, "--output", "output"},
        {&a.ds_output, "--ds-output", "ds-output"},
        {&a.previous, "--previous", "(none: the output is the previous version)"},
        {&a.skr, "--skr", "(none: sign offline-KSK zones one at a time)"},
        {&a.zsk_uri, "--zsk-uri", "(none: sign HSM-ZSK zones one at a time)"}}) {
    if (!value->empty()) {
      return fail(Errc::Usage, std::string(flag) + " is per zone and cannot be used with --config" +
                                   (key[0] == '(' ? std::string(" ") + key
                                                  : std::string("; set '") + key +
                                                        "' in the zone's [[zone]] table"));
    }
  }
  return ok();
}

uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// One zone, start to end; never throws for the zone's own problems (they become its code).
void sign_zone(ZoneRun& r, const ZoneArgs& a, int64_t now, int64_t clock_now,
               const signer::Pkcs11Config& p11, const std::vector<std::string>& include_dirs) {
  const auto t0 = std::chrono::steady_clock::now();
  const config::ZoneEntry& z = *r.zone;
  const std::string prefix = "zone " + z.origin + ": ";
  pipeline::CompileOptions o;
  o.zone_file = z.file;
  o.origin = z.name;
  o.strict = a.strict;
  o.sign = true;
  o.output = z.output;
  o.include_dirs = include_dirs;
  // The zones signed side by side share --memory-limit.
  o.memory_limit = a.memory_limit / std::max(1, tbb::this_task_arena::max_concurrency());
  o.temp_dir = a.temp_dir;
  // The pipeline checks these against the zone's inputs and key files before writing.
  o.outputs = {{"output", z.output}, {"ds-output", z.ds_output}};
  pipeline::SignOptions& s = o.signing;
  s.key_dir = z.keys;
  s.ds_output = z.ds_output;
  s.lock_wait = a.lock_wait;
  s.full = a.full;
  s.dry_run = a.dry_run;
  s.want_changes = !a.changes.empty();
  s.pkcs11 = p11;
  s.allow_deprecated_algorithm = a.allow_deprecated_algorithm;
  s.dnskey_signed_by_all = a.dnskey_signers == "all";
  Diagnostics diag;
  if (auto d = signer::require_key_dir(z.keys, z.origin); !d) {
    r.stats = fail(d.error());
  } else if (auto opts = config::sign_options(r.policy, now, clock_now, s); !opts) {
    r.stats = fail(opts.error());
  } else {
    r.stats = pipeline::compile_zone(o, diag, &r.outcome);
  }
  for (const Diagnostic& d : diag.sorted()) {
    // Cross-record checks have no position: name the file. The quoted source line and the
    // caret under it get the prefix too, so that every line names its zone.
    std::string text = (d.error.where.line == 0 ? z.file + ": " : "") + diag.format(d);
    for (size_t pos = 0; pos < text.size();) {
      const size_t nl = std::min(text.find('\n', pos), text.size());
      r.messages += prefix + text.substr(pos, nl - pos) + "\n";
      pos = nl + 1;
    }
  }
  if (!r.stats) {
    r.code = exit_code_for(r.stats.error().code);
    r.messages += prefix + "error: " + r.stats.error().detail + "\n";
  } else {
    r.code = r.outcome.exit_code;
    // Notes say what changed and what a person must do: shown unless --quiet on a clean run.
    if (!a.quiet || r.code != 0) {
      for (const auto& note : r.stats->notes) r.messages += prefix + "note: " + note + "\n";
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string outcome_word(const ZoneRun& r) {
  if (!r.stats) return "failed";
  if (r.code == 3) return r.stats->unchanged ? "unchanged-action-needed" : "signed-action-needed";
  return r.stats->unchanged ? "unchanged" : "signed";
}

std::string summary_json(const std::vector<ZoneRun>& runs, int worst) {
  nlohmann::json zones = nlohmann::json::array();
  for (const ZoneRun& r : runs) {
    nlohmann::json j;
    j["zone"] = r.zone->origin;
    j["file"] = r.zone->file;
    j["output"] = r.zone->output;
    j["policy"] = r.zone->policy;
    j["exit_code"] = r.code;
    j["outcome"] = outcome_word(r);
    j["seconds"] = r.seconds;
    if (r.stats) {
      j["stats"] = stats_object(*r.stats);
    } else {
      j["error"] = r.stats.error().detail;
    }
    zones.push_back(std::move(j));
  }
  nlohmann::json top;
  top["exit_code"] = worst;
  top["zones"] = std::move(zones);
  return top.dump(2) + "\n";
}

// The zones this run signs: the named ones (all when none), then the shard's share.
Result<std::vector<const config::ZoneEntry*>> select_zones(const config::Config& c,
                                                           const ZoneArgs& a) {
  std::vector<const config::ZoneEntry*> picked;
  if (a.zones.empty()) {
    for (const auto& z : c.zones) picked.push_back(&z);
  } else {
    std::set<const config::ZoneEntry*> seen;
    for (const std::string& name : a.zones) {
      const config::ZoneEntry* z = c.find(name);
      if (z == nullptr) {
        return fail(Errc::Usage, "zone " + name + " is not in " + c.path +
                                     " (the arguments after --config are zone names)");
      }
      if (seen.insert(z).second) picked.push_back(z);
    }
  }
  if (!a.shard.empty()) {
    auto shard = config::parse_shard(a.shard);
    if (!shard) return fail(shard.error());
    std::erase_if(picked, [&](const config::ZoneEntry* z) {
      return config::shard_of(z->origin, shard->count) != shard->index;
    });
  }
  return picked;
}

// The run's own files (metrics, statistics, stamp, changes) must not replace any zone's input,
// key or state file.
Result<void> guard_own_outputs(const std::vector<const config::ZoneEntry*>& picked,
                               const ZoneArgs& a) {
  OutputGuard guard;
  for (const config::ZoneEntry* z : picked) {
    guard.protect_file(z->file, "the zone file of " + z->origin);
    auto state = signer::read_state(z->keys);
    signer::protect_keys(guard, z->keys, state ? &*state : nullptr);
  }
  std::vector<NamedPath> own;
  if (!a.metrics_file.empty()) own.push_back({"--metrics-file", a.metrics_file});
  if (!a.stats_json.empty()) own.push_back({"--stats-json", a.stats_json});
  if (!a.stamp.empty()) own.push_back({"--stamp", a.stamp});
  if (!a.changes.empty()) own.push_back({"--changes", a.changes});
  return guard.check_all(own);
}

// The zones, largest first so that the last one to finish is a small one, each in its own
// isolated task (a zone's failure is its own).
void sign_all(std::vector<ZoneRun>& runs, const ZoneArgs& a, int64_t now, int64_t clock_now,
              const signer::Pkcs11Config& p11, const std::vector<std::string>& include_dirs) {
  std::vector<size_t> order(runs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return runs[x].size > runs[y].size; });
  tbb::task_group group;
  for (size_t i : order) {
    group.run([&, i] {
      tbb::this_task_arena::isolate(
          [&] { sign_zone(runs[i], a, now, clock_now, p11, include_dirs); });
    });
  }
  group.wait();
}

// Each zone's messages and outcome in file order, whatever order the zones finished in, and the
// line for the whole run. Returns the worst exit code.
int report_zones(const std::vector<ZoneRun>& runs, const ZoneArgs& a, Report& report) {
  int worst = 0;
  size_t failed = 0;
  for (const ZoneRun& r : runs) {
    worst = std::max(worst, r.code);
    failed += r.code != 0;
    report.err += r.messages;
    if (a.dry_run && r.stats) report.out += dry_run_text(r.zone->origin, *r.stats, r.code);
    if (r.code != 0) {
      report.err += "zone " + r.zone->origin + ": " + outcome_word(r) + " (exit " +
                    std::to_string(r.code) + ")\n";
    } else if (!a.quiet && !a.dry_run) {
      report.err += "zone " + r.zone->origin + ": " + summary_text(*r.stats, true) + "\n";
    }
  }
  if (!a.quiet || failed != 0) {
    report.err += "zonekiln: " + std::to_string(runs.size()) + " zone(s), " +
                  std::to_string(runs.size() - failed) + " ok, " + std::to_string(failed) +
                  " failed; exit " + std::to_string(worst) + "\n";
  }
  return worst;
}

// --changes: one object per zone that ran, each as `sign --changes` writes it for one zone.
std::string changes_text(const std::vector<ZoneRun>& runs) {
  nlohmann::json zones = nlohmann::json::array();
  for (const ZoneRun& r : runs) {
    if (r.stats && !r.stats->changes_json.empty()) {
      zones.push_back(nlohmann::json::parse(r.stats->changes_json));
    }
  }
  nlohmann::json top;
  top["zones"] = std::move(zones);
  return top.dump(2) + "\n";
}

// The run's own files: --stats-json, one --metrics-file for every zone (each sample labelled
// with its zone), and the --stamp when every zone succeeded. A file that cannot be written
// makes the run exit 4.
int write_run_files(const std::vector<ZoneRun>& runs, const ZoneArgs& a, int worst,
                    Report& report) {
  auto failed = [&](const Error& e) {
    report.err += "zonekiln: error: " + e.detail + "\n";
    worst = std::max(worst, 4);
  };
  if (!a.stats_json.empty()) {
    if (auto w = emit::write_file_atomic(a.stats_json, summary_json(runs, worst)); !w) {
      failed(w.error());
    }
  }
  if (!a.metrics_file.empty()) {
    std::vector<emit::RunMetrics> metrics;
    metrics.reserve(runs.size());
    for (const ZoneRun& r : runs) {
      metrics.push_back(run_metrics(r.zone->origin, r.code, r.outcome, r.stats, r.seconds));
    }
    if (auto w = emit::write_metrics(a.metrics_file, metrics); !w) failed(w.error());
  }
  if (worst == 0 && !a.stamp.empty()) {
    if (auto w = touch_stamp(a.stamp); !w) failed(w.error());
  }
  return worst;
}

}  // namespace

int run_sign_config(const ZoneArgs& a, int64_t clock_now, Report& report) {
  auto usage = [&](const Error& e) {
    report.err += "zonekiln: error: " + e.detail + "\n";
    return 2;
  };
  if (auto r = refuse_per_zone_flags(a); !r) return usage(r.error());
  std::vector<config::ConfigError> errors;
  auto cfg = config::load_config(a.config_file, errors);
  for (const auto& e : errors) report.err += e.format() + "\n";
  if (!cfg) return usage(cfg.error());
  auto picked = select_zones(*cfg, a);
  if (!picked) return usage(picked.error());

  int64_t now = clock_now;
  if (!a.now.empty()) {
    auto t = parse_time(a.now, clock_now);
    if (!t) return usage(t.error());
    now = *t;
    if (auto r = check_serial_time("--now " + a.now, now, clock_now, "the clock"); !r) {
      return usage(r.error());
    }
  }
  if (auto g = guard_own_outputs(*picked, a); !g) return usage(g.error());
  std::vector<std::string> warnings;
  auto flags = a.policy.policy(warnings);
  for (const auto& w : warnings) report.err += "zonekiln: warning: " + w + "\n";
  if (!flags) return usage(flags.error());
  auto p11 = token_config(a.pkcs11_module, a.pin_file);
  if (!p11) return usage(p11.error());
  std::vector<std::string> include_dirs;
  for (const auto& d : a.include_dirs) {
    std::error_code ec;
    include_dirs.push_back(std::filesystem::absolute(d, ec).lexically_normal().string());
  }

  std::vector<ZoneRun> runs(picked->size());
  for (size_t i = 0; i < runs.size(); ++i) {
    runs[i].zone = (*picked)[i];
    // Command-line flags override the file's policy.
    runs[i].policy = config::overlay(cfg->policy_for(*runs[i].zone), *flags);
    runs[i].size = file_size(runs[i].zone->file);
  }
  sign_all(runs, a, now, clock_now, *p11, include_dirs);

  int worst = report_zones(runs, a, report);
  if (!a.changes.empty()) {
    const std::string text = changes_text(runs);
    if (a.changes == "-") {
      report.out += text;
    } else if (auto w = emit::write_file_atomic(a.changes, text); !w) {
      report.err += "zonekiln: error: " + w.error().detail + "\n";
      worst = std::max(worst, 4);
    }
  }
  // A dry run writes nothing but its plan (and --changes).
  if (a.dry_run) return worst;
  return write_run_files(runs, a, worst, report);
}

CLI::App* add_check_config(CLI::App& app, std::string& path) {
  CLI::App* cmd = app.add_subcommand(
      "check-config",
      "check a configuration file: every error with file:line:column; exit 0 when valid, 2 not");
  cmd->add_option("FILE", path, "the configuration file (TOML)")->required();
  return cmd;
}

int run_check_config(const std::string& path, Report& report) {
  std::vector<config::ConfigError> errors;
  auto cfg = config::load_config(path, errors);
  for (const auto& e : errors) report.err += e.format() + "\n";
  if (!cfg) {
    report.err += "zonekiln: " + cfg.error().detail + "\n";
    return 2;
  }
  std::string names;
  for (const auto& [name, p] : cfg->policies) names += (names.empty() ? "" : ", ") + name;
  report.out += path + ": ok: " + std::to_string(cfg->zones.size()) + " zone(s), " +
                std::to_string(cfg->policies.size()) + " polic" +
                (cfg->policies.size() == 1 ? "y" : "ies") +
                (names.empty() ? std::string() : " (" + names + ")") + "\n";
  return 0;
}

}  // namespace zk::cli
