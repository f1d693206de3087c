// `zonekiln keygen` and `zonekiln ds`.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "dns/rrtype.hpp"
#include "emit/emit.hpp"
#include "signer/keystate.hpp"
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
  CLI::App* cmd = app.add_subcommand("keygen", "create a key pair (BIND key files)");
  cmd->add_option("--origin", a.origin, "zone apex")->required();
  cmd->add_option("--keys", a.key_dir, "directory to write the key files to")->required();
  cmd->add_flag("--ksk", a.ksk, "make a key-signing key (flags 257)");
  cmd->add_option("--algorithm,-a", a.algorithm, "algorithm mnemonic or number (default 13)");
  cmd->add_option("--bits,-b", a.bits, "RSA modulus size (2048..4096)");
  cmd->add_flag("--allow-deprecated-algorithm", a.allow_deprecated_algorithm,
                "allow RSASHA1 (5) / RSASHA1-NSEC3-SHA1 (7) (RFC 8624: NOT RECOMMENDED)");
  return cmd;
}

CLI::App* add_ds(CLI::App& app, KeyArgs& a) {
  CLI::App* cmd = app.add_subcommand("ds", "print DS records for the zone's KSKs");
  cmd->add_option("--origin", a.origin, "zone apex")->required();
  cmd->add_option("--keys", a.key_dir, "directory with the key files")->required();
  cmd->add_option("--digest", a.digests, "digest types, comma-separated (default 2)");
  return cmd;
}

int run_keygen(const KeyArgs& a, int64_t clock_now, Report& report) {
  auto parsed_origin = origin_arg(a.origin);
  if (!parsed_origin) return usage(report, "bad --origin '" + a.origin + "'");
  const Name origin = *parsed_origin;
  auto alg = signer::algorithm_from_text(a.algorithm);
  if (!alg) return failed(report, alg.error());
  if (!signer::algorithm_can_sign(*alg, a.allow_deprecated_algorithm)) {
    if (signer::algorithm_deprecated(*alg)) {
      return usage(report, signer::deprecated_algorithm_refusal(*alg));
    }
    return usage(report, "zonekiln does not create keys of algorithm " + a.algorithm);
  }
  if (auto d = ensure_key_dir(a.key_dir); !d) return failed(report, d.error());
  auto key = signer::generate_unique_key(*alg, a.ksk, a.bits, origin, a.key_dir,
                                         a.allow_deprecated_algorithm);
  if (!key) return failed(report, key.error());
  auto base = signer::write_key_files(*key, origin, a.key_dir, clock_now);
  if (!base) return failed(report, base.error());
  const auto slash = base->rfind('/');
  report.out += (slash == std::string::npos ? *base : base->substr(slash + 1)) + "\n";
  return 0;
}

int run_ds(const KeyArgs& a, Report& report) {
  auto parsed_origin = origin_arg(a.origin);
  if (!parsed_origin) return usage(report, "bad --origin '" + a.origin + "'");
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
  std::vector<Error> problems;
  auto keys = signer::load_key_dir(a.key_dir, origin, &problems);
  if (!keys) return failed(report, keys.error());
  for (const auto& p : problems) report.err += "zonekiln: warning: " + p.detail + "\n";
  bool any = false;
  for (const auto& key : *keys) {
    if (!key.is_ksk()) continue;
    for (uint8_t d : digests) {
      auto ds = signer::ds_rdata(origin, key.dnskey_rdata(), d);
      if (!ds) return failed(report, ds.error());
      emit::append_rr(report.out, origin, 3600, rrclass::IN, rrtype::DS, *ds);
      any = true;
    }
  }
  if (!any) {
    report.err += fmt::format(
        "zonekiln: error: no KSK for {} in {}; create one with: zonekiln keygen --origin {} "
        "--keys {} --ksk\n",
        a.origin, a.key_dir, a.origin, a.key_dir);
    return 3;
  }
  return 0;
}

}  // namespace zk::cli
