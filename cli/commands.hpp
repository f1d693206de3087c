// Internal to cli/: subcommand registration and execution.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/result.hpp"
#include "parser/parser.hpp"
#include "pipeline/pipeline.hpp"

namespace zk::cli {

/// What a subcommand wants printed. Only main writes to stdout/stderr.
struct Report {
  std::string out;  // stdout
  std::string err;  // stderr (diagnostics, summary)
};

/// Exit codes (documented in the README): 0 ok, 1 bad zone data, 2 bad usage, 3 a key needs
/// the owner's action, 4 internal failure.
int exit_code_for(Errc code) noexcept;

struct ZoneArgs {
  std::string zone_file, origin, output, ds_output, key_dir, stats_json;
  std::vector<std::string> include_dirs;
  bool strict = false;
  unsigned threads = 0;
  bool nsec3 = false, opt_out = false, csk = false, cds = true, no_cds = false, zonemd = false;
  uint16_t nsec3_iterations = 0;
  std::string nsec3_salt = "-";
  std::string zonemd_hash;  // empty: SHA-384 when --zonemd is given
  uint32_t max_ttl = 604800;
  std::string serial = "increment", inception, expiration, now;
  std::string verify = "full";
  bool no_verify = false;
  // Unattended operation (key lifecycle, metrics).
  std::string metrics_file, refresh, jitter, zsk_lifetime, previous;
  int lock_wait = 60;
  bool full = false;
  std::string skr, pin_file, pkcs11_module, zsk_uri;  // offline KSK response; HSM keys
  bool allow_deprecated_algorithm = false;            // RSASHA1 (5, 7): RFC 8624 NOT RECOMMENDED
  std::string dnskey_signers = "ksk";                 // ksk | all
  parser::InputBudget budget;                         // --max-records, --max-includes, ...
};

struct KeyArgs {
  std::string origin, key_dir, algorithm = "ECDSAP256SHA256", digests = "2";
  bool ksk = false;
  unsigned bits = 0;
  bool allow_deprecated_algorithm = false;
};

struct VerifyArgs {
  std::string zone_file, origin, ds_file, now;
  unsigned threads = 0;
  bool structure_only = false;
  bool zonemd_only = false;
  parser::InputBudget budget;
};

/// --max-records, --max-input-bytes, --max-includes, --max-include-depth, --max-record-length
/// (cli/budget_args.cpp), bound to budget.
void add_budget_flags(CLI::App* cmd, parser::InputBudget& budget);

CLI::App* add_compile(CLI::App& app, ZoneArgs& args);
CLI::App* add_sign(CLI::App& app, ZoneArgs& args);
CLI::App* add_keygen(CLI::App& app, KeyArgs& args);
CLI::App* add_ds(CLI::App& app, KeyArgs& args);
CLI::App* add_verify(CLI::App& app, VerifyArgs& args);

/// Each returns the process exit code.
int run_compile(const ZoneArgs& args, bool sign, int64_t clock_now, Report& report);
int run_keygen(const KeyArgs& args, int64_t clock_now, Report& report);
int run_ds(const KeyArgs& args, Report& report);
/// 0: the zone is valid; 1: it is not (or does not parse); 2: usage.
int run_verify(const VerifyArgs& args, int64_t clock_now, Report& report);

/// A progress bar on stderr while a run takes longer than a second, only when stderr is a
/// terminal; the line is cleared when the object goes away. Not thread-safe (the pipeline calls
/// it from the thread that drives the run).
class TerminalProgress {
 public:
  TerminalProgress();
  ~TerminalProgress();
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;
  /// Empty when stderr is not a terminal.
  pipeline::ProgressFn callback();

 private:
  void draw(const char* stage, double fraction);
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

/// --origin: the zone apex as an absolute, lowercased name; the final dot may be omitted.
Result<Name> origin_arg(std::string text);

/// Creates a key directory (mode 0700) when it does not exist yet.
Result<void> ensure_key_dir(const std::string& dir);

/// A time argument: YYYYMMDDHHmmSS (UTC), unix seconds, or an offset from now such as
/// "+30d", "-1h" (units s, m, h, d, w). Errc::Usage when malformed.
Result<int64_t> parse_time_arg(const std::string& text, int64_t now);

// Subcommands registered by register_X: when X is parsed its callback sets action to the function
// that does the work and returns the exit code.

/// `zonekiln ksk add|activate|deactivate|remove|ds-seen|list` (cli/cmd_ksk.cpp).
void register_ksk(CLI::App& root, std::function<int()>& action);
/// `zonekiln status` (cli/cmd_status.cpp).
void register_status(CLI::App& root, std::function<int()>& action);
/// `zonekiln unsign` (cli/cmd_unsign.cpp).
void register_unsign(CLI::App& root, std::function<int()>& action);
/// `zonekiln ksr` and `zonekiln skr-sign`: the offline KSK exchange (cli/cmd_ksr.cpp).
void register_ksr(CLI::App& root, std::function<int()>& action);

}  // namespace zk::cli
