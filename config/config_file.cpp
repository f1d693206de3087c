// The configuration file reader. Debian's toml++ is a shared library built with exceptions: a
// syntax error is a toml::parse_error, caught right at the parse call (the one place it can
// come from) and turned into a ConfigError like every other problem here.
#include "config/config_file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <set>

#include "dns/atomic_file.hpp"

namespace zk::config {

namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 2> kTopKeys = {"policy", "zone"};
constexpr std::array<std::string_view, 6> kZoneKeys = {"origin", "file",      "keys",
                                                       "output", "ds-output", "policy"};

class Reader {
 public:
  Reader(std::string name, std::vector<ConfigError>& errors)
      : name_(std::move(name)), errors_(errors) {
    std::error_code ec;
    const fs::path abs = fs::absolute(name_, ec);
    dir_ = abs.parent_path();
  }

  void error(const toml::source_region& where, std::string message) {
    errors_.push_back({name_, static_cast<uint32_t>(where.begin.line),
                       static_cast<uint32_t>(where.begin.column), std::move(message)});
  }

  void unknown_key(const toml::key& key, std::string_view what,
                   std::span<const std::string_view> known) {
    std::string msg = "unknown " + std::string(what) + " '" + std::string(key.str()) + "'";
    const std::string near = closest(key.str(), known);
    if (!near.empty()) msg += " (did you mean '" + near + "'?)";
    error(key.source(), std::move(msg));
  }

  std::string path(std::string_view p) const {
    fs::path v(p);
    if (v.is_relative()) v = dir_ / v;
    return v.lexically_normal().string();
  }

  void read_policy(std::string_view pname, const toml::table& t, Config& c);
  void read_zone(const toml::table& t, Config& c);
  void check_zones(Config& c);

 private:
  std::string name_;
  std::vector<ConfigError>& errors_;
  fs::path dir_;
  std::vector<std::pair<std::string, toml::source_region>> policy_refs_;
  friend Result<Config> zk::config::parse_config(std::string_view, const std::string&,
                                                 std::vector<ConfigError>&);
};

std::vector<std::string_view> setting_names() {
  std::vector<std::string_view> names;
  for (const Setting& s : settings()) names.push_back(s.name);
  return names;
}

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date or time";
  }
}

void Reader::read_policy(std::string_view pname, const toml::table& t, Config& c) {
  Policy p;
  const size_t before = errors_.size();
  const auto names = setting_names();
  for (auto&& [key, node] : t) {
    const Setting* s = find_setting(key.str());
    if (s == nullptr) {
      unknown_key(key, "policy setting", names);
      continue;
    }
    Value v;
    if (auto b = node.as_boolean()) {
      v = b->get();
    } else if (auto i = node.as_integer()) {
      v = i->get();
    } else if (auto str = node.as_string()) {
      v = str->get();
    } else {
      error(node.source(),
            std::string(s->name) + ": expected " +
                std::string(s->expected.empty() ? (s->kind == Kind::Duration
                                                       ? "a duration such as \"14d\" or seconds"
                                                       : "seconds or a duration such as \"1d\"")
                                                : s->expected) +
                ", not " + type_name(node));
      continue;
    }
    if (s->kind == Kind::Bool && !std::holds_alternative<bool>(v)) {
      error(node.source(),
            std::string(s->name) + ": expected true or false, not " + type_name(node));
      continue;
    }
    if (auto r = s->set(p, v); !r) error(node.source(), r.error().detail);
  }
  if (errors_.size() == before) {
    // Settings against each other; the timing check assumes the zone's TTLs reach the clamp
    // (with no clamp the zone's own largest TTL decides, at sign time).
    auto v = validate(p);
    if (!v) {
      error(t.source(), "policy '" + std::string(pname) + "': " + v.error().detail);
    } else if (p.max_ttl.value_or(1) != 0) {
      if (auto r = signer::check_timing(default_timing(p)); !r) {
        error(t.source(), "policy '" + std::string(pname) + "': " + r.error().detail);
      }
    }
  }
  c.policies.emplace(std::string(pname), std::move(p));
}

