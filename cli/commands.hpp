// Internal to cli/: subcommand registration. Each register_X adds subcommand X to root; when X
// is parsed its callback sets action to the function that does the work and returns the exit
// code (0 done, 1 bad zone data, 2 bad usage, 3 a key needs its owner's action, 4 internal).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace zk::cli {

/// `zonekiln ksk add|activate|deactivate|remove|ds-seen|list` (cli/cmd_ksk.cpp).
void register_ksk(CLI::App& root, std::function<int()>& action);
/// `zonekiln status` (cli/cmd_status.cpp).
void register_status(CLI::App& root, std::function<int()>& action);
/// `zonekiln unsign` (cli/cmd_unsign.cpp).
void register_unsign(CLI::App& root, std::function<int()>& action);
/// `zonekiln ksr` and `zonekiln skr-sign`: the offline KSK exchange (cli/cmd_ksr.cpp).
void register_ksr(CLI::App& root, std::function<int()>& action);

}  // namespace zk::cli
