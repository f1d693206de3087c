// check-config: every error with its line and column, unknown keys with a suggestion, zones
// that would clash refused.
#include "config/config_file.hpp"

#include <catch2/catch.hpp>

using namespace zk;

namespace {

struct Parsed {
  Result<config::Config> config;
  std::vector<config::ConfigError> errors;
};

Parsed parse(std::string_view text) {
  Parsed p{fail(Errc::Internal, ""), {}};
  p.config = config::parse_config(text, "/srv/zk/zonekiln.toml", p.errors);
  return p;
}

bool has_error(const Parsed& p, uint32_t line, uint32_t column, std::string_view fragment) {
  for (const auto& e : p.errors) {
    if (e.line == line && (column == 0 || e.column == column) &&
        e.message.find(fragment) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string all(const Parsed& p) {
  std::string s;
  for (const auto& e : p.errors) s += e.format() + "\n";
  return s;
}

}  // namespace

TEST_CASE("a valid file: policies, zones, defaults and relative paths", "[config]") {
  const Parsed p = parse(R"(
[policy.default]
sig-validity = "21d"
sig-refresh = "10d"

[policy.registry]
nsec3 = true
nsec3-opt-out = true
max-ttl = 86400
zonemd = true

[[zone]]
origin = "Example.COM"
file = "zones/example.com.zone"

[[zone]]
origin = "example.net."
file = "/abs/example.net.zone"
keys = "../keys/net"
output = "out/example.net.signed"
ds-output = "ds/example.net.ds"
policy = "registry"
)");
  INFO(all(p));
  REQUIRE(p.config.has_value());
  const config::Config& c = *p.config;
  REQUIRE(c.zones.size() == 2);
  const config::ZoneEntry& a = c.zones[0];
  CHECK(a.origin == "example.com.");
  CHECK(a.file == "/srv/zk/zones/example.com.zone");
  CHECK(a.keys == "/srv/zk/keys/example.com");
  CHECK(a.output == "/srv/zk/zones/example.com.zone.signed");
  CHECK(a.ds_output == "/srv/zk/zones/dsset-example.com.");
  CHECK(a.policy == "default");
  CHECK(*c.policy_for(a).sig_validity == 21 * 86400);
  const config::ZoneEntry& b = c.zones[1];
  CHECK(b.file == "/abs/example.net.zone");
  CHECK(b.keys == "/srv/keys/net");
  CHECK(b.output == "/srv/zk/out/example.net.signed");
  CHECK(b.ds_output == "/srv/zk/ds/example.net.ds");
  CHECK(*c.policy_for(b).nsec3_opt_out);
  CHECK_FALSE(c.policy_for(b).sig_validity.has_value());  // policies do not inherit
  CHECK(c.find("EXAMPLE.net") == &b);
  CHECK(c.find("example.org") == nullptr);
}

TEST_CASE("every error is reported with line, column and what was expected", "[config]") {
  const Parsed p = parse(R"([policy.default]
sig-validty = "14d"
max-ttl = "forever"
csk = "yes"
nsec3-iterations = 1.5

[policy.short]
sig-refresh = "2d"

[zones]
x = 1

[[zone]]
origin = "a.example."
file = "a.zone"
keys = "k/a"
polcy = "short"

[[zone]]
origin = "b.example."
file = "b.zone"
keys = "k/a"
policy = "shrot"

[[zone]]
origin = "A.example"
file = "c.zone"

[[zone]]
file = "d.zone"

[[zone]]
origin = "e.example."
file = "e.zone"
output = "a.zone"
)");
  INFO(all(p));
  REQUIRE_FALSE(p.config.has_value());
  CHECK(p.config.error().code == Errc::Usage);
  CHECK(has_error(p, 2, 1, "unknown policy setting 'sig-validty' (did you mean 'sig-validity'?)"));
  CHECK(has_error(p, 3, 11, "max-ttl: expected seconds"));
  CHECK(has_error(p, 4, 7, "csk: expected true or false, not a string"));
  CHECK(has_error(p, 5, 20, "nsec3-iterations: expected 0 to 150"));
  CHECK(has_error(p, 7, 0, "policy 'short': refresh window"));  // the timing check
  CHECK(has_error(p, 10, 2, "unknown table 'zones' (did you mean 'zone'?)"));
  CHECK(has_error(p, 17, 1, "unknown zone key 'polcy' (did you mean 'policy'?)"));
  CHECK(has_error(p, 23, 10, "policy: no [policy.shrot] in this file (did you mean 'short'?)"));
  CHECK(has_error(p, 19, 0, "key directory"));
  CHECK(has_error(p, 25, 0, "duplicate zone a.example. (first at line 13)"));
  CHECK(has_error(p, 29, 0, "[[zone]] needs 'origin'"));
  CHECK(has_error(p, 32, 0, "output /srv/zk/a.zone of e.example. is the zone file of a.example."));
  // Sorted by position, formatted as file:line:column.
  CHECK(p.errors.front().format() ==
        "/srv/zk/zonekiln.toml:2:1: error: unknown policy setting 'sig-validty' (did you mean "
        "'sig-validity'?)");
}

TEST_CASE("two zones must not write the same file", "[config]") {
  const Parsed p = parse(R"(
[[zone]]
origin = "a.example."
file = "zones/a.zone"
ds-output = "ds/shared"

[[zone]]
origin = "b.example."
file = "zones/b.zone"
ds-output = "ds/./shared"
)");
  REQUIRE_FALSE(p.config.has_value());
  CHECK(has_error(p, 7, 0,
                  "ds-output /srv/zk/ds/shared of b.example. is also the ds-output of "
                  "a.example. (line 2)"));
}

TEST_CASE("a TOML syntax error is reported at its position", "[config]") {
  const Parsed p = parse("[policy.default]\nsig-validity = \"14d\n");
  REQUIRE_FALSE(p.config.has_value());
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0].line == 2);
  CHECK(p.errors[0].column > 1);
}

TEST_CASE("a missing file is an error naming it", "[config]") {
  std::vector<config::ConfigError> errors;
  CHECK_FALSE(config::load_config("/nonexistent/zonekiln.toml", errors).has_value());
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].file == "/nonexistent/zonekiln.toml");
}