void Reader::read_zone(const toml::table& t, Config& c) {
  ZoneEntry z;
  z.line = static_cast<uint32_t>(t.source().begin.line);
  z.policy = "default";
  bool has_origin = false, has_file = false, has_policy = false;
  std::string keys, output, ds_output;
  toml::source_region policy_at = t.source();
  for (auto&& [key, node] : t) {
    const std::string_view k = key.str();
    if (std::find(kZoneKeys.begin(), kZoneKeys.end(), k) == kZoneKeys.end()) {
      unknown_key(key, "zone key", kZoneKeys);
      continue;
    }
    auto str = node.as_string();
    if (!str || str->get().empty()) {
      error(node.source(), std::string(k) + ": expected a non-empty string, not " +
                               (str ? std::string("an empty one") : type_name(node)));
      continue;
    }
    const std::string& v = str->get();
    if (k == "origin") {
      std::string text = v;
      if (text.back() != '.' || (text.size() > 1 && text[text.size() - 2] == '\\')) text += '.';
      if (text == "..") text = ".";
      if (auto r = name_from_text(text, NameView{}, z.name); !r) {
        error(node.source(),
              "origin: expected a domain name, '" + v + "' is not one (" + r.error().detail + ")");
        continue;
      }
      z.name.to_lower();
      z.origin = name_to_string(z.name.view());
      has_origin = true;
    } else if (k == "file") {
      z.file = path(v);
      has_file = true;
    } else if (k == "keys") {
      keys = v;
    } else if (k == "output") {
      output = v;
    } else if (k == "ds-output") {
      ds_output = v;
    } else {
      z.policy = v;
      has_policy = true;
      policy_at = node.source();
    }
  }
  if (!has_origin || !has_file) {
    const char* missing = !has_origin && !has_file ? "'origin' and 'file'"
                          : !has_origin            ? "'origin'"
                                                   : "'file'";
    error(t.source(), std::string("[[zone]] needs ") + missing);
    return;
  }
  if (has_policy) policy_refs_.emplace_back(z.policy, policy_at);
  std::string label = z.origin == "." ? "root" : z.origin.substr(0, z.origin.size() - 1);
  z.keys = path(keys.empty() ? "keys/" + label : keys);
  z.output = output.empty() ? z.file + ".signed" : path(output);
  z.ds_output = ds_output.empty()
                    ? (fs::path(z.output).parent_path() / ("dsset-" + z.origin)).string()
                    : path(ds_output);
  c.zones.push_back(std::move(z));
}

// Two zones must not write to the same file or share a key directory (each directory's lock
// and state belong to one zone's run), and no output may be another zone's input.
void Reader::check_zones(Config& c) {
  auto canon = [](const std::string& p) {
    std::error_code ec;
    fs::path v = fs::weakly_canonical(p, ec);
    return ec ? fs::path(p).lexically_normal().string() : v.string();
  };
  std::map<std::string, const ZoneEntry*> origins;
  std::map<std::string, std::pair<const ZoneEntry*, const char*>> outputs, key_dirs, inputs;
  for (const ZoneEntry& z : c.zones) inputs.emplace(canon(z.file), std::pair{&z, "file"});
  for (const ZoneEntry& z : c.zones) {
    const toml::source_region at{{z.line, 1}, {z.line, 1}, nullptr};
    if (auto [it, fresh] = origins.emplace(z.origin, &z); !fresh) {
      error(at, "duplicate zone " + z.origin + " (first at line " +
                    std::to_string(it->second->line) + ")");
      continue;
    }
    for (auto [p, what] : {std::pair{&z.output, "output"}, {&z.ds_output, "ds-output"}}) {
      const std::string key = canon(*p);
      if (auto in = inputs.find(key); in != inputs.end()) {
        error(at, std::string(what) + " " + *p + " of " + z.origin + " is the zone file of " +
                      in->second.first->origin + " (line " +
                      std::to_string(in->second.first->line) + ")");
      }
      if (auto [it, fresh] = outputs.emplace(key, std::pair{&z, what}); !fresh) {
        error(at, std::string(what) + " " + *p + " of " + z.origin + " is also the " +
                      it->second.second + " of " + it->second.first->origin + " (line " +
                      std::to_string(it->second.first->line) + ")");
      }
    }
    if (auto [it, fresh] = key_dirs.emplace(canon(z.keys), std::pair{&z, "keys"}); !fresh) {
      error(at, "key directory " + z.keys + " of " + z.origin + " is also that of " +
                    it->second.first->origin + " (line " + std::to_string(it->second.first->line) +
                    "); each zone needs its own (its lock and state belong to one zone)");
    }
  }
  std::vector<std::string_view> defined;
  for (const auto& [n, p] : c.policies) defined.push_back(n);
  for (const auto& [name, where] : policy_refs_) {
    if (c.policies.count(name) != 0 || name == "default") continue;
    std::string msg = "policy: no [policy." + name + "] in this file";
    const std::string near = closest(name, defined);
    if (!near.empty()) msg += " (did you mean '" + near + "'?)";
    error(where, std::move(msg));
  }
}

}  // namespace

