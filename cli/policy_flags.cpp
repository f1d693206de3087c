#include "cli/policy_flags.hpp"

#include <algorithm>

namespace zk::cli {

namespace {

std::string help_of(const config::Setting& s) {
  return std::string(s.help) + " (default " + std::string(s.default_text) + ")";
}

}  // namespace

void PolicyFlags::add(CLI::App* cmd, std::span<const std::string_view> names,
                      std::initializer_list<std::string_view> old_spellings, bool short_names) {
  for (std::string_view name : names) {
    const config::Setting* s = config::find_setting(name);
    if (s == nullptr) continue;
    const std::string n(name);
    if (s->kind == config::Kind::Bool) {
      cmd->add_flag_callback(
          "--" + n,
          [this, n] {
            given_.push_back({n, n, true, false});
          },
          help_of(*s));
      cmd->add_flag_callback(
          "--no-" + n,
          [this, n] {
            given_.push_back({"no-" + n, n, false});
          },
          "not --" + n);
    } else {
      std::string spelling = "--" + n;
      if (short_names && n == "algorithm") spelling = "-a," + spelling;
      if (short_names && n == "bits") spelling = "-b," + spelling;
      cmd->add_option_function<std::string>(
          spelling,
          [this, n](const std::string& v) {
            given_.push_back({n, n, v, false});
          },
          help_of(*s));
    }
    for (const config::DeprecatedFlag& d : config::deprecated_flags()) {
      if (d.replaced != name ||
          std::find(old_spellings.begin(), old_spellings.end(), d.flag) == old_spellings.end()) {
        continue;
      }
      const std::string old(d.flag);
      const std::string help = "deprecated: use --" + n;
      if (!d.value.empty()) {
        const std::string value(d.value);
        cmd->add_flag_callback(
               "--" + old,
               [this, old, n, value] {
                 given_.push_back({old, n, value, true});
               },
               help)
            ->group("");
      } else {
        cmd->add_option_function<std::string>(
               "--" + old,
               [this, old, n](const std::string& v) {
                 given_.push_back({old, n, v, true});
               },
               help)
            ->group("");
      }
    }
  }
}

Result<config::Policy> PolicyFlags::policy(std::vector<std::string>& warnings) const {
  config::Policy p;
  for (const Given& g : given_) {
    if (g.deprecated) {
      const config::DeprecatedFlag* d = nullptr;
      for (const auto& x : config::deprecated_flags()) {
        if (x.flag == g.flag) d = &x;
      }
      std::string w =
          "--" + g.flag + " is deprecated and goes away in the next release; use --" + g.setting;
      if (d && !d->value.empty()) w += " " + std::string(d->value);
      if (d && !d->note.empty()) w += " (" + std::string(d->note) + ")";
      warnings.push_back(std::move(w));
    }
    // The old absolute-time spellings keep their meaning: a time, resolved against the clock.
    if (g.flag == "expiration" || g.flag == "inception") {
      const std::string& text = std::get<std::string>(g.value);
      config::Policy t;
      (g.flag == "expiration" ? t.expiration_time : t.inception_time) = text;
      p = config::overlay(std::move(p), t);
      continue;
    }
    config::Policy t;
    if (auto r = config::set(t, g.setting, g.value); !r) {
      std::string detail = r.error().detail;
      // "sig-refresh: expected ..." -> "--refresh: expected ..." (the spelling that was typed)
      if (detail.rfind(g.setting + ":", 0) == 0) detail = detail.substr(g.setting.size());
      return fail(Errc::Usage, "--" + g.flag + detail);
    }
    p = config::overlay(std::move(p), t);
  }
  return p;
}

}  // namespace zk::cli
