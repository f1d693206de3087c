// `zonekiln status`: zone and key states, next actions, RRSIG expiry, what a person must do.
#include <memory>

#include "cli/commands.hpp"
#include "cli/lifecycle_args.hpp"
#include "dns/timeparse.hpp"
#include "emit/metrics.hpp"
#include "signer/lifecycle/lifecycle.hpp"
#include "signer/lifecycle/status.hpp"

namespace zk::cli {

namespace {

struct StatusArgs {
  ZoneKeyArgs zone;
  PolicyFlags policy;
  std::string signed_file, metrics_file, warn = "3d";
  bool json = false;
};

int run_status(const StatusArgs& a) {
  auto now = resolve_now(a.zone.now);
  if (!now) return report_error(now.error());
  auto warn = parse_duration(a.warn);
  if (!warn) return report_error(warn.error());
  auto origin = origin_name(a.zone.origin);
  if (!origin) return report_error(origin.error());
  if (auto d = signer::require_key_dir(a.zone.keys, a.zone.origin); !d)
    return report_error(d.error());
  // Reading only: no lock, so status works while a sign run is in progress (the state file is
  // replaced atomically, so it is never seen half-written).
  auto file = signer::read_state(a.zone.keys);
  if (!a.metrics_file.empty()) {
    OutputGuard guard;
    guard.protect_file(a.signed_file, "the signed zone");
    signer::protect_keys(guard, a.zone.keys, file ? &*file : nullptr);
    if (auto g = guard.check({"--metrics-file", a.metrics_file}); !g)
      return report_error(g.error());
  }
  if (!file) {
    if (!a.metrics_file.empty()) {
      emit::RunMetrics m;
      m.zone = signer::normalize_origin(a.zone.origin);
      m.internal_failure = true;
      (void)emit::write_metrics(a.metrics_file, std::span(&m, 1));
    }
    return report_error(file.error());
  }
  const signer::ZoneKeyState* known = file->find(a.zone.origin);
  auto policy = apply_policy_options(a.policy, known);
  if (!policy) return report_error(policy.error());
  std::optional<signer::RrsigScan> scan;
  if (!a.signed_file.empty()) {
    // With the policy the zone was signed under: what the next runs will re-sign.
    const signer::ForecastRequest forecast{signer::renewal_schedule(*policy), *now, origin->view()};
    auto s = signer::scan_rrsig_file(a.signed_file, known ? &forecast : nullptr);
    if (!s) return report_error(s.error());
    scan = *s;
  }
  std::vector<signer::KeyProblem> problems;
  if (const signer::ZoneKeyState* z = known) {
    auto p11 = token_config();
    if (!p11) return report_error(p11.error());
    const auto loader = signer::file_key_loader(*origin, &*p11);
    problems = signer::check_ksk(*z, *policy, loader);
    auto zp = signer::check_zsk(*z, loader);
    problems.insert(problems.end(), zp.begin(), zp.end());
  }
  signer::StatusOptions o;
  o.now = *now;
  o.expiry_warning = *warn;
  const signer::StatusReport r =
      signer::build_status(*file, a.zone.origin, *policy, problems, scan, o);

  if (!a.metrics_file.empty()) {
    emit::RunMetrics m;
    m.zone = r.origin;
    if (r.known) {
      const signer::KeyFigures f = signer::key_figures(r.preview.state, *now);
      m.internal_failure = f.internal_failure;
      m.ksk_action_needed = f.ksk_action_needed;
      m.ksk_action_needed_seconds = f.ksk_action_needed_seconds;
      for (auto [tag, age] : f.ksk_ages) m.ksk_ages.push_back({tag, age});
      m.last_success = f.last_success;
      m.renewal_expected_share = signer::expected_share(r.renewal);
    }
    if (scan) m.rrsig_earliest_expiration = scan->earliest;
    if (auto w = emit::write_metrics(a.metrics_file, std::span(&m, 1)); !w) {
      return report_error(w.error());
    }
  }
  print_out(a.json ? signer::status_json(r, o) : signer::status_text(r, o));
  return r.exit_code;
}

}  // namespace

void register_status(CLI::App& root, std::function<int()>& action) {
  auto args = std::make_shared<StatusArgs>();
  CLI::App* cmd = root.add_subcommand(
      "status",
      "zone and key states, next actions, signature expiry; exit 3 when a key needs "
      "its owner, 4 on internal failure or signatures about to expire");
  add_zone_key_options(cmd, args->zone);
  add_policy_options(cmd, args->policy);
  cmd->add_option("--signed", args->signed_file, "the signed zone file, to read RRSIG expirations");
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->add_option("--metrics-file", args->metrics_file,
                  "also write Prometheus metrics here (node_exporter textfile collector)");
  cmd->add_option("--warn-expiry", args->warn,
                  "warn when the first RRSIG expires sooner than this (default 3d)");
  cmd->callback([args, &action] { action = [args] { return run_status(*args); }; });
}

}  // namespace zk::cli