std::string ConfigError::format() const {
  std::string out = file;
  if (line != 0) out += ":" + std::to_string(line);
  if (column != 0) out += ":" + std::to_string(column);
  return out + ": error: " + message;
}

Policy Config::policy_for(const ZoneEntry& zone) const {
  auto it = policies.find(zone.policy);
  return it == policies.end() ? Policy{} : it->second;
}

const ZoneEntry* Config::find(std::string_view origin) const {
  std::string text(origin);
  if (text.empty() || text.back() != '.') text += '.';
  Name n;
  if (!name_from_text(text, NameView{}, n)) return nullptr;
  n.to_lower();
  const std::string canonical = name_to_string(n.view());
  for (const ZoneEntry& z : zones) {
    if (z.origin == canonical) return &z;
  }
  return nullptr;
}

Result<Config> parse_config(std::string_view text, const std::string& name,
                            std::vector<ConfigError>& errors) {
  const size_t before = errors.size();
  Reader r(name, errors);
  Config c;
  c.path = name;
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    r.error(e.source(), std::string(e.description()));
    return fail(Errc::Usage, name + ": not valid TOML");
  }
  for (auto&& [key, node] : root) {
    const std::string_view k = key.str();
    if (k == "policy") {
      const toml::table* policies = node.as_table();
      if (policies == nullptr) {
        r.error(node.source(), "policy: expected tables [policy.NAME], not " + type_name(node));
        continue;
      }
      for (auto&& [pname, pnode] : *policies) {
        const toml::table* t = pnode.as_table();
        if (t == nullptr) {
          r.error(pnode.source(), "policy." + std::string(pname.str()) +
                                      ": expected a table [policy." + std::string(pname.str()) +
                                      "] of settings, not " + type_name(pnode));
          continue;
        }
        r.read_policy(pname.str(), *t, c);
      }
    } else if (k == "zone") {
      const toml::array* zones = node.as_array();
      if (zones == nullptr || !zones->is_array_of_tables()) {
        r.error(node.source(), "zone: expected [[zone]] tables, not " + type_name(node));
        continue;
      }
      for (const toml::node& z : *zones) r.read_zone(*z.as_table(), c);
    } else {
      r.unknown_key(key, "table", kTopKeys);
    }
  }
  r.check_zones(c);
  std::stable_sort(errors.begin() + static_cast<std::ptrdiff_t>(before), errors.end(),
                   [](const ConfigError& a, const ConfigError& b) {
                     return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                   });
  if (errors.size() != before) {
    return fail(Errc::Usage, name + ": " + std::to_string(errors.size() - before) + " error(s)");
  }
  return c;
}

Result<Config> load_config(const std::string& path, std::vector<ConfigError>& errors) {
  auto text = read_whole_file(path);
  if (!text) {
    errors.push_back({path, 0, 0, text.error().detail});
    return fail(Errc::Usage, "cannot read " + path);
  }
  return parse_config(*text, path, errors);
}

}  // namespace zk::config
