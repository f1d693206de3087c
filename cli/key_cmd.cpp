// `zonekiln keygen` and `zonekiln ds`.
#include <fmt/format.h>

#include <algorithm>

#include "cli/commands.hpp"
#include "cli/lifecycle_args.hpp"
#include "config/config_file.hpp"
#include "dns/base64.hpp"
#include "dns/rrtype.hpp"
#include "emit/emit.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/lifecycle/policy.hpp"
#include "signer/signer.hpp"

namespace zk::cli {

namespace {

int usage(Report& report, const std::string& text) {
  report.err += "zonekiln: error: " + text + "\n";
  return 2;
}

int failed(Report& report, const Error& e) {
  report.err += "zonekiln: error: " + e.detail + "\n";
  return exit_code_for(e.code);
}

}  // namespace

CLI::App* add_keygen(CLI::App& app, KeyArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "keygen",
      "create a key pair (BIND key files): --origin O --keys DIR, or --config FILE --ksk "
      "[ZONE...] for each configured zone that has no KSK yet");
  cmd->add_option("--origin", a.origin, "zone apex");
  cmd->add_option("--keys", a.key_dir, "directory to write the key files to");
  cmd->add_option("--config", a.config_file,
                  "with --ksk: make a KSK (the zone's policy algorithm and bits) for every "
                  "configured zone whose key directory has none; existing KSKs are kept");
  cmd->add_option("ZONE", a.zones, "with --config: only these zones");
  cmd->add_flag("--ksk", a.ksk, "make a key-signing key (flags 257)");
  a.policy.add(cmd, {"algorithm", "bits"}, {}, true);
  cmd->add_flag("--allow-deprecated-algorithm", a.allow_deprecated_algorithm,
                "allow RSASHA1 (5) / RSASHA1-NSEC3-SHA1 (7) (RFC 8624: NOT RECOMMENDED)");
  return cmd;
}

CLI::App* add_ds(CLI::App& app, KeyArgs& a) {
  CLI::App* cmd = app.add_subcommand("ds", "print DS records for the zone's KSKs");
  cmd->add_option("--origin", a.origin, "zone apex")->required();
  cmd->add_option("--keys", a.key_dir, "directory with the key files")->required();
  cmd->add_option("--digest", a.digests, "digest types, comma-separated (default 2)");
  cmd->add_option("--tag", a.tag, "only this KSK's DS records")->check(CLI::Range(0, 65535));
  return cmd;
}

namespace {

// keygen --config: the owner's first KSK for each zone that has none (idempotent, for make).
int keygen_config(const KeyArgs& a, const config::Policy& flags, int64_t clock_now,
                  Report& report) {
  if (!a.ksk) return usage(report, "keygen --config makes KSKs only (add --ksk)");
  if (!a.origin.empty() || !a.key_dir.empty()) {
    return usage(report, "--origin and --keys come from the [[zone]] tables with --config");
  }
  std::vector<config::ConfigError> errors;
  auto cfg = config::load_config(a.config_file, errors);
  for (const auto& e : errors) report.err += e.format() + "\n";
  if (!cfg) return usage(report, cfg.error().detail);
  std::vector<const config::ZoneEntry*> zones;
  for (const auto& z : cfg->zones) {
    if (a.zones.empty()) zones.push_back(&z);
  }
  for (const std::string& name : a.zones) {
    const config::ZoneEntry* z = cfg->find(name);
    if (z == nullptr) return usage(report, "zone " + name + " is not in " + a.config_file);
    zones.push_back(z);
  }
  auto p11 = token_config();
  if (!p11) return failed(report, p11.error());
  int worst = 0;
  for (const config::ZoneEntry* z : zones) {
    const config::Policy policy = config::overlay(cfg->policy_for(*z), flags);
    std::vector<Error> problems;
    auto existing = signer::load_key_dir(z->keys, z->name.view(), &problems, &*p11);
    const bool has_ksk =
        existing && std::any_of(existing->begin(), existing->end(),
                                [](const signer::Key& k) { return k.is_ksk() && !k.is_revoked(); });
    if (has_ksk) {
      report.out += "zone " + z->origin + ": has a KSK in " + z->keys + "\n";
      continue;
    }
    auto made = [&]() -> Result<std::string> {
      if (auto v = config::validate(policy); !v) return fail(v.error());
      const uint8_t alg = config::algorithm_or_default(policy);
      if (!signer::algorithm_can_sign(alg, a.allow_deprecated_algorithm)) {
        return fail(Errc::Usage,
                    signer::algorithm_deprecated(alg)
                        ? signer::deprecated_algorithm_refusal(alg)
                        : "zonekiln does not create keys of algorithm " + std::to_string(alg));
      }
      if (auto d = ensure_key_dir(z->keys); !d) return fail(d.error());
      auto key = signer::generate_unique_key(alg, true, policy.bits.value_or(0), z->name.view(),
                                             z->keys, a.allow_deprecated_algorithm);
      if (!key) return fail(key.error());
      return signer::write_key_files(*key, z->name.view(), z->keys, clock_now);
    }();
    if (!made) {
      report.err += "zone " + z->origin + ": error: " + made.error().detail + "\n";
      worst = std::max(worst, exit_code_for(made.error().code));
      continue;
    }
    report.out += "zone " + z->origin + ": created " + *made + "\n";
  }
  return worst;
}

}  // namespace

