// `zonekiln report`: one self-contained HTML page about a zone's keys
// (signer/lifecycle/report.hpp).
#include <memory>

#include "cli/commands.hpp"
#include "cli/lifecycle_args.hpp"
#include "dns/atomic_file.hpp"
#include "dns/path_guard.hpp"
#include "signer/lifecycle/ksk.hpp"
#include "signer/lifecycle/lifecycle.hpp"
#include "signer/lifecycle/renewal.hpp"
#include "signer/lifecycle/report.hpp"
#include "signer/lifecycle/status.hpp"

namespace zk::cli {

namespace {

struct ReportArgs {
  ZoneKeyArgs zone;
  PolicyFlags policy;
  std::string signed_file, output;
};

int run_report(const ReportArgs& a) {
  auto now = resolve_now(a.zone.now);
  if (!now) return report_error(now.error());
  auto origin = origin_name(a.zone.origin);
  if (!origin) return report_error(origin.error());
  if (auto d = signer::require_key_dir(a.zone.keys, a.zone.origin); !d)
    return report_error(d.error());
  // Reading only, like status: no lock (the state file is replaced atomically).
  auto file = signer::read_state(a.zone.keys);
  if (!file) return report_error(file.error());
  OutputGuard guard;
  guard.protect_file(a.signed_file, "the signed zone");
  signer::protect_keys(guard, a.zone.keys, &*file);
  if (auto g = guard.check({"--output", a.output}); !g) return report_error(g.error());

  signer::ReportInput in;
  in.origin = signer::normalize_origin(a.zone.origin);
  in.zone = file->find(in.origin);
  auto policy = apply_policy_options(a.policy, in.zone);
  if (!policy) return report_error(policy.error());
  in.policy = *policy;
  in.now = *now;
  if (in.zone) {
    const auto loader = signer::file_key_loader(*origin);
    in.problems = signer::check_ksk(*in.zone, in.policy, loader);
    auto zp = signer::check_zsk(*in.zone, loader);
    in.problems.insert(in.problems.end(), zp.begin(), zp.end());
  }
  if (!a.signed_file.empty()) {
    // With the policy the zone was signed under: what the next runs will re-sign.
    const signer::ForecastRequest forecast{signer::renewal_schedule(in.policy), in.now,
                                           origin->view()};
    auto scan = signer::scan_rrsig_file(a.signed_file, in.zone ? &forecast : nullptr);
    if (!scan) return report_error(scan.error());
    in.rrsigs = std::move(*scan);
    in.signed_file = a.signed_file;
  }
  const std::string html = signer::report_html(in);
  if (a.output == "-") return print_out(html);
  if (auto w = zk::write_file_atomic(a.output, html); !w) return report_error(w.error());
  return print_out("wrote " + a.output + "\n");
}

}  // namespace

void register_report(CLI::App& root, std::function<int()>& action) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = root.add_subcommand(
      "report",
      "one self-contained HTML page: the key timeline (past and planned), RRSIG expirations by "
      "day, TTLs clamped, the last runs");
  add_zone_key_options(cmd, args->zone);
  // The report reads the state without its lock (the file is replaced atomically): no
  // --lock-wait to offer.
  cmd->remove_option(cmd->get_option("--lock-wait"));
  add_policy_options(cmd, args->policy);
  cmd->add_option("--signed", args->signed_file,
                  "the signed zone file, for the RRSIG expiration histogram");
  cmd->add_option("--output", args->output, "where to write the HTML page ('-' = stdout)")
      ->required();
  cmd->callback([args, &action] { action = [args] { return run_report(*args); }; });
}

}  // namespace zk::cli
