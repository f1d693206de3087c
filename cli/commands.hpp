// Internal to cli/: subcommand registration and execution.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/policy_flags.hpp"
#include "dns/name.hpp"
#include "dns/result.hpp"
#include "emit/metrics.hpp"
#include "parser/parser.hpp"
#include "pipeline/pipeline.hpp"

namespace zk::cli {

/// What a subcommand wants printed. Only main writes to stdout/stderr.
struct Report {
  std::string out;  // stdout
  std::string err;  // stderr (diagnostics, summary)
};

/// --memory-limit's default: half of the memory this process may use (the machine's, or its
/// cgroup's limit when lower).
uint64_t default_memory_limit() noexcept;
/// "512 bytes", "37.1 MiB", "12.0 GiB".
std::string size_text(uint64_t bytes);
/// --memory-limit SIZE (k, M, G suffixes; negative sizes refused) and --temp-dir DIR (an existing
/// directory), for compile, sign and verify. what: what happens beyond the limit; more: what it
/// does not cover (may be empty); temp_default: where the files go without --temp-dir.
void add_memory_options(CLI::App* cmd, uint64_t& limit, std::string& temp_dir,
                        const std::string& what, const std::string& more,
                        const std::string& temp_default);

struct ZoneArgs {
  std::string zone_file, origin, output, ds_output, key_dir, stats_json;
  std::string rclass;  // compile --class; empty: from the zone file
  std::vector<std::string> include_dirs;
  std::vector<std::string> zones;  // sign --config: the zones to sign (default: all)
  bool strict = false;
  unsigned threads = 0;
  std::string now;
  // Unattended operation (key lifecycle, metrics, make, schedulers).
  std::string metrics_file, previous, config_file, shard, stamp;
  int lock_wait = 60;
  bool full = false, quiet = false;
  bool dry_run = false;
  std::string changes;                                // --changes FILE ('-' = stdout)
  std::string skr, pin_file, pkcs11_module, zsk_uri;  // offline KSK response; HSM keys
  bool allow_deprecated_algorithm = false;            // RSASHA1 (5, 7): RFC 8624 NOT RECOMMENDED
  std::string dnskey_signers = "ksk";                 // ksk | all
  PolicyFlags policy;                                 // signing policy (config/policy.hpp)
  parser::InputBudget budget;                         // --max-records, --max-includes, ...
  uint64_t memory_limit = default_memory_limit();     // --memory-limit (0: none)
  std::string temp_dir;                               // --temp-dir
};

struct KeyArgs {
  std::string origin, key_dir, digests = "2", config_file;
  std::vector<std::string> zones;  // keygen --config: the zones (default: all)
  bool ksk = false;
  bool allow_deprecated_algorithm = false;
  PolicyFlags policy;  // algorithm, bits
  int tag = -1;        // ds --tag: one KSK only
};

/// DS records (zone-file lines, "ORIGIN TTL IN DS ...") of one DNSKEY, one per digest type.
Result<std::string> ds_lines(NameView origin, std::span<const uint8_t> dnskey_rdata,
                             const std::vector<uint8_t>& digests, uint32_t ttl);

struct VerifyArgs {
  std::string zone_file, origin, ds_file, now;
  uint64_t memory_limit = default_memory_limit();  // --memory-limit (0: none)
  std::string temp_dir;                            // --temp-dir
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
/// `sign --config FILE [ZONE...]`: every configured zone (or the named ones, or a --shard of
/// them) in one process, zones in parallel on the one TBB arena; the worst zone's exit code
/// (cli/sign_many.cpp).
int run_sign_config(const ZoneArgs& args, int64_t clock_now, Report& report);
/// `check-config FILE`: 0 when the file is valid, 2 with every error otherwise.
CLI::App* add_check_config(CLI::App& app, std::string& path);
int run_check_config(const std::string& path, Report& report);

/// The figures of a compile or sign run as a JSON object (the --stats-json format), and as text.
nlohmann::json stats_object(const pipeline::Stats& st);
std::string stats_json(const pipeline::Stats& st);
/// The one-line summary of a run ("signed 12 RRsets (...)"), without prefix or newline.
std::string summary_text(const pipeline::Stats& st, bool sign);
/// The plan `sign --dry-run` prints for one zone: key events due, the next one, what the owner
/// must do, the RRsets it would sign and why, the serial, TTLs clamped, and the exit code.
std::string dry_run_text(std::string_view origin, const pipeline::Stats& st, int exit_code);
/// One zone's Prometheus figures from a sign run's result (exit code, outcome, stats).
emit::RunMetrics run_metrics(std::string zone, int code, const pipeline::SignOutcome& outcome,
                             const Result<pipeline::Stats>& res, double seconds);
/// Touches (creates or updates the mtime of) a make stamp file. Errc::Io on failure.
Result<void> touch_stamp(const std::string& path);
int run_keygen(const KeyArgs& args, int64_t clock_now, Report& report);
int run_ds(const KeyArgs& args, Report& report);
/// 0: the zone is valid; 1: it is not (or does not parse); 2: usage.
int run_verify(const VerifyArgs& args, int64_t clock_now, Report& report);

/// A progress line on stderr while a run takes longer than a second, only when stderr is a
/// terminal: the stage, a bar, names done of total, the rate and the time left; the line is
/// cleared when the object goes away. Notes (key events) are printed on their own line as they
/// happen, on a terminal or not. Not thread-safe (the pipeline calls it from the thread that
/// drives the run). ZK_TEST_PROGRESS=1 draws from the first call (tests run under a pty).
class TerminalProgress {
 public:
  TerminalProgress();
  ~TerminalProgress();
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;
  /// Empty when stderr is not a terminal.
  pipeline::ProgressFn callback();
  pipeline::NoteFn note_callback();

