// zonekiln: flags -> options -> pipeline -> exit code. The only catch in the program.
#include <oneapi/tbb/global_control.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <exception>
#include <functional>
#include <memory>

#include "cli/commands.hpp"

namespace {

// The command line parsed, the subcommand run, its output written; returns the exit code.
int run(int argc, char** argv) {
  if (auto hooks = zk::cli::install_test_hooks(); !hooks) {
    std::fprintf(stderr, "zonekiln: error: %s\n", hooks.error().detail.c_str());
    return 2;
  }
  // Named here, not from argv[0], so help (and the man pages made from it) says "zonekiln".
  CLI::App app{"zonekiln: DNS zone compiler and DNSSEC signer", "zonekiln"};
  app.require_subcommand(1);
  app.set_version_flag("--version", zk::cli::version_text,
                       "Print the versions of zonekiln and its libraries and exit");
  zk::cli::ZoneArgs zone;
  zk::cli::KeyArgs key;
  CLI::App* compile = zk::cli::add_compile(app, zone);
  CLI::App* sign = zk::cli::add_sign(app, zone);
  CLI::App* keygen = zk::cli::add_keygen(app, key);
  CLI::App* ds = zk::cli::add_ds(app, key);
  // Subcommands that carry their own options and set the action to run.
  std::function<int()> action;
  zk::cli::register_ksk(app, action);
  zk::cli::register_status(app, action);
  zk::cli::register_unsign(app, action);
  zk::cli::register_ksr(app, action);
  zk::cli::register_report(app, action);
  zk::cli::VerifyArgs verify_args;
  CLI::App* verify = zk::cli::add_verify(app, verify_args);
  std::string config_path;
  CLI::App* check_config = zk::cli::add_check_config(app, config_path);
  CLI::App* version =
      app.add_subcommand("version", "print the versions of zonekiln and its libraries");
  CLI::App* completion = app.add_subcommand(
      "completion", "print the bash completion script (the package installs it already)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A typo explains the failure better than what CLI11 noticed first (often "--keys is
    // required" after `--key DIR`).
    if (e.get_exit_code() != 0) {
      if (auto typo = zk::cli::unknown_word_message(app)) {
        std::fprintf(stderr, "zonekiln: error: %s\n", typo->c_str());
        return 2;
      }
    }
    return app.exit(e) == 0 ? 0 : 2;
  }
  std::unique_ptr<tbb::global_control> limit;
  const unsigned threads = zone.threads != 0 ? zone.threads : verify_args.threads;
  if (threads != 0) {
    limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                  threads);
  }
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  zk::cli::Report report;
  int code = 2;
  if (compile->parsed()) code = zk::cli::run_compile(zone, false, now, report);
  if (sign->parsed()) code = zk::cli::run_compile(zone, true, now, report);
  if (keygen->parsed()) code = zk::cli::run_keygen(key, now, report);
  if (ds->parsed()) code = zk::cli::run_ds(key, report);
  if (action) code = action();
  if (verify->parsed()) code = zk::cli::run_verify(verify_args, now, report);
  if (check_config->parsed()) code = zk::cli::run_check_config(config_path, report);
  if (version->parsed()) {
    report.out = zk::cli::version_text() + "\n";
    code = 0;
  }
  if (completion->parsed()) {
    report.out = zk::cli::bash_completion(app);
    code = 0;
  }
  std::fwrite(report.out.data(), 1, report.out.size(), stdout);
  std::fflush(stdout);
  std::fwrite(report.err.data(), 1, report.err.size(), stderr);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  // Under a file size limit (ulimit -f) a write past it raises SIGXFSZ, whose default action
  // kills the process without a word or a metrics file; ignored, the write fails with EFBIG
  // and is reported like a full disk (exit 4, path and errno named).
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zonekiln: internal error: %s\n", e.what());
    return 4;
  }
}
