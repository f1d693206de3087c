// The configuration file (TOML, read with toml++): named policies and the zone list.
//
//   [policy.default]            # applies to every zone that names no policy
//   sig-validity = "14d"
//   nsec3 = true
//
//   [policy.registry]
//   algorithm = "ECDSAP384SHA384"
//   zsk-lifetime = "60d"
//
//   [[zone]]
//   origin = "example.com."     # required
//   file = "zones/example.com.zone"   # required; paths are relative to this file's directory
//   keys = "keys/example.com"   # default keys/ORIGIN (without the final dot; "root" for .)
//   output = "signed/example.com.zone"   # default FILE.signed
//   ds-output = "ds/example.com.ds"      # default dsset-ORIGIN beside the output
//   policy = "registry"         # default "default" (the built-in defaults if not defined)
//
// Policy keys are the setting names of config/policy.hpp, the same as the long flags.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/policy.hpp"
#include "dns/name.hpp"
#include "dns/result.hpp"

namespace zk::config {

/// One problem in the file, with its position (line and column from 1; 0 = none).
struct ConfigError {
  std::string file;
  uint32_t line = 0, column = 0;
  std::string message;
  /// "FILE:LINE:COLUMN: error: MESSAGE".
  std::string format() const;
};

/// One [[zone]] table, paths made absolute (relative to the configuration file's directory).
struct ZoneEntry {
  std::string origin;  // absolute, lowercased presentation form ("example.com.")
  Name name;           // the same as a wire name
  std::string file, keys, output, ds_output;
  std::string policy;  // the policy's name ("default" when the table names none)
  uint32_t line = 0;   // where the table starts
};

struct Config {
  std::string path;
  std::map<std::string, Policy, std::less<>> policies;
  std::vector<ZoneEntry> zones;  // in file order

  /// The zone's policy: the named one, or "default", or all defaults.
  Policy policy_for(const ZoneEntry& zone) const;
  /// The zone with this origin (any case, final dot optional), or nullptr.
  const ZoneEntry* find(std::string_view origin) const;
};

/// Reads and checks the file: TOML syntax, unknown tables and keys (with the nearest known
/// name), value types and ranges (config::set), each policy's settings against each other
/// (validate, signer::check_timing with the clamp), zone origins (valid names, no duplicates),
/// policies a zone names, and paths two zones must not share (output, DS output, key directory,
/// an output that is another zone's input). Every problem found goes to errors; the result is
/// Errc::Usage when there is any. Reads only the configuration file itself.
Result<Config> load_config(const std::string& path, std::vector<ConfigError>& errors);

/// The same for text already read (name is used in the errors and for relative paths).
Result<Config> parse_config(std::string_view text, const std::string& name,
                            std::vector<ConfigError>& errors);

}  // namespace zk::config