 private:
  void draw(const char* stage, uint64_t done, uint64_t total);
  void clear_line();
  bool enabled_;
  bool at_once_ = false;
  bool drawn_ = false;
  std::string stage_;
  std::chrono::steady_clock::time_point start_, last_, stage_start_;
};

/// Test build (ZK_TEST_HOOKS) only: failure injection from ZK_TEST_FAIL_AT (cli/test_hooks.cpp).
/// Does nothing in the installed binary. Errc::Usage for a malformed specification.
Result<void> install_test_hooks();
/// Empty in zonekiln; a note in zonekiln-test's --version (cli/test_hooks.cpp).
std::string_view build_variant();

/// `zonekiln --version` / `zonekiln version`: zonekiln's version and git revision, and the
/// OpenSSL, oneTBB (both as loaded at run time) and Boost (headers at build time) versions
/// (cli/version.cpp). No final newline.
std::string version_text();

/// `zonekiln completion`: a bash completion script for every subcommand and option of root,
/// made from the option tree itself (cli/completion.cpp).
std::string bash_completion(const CLI::App& root);

/// After CLI11 failed to parse a command line: when a word was not recognised (an unknown
/// subcommand such as `sing`, an unknown option such as `--key`, a stray argument), the error
/// text naming it, the command it was given to, and the closest valid name when one is near
/// (closest_name). nullopt when every word was recognised (the CLI11 message is right then).
std::optional<std::string> unknown_word_message(const CLI::App& root);
/// The name in names nearest to word by edit distance (swaps of neighbours count one), when it
/// is near enough to be a likely typo; nullopt otherwise.
std::optional<std::string> closest_name(std::string_view word,
                                        const std::vector<std::string>& names);
size_t edit_distance(std::string_view a, std::string_view b);

/// --origin: the zone apex as an absolute, lowercased name; the final dot may be omitted.
Result<Name> origin_arg(std::string text);

/// Creates a key directory (mode 0700) when it does not exist yet.
Result<void> ensure_key_dir(const std::string& dir);

// Subcommands registered by register_X: when X is parsed its callback sets action to the function
// that does the work and returns the exit code.

/// `zonekiln ksk add|activate|deactivate|remove|ds-seen|list` (cli/cmd_ksk.cpp).
void register_ksk(CLI::App& root, std::function<int()>& action);
/// `zonekiln status` (cli/cmd_status.cpp).
void register_status(CLI::App& root, std::function<int()>& action);
/// `zonekiln unsign` (cli/cmd_unsign.cpp).
void register_unsign(CLI::App& root, std::function<int()>& action);
/// `zonekiln report`: the zone's key timeline, RRSIG expirations and last runs as one HTML page.
void register_report(CLI::App& root, std::function<int()>& action);
/// `zonekiln ksr` and `zonekiln skr-sign`: the offline KSK exchange (cli/cmd_ksr.cpp).
void register_ksr(CLI::App& root, std::function<int()>& action);

}  // namespace zk::cli