int run_keygen(const KeyArgs& a, int64_t clock_now, Report& report) {
  std::vector<std::string> warnings;
  auto flags = a.policy.policy(warnings);
  if (!flags) return failed(report, flags.error());
  if (!a.config_file.empty()) return keygen_config(a, *flags, clock_now, report);
  if (a.origin.empty() || a.key_dir.empty() || !a.zones.empty()) {
    return usage(report, "keygen needs --origin O --keys DIR, or --config FILE --ksk [ZONE...]");
  }
  auto parsed_origin = origin_arg(a.origin);
  if (!parsed_origin) {
    return usage(report, "bad --origin '" + a.origin + "': " + parsed_origin.error().detail);
  }
  const Name origin = *parsed_origin;
  const config::Policy* policy = &*flags;
  if (auto v = config::validate(*policy); !v) return failed(report, v.error());
  const uint8_t alg = config::algorithm_or_default(*policy);
  if (!signer::algorithm_can_sign(alg, a.allow_deprecated_algorithm)) {
    if (signer::algorithm_deprecated(alg)) {
      return usage(report, signer::deprecated_algorithm_refusal(alg));
    }
    return usage(report, "zonekiln does not create keys of algorithm " + std::to_string(alg));
  }
  if (auto d = ensure_key_dir(a.key_dir); !d) return failed(report, d.error());
  auto key = signer::generate_unique_key(alg, a.ksk, policy->bits.value_or(0), origin, a.key_dir,
                                         a.allow_deprecated_algorithm);
  if (!key) return failed(report, key.error());
  auto base = signer::write_key_files(*key, origin, a.key_dir, clock_now);
  if (!base) return failed(report, base.error());
  const auto slash = base->rfind('/');
  report.out += (slash == std::string::npos ? *base : base->substr(slash + 1)) + "\n";
  return 0;
}

Result<std::string> ds_lines(NameView origin, std::span<const uint8_t> dnskey_rdata,
                             const std::vector<uint8_t>& digests, uint32_t ttl) {
  std::string out;
  for (uint8_t d : digests) {
    auto ds = signer::ds_rdata(origin, dnskey_rdata, d);
    if (!ds) return fail(ds.error());
    emit::append_rr(out, origin, ttl, rrclass::IN, rrtype::DS, *ds);
  }
  return out;
}

int run_ds(const KeyArgs& a, Report& report) {
  auto parsed_origin = origin_arg(a.origin);
  if (!parsed_origin) {
    return usage(report, "bad --origin '" + a.origin + "': " + parsed_origin.error().detail);
  }
  const Name origin = *parsed_origin;
  std::vector<uint8_t> digests;
  for (size_t pos = 0; pos <= a.digests.size();) {
    size_t comma = a.digests.find(',', pos);
    if (comma == std::string::npos) comma = a.digests.size();
    const std::string item = a.digests.substr(pos, comma - pos);
    if (item == "1" || item == "2" || item == "4") {
      digests.push_back(static_cast<uint8_t>(item[0] - '0'));
    } else {
      return usage(report, "--digest takes 1, 2 or 4 (comma-separated), not '" + item + "'");
    }
    pos = comma + 1;
  }
  if (auto d = signer::require_key_dir(a.key_dir, a.origin); !d) return failed(report, d.error());
  // The KSKs the state records (also one whose file is kept elsewhere, or not yet published in a
  // double-DS rollover), with the DNSKEY TTL the sign runs publish, as in the dsset- file.
  auto state = signer::read_state(a.key_dir);
  if (!state) return failed(report, state.error());
  const std::string origin_text = signer::normalize_origin(name_to_string(origin));
  if (const signer::ZoneKeyState* z = state->find(origin_text); z && z->ksk_count() > 0) {
    const uint32_t ttl = signer::recorded_policy(*z).dnskey_ttl;
    std::string tags;
    bool any = false;
    for (const auto& k : z->keys) {
      if (!k.is_ksk() || k.is_removed()) continue;
      tags += (tags.empty() ? "" : ", ") + std::to_string(k.tag);
      if (a.tag >= 0 && k.tag != a.tag) continue;
      auto raw = zk::base64_decode(k.dnskey);
      if (!raw)
        return failed(report,
                      make_error(Errc::Internal, "the state's DNSKEY of KSK " +
                                                     std::to_string(k.tag) + " is not base64"));
      auto lines = ds_lines(origin, *raw, digests, ttl);
      if (!lines) return failed(report, lines.error());
      report.out += *lines;
      any = true;
    }
    if (!any) {
      return usage(report, "no KSK with tag " + std::to_string(a.tag) + " for " + origin_text +
                               " (recorded: " + tags + ")");
    }
    return 0;
  }
  auto p11 = token_config();
  if (!p11) return failed(report, p11.error());
  std::vector<Error> problems;
  auto keys = signer::load_key_dir(a.key_dir, origin, &problems, &*p11);
  if (!keys) return failed(report, keys.error());
  for (const auto& p : problems) report.err += "zonekiln: warning: " + p.detail + "\n";
  bool any = false;
  for (const auto& key : *keys) {
    if (!key.is_ksk() || (a.tag >= 0 && key.tag() != a.tag)) continue;
    auto lines = ds_lines(origin, key.dnskey_rdata(), digests, signer::Policy{}.dnskey_ttl);
    if (!lines) return failed(report, lines.error());
    report.out += *lines;
    any = true;
  }
  if (!any && a.tag >= 0) {
    return usage(report, "no KSK with tag " + std::to_string(a.tag) + " in " + a.key_dir);
  }
  if (!any) {
    report.err += fmt::format(
        "zonekiln: error: no KSK for {} in {}; create one with: zonekiln keygen --origin {} "
        "--keys {} --ksk\n",
        a.origin, a.key_dir, signer::shell_quote(origin_text), signer::shell_quote(a.key_dir));
    return 3;
  }
  return 0;
}

}  // namespace zk::cli
