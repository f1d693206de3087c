// `zonekiln ksk ...`: the zone owner's KSK commands.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <span>

#include "cli/commands.hpp"
#include "cli/lifecycle_args.hpp"
#include "dns/base64.hpp"
#include "dns/timeparse.hpp"
#include "signer/lifecycle/ksk.hpp"
#include "signer/lifecycle/ksk_pkcs11.hpp"
#include "signer/lifecycle/lifecycle.hpp"
#include "signer/signer.hpp"

namespace zk::cli {

namespace {

struct KskArgs {
  ZoneKeyArgs zone;
  PolicyFlags policy;
  std::string file, algorithm, parent_ds, method = "double-ds";
  std::string uri, pin_file, pkcs11_module;  // --uri: a KSK in an HSM (signer/pkcs11.hpp)
  bool generate = false, json = false;
  bool allow_deprecated_algorithm = false;  // RSASHA1 (5, 7): RFC 8624 NOT RECOMMENDED
  uint16_t tag = 0;
};

using signer::KeyStateFile;
using signer::ZoneKeyState;

std::string list_text(const ZoneKeyState& z) {
  std::string s;
  for (const auto& k : z.keys) {
    if (!k.is_ksk()) continue;
    s += std::to_string(k.tag) + "\t" + signer::algorithm_name(k.algorithm) + "\t" +
         std::string(signer::to_string(k.owner_state)) +
         "\tds-seen:" + (k.ds_seen ? time_to_iso(*k.ds_seen_at) : std::string("no")) + "\t" +
         "roll:" + std::string(signer::to_string(k.roll)) + "\t" + (k.removed ? "removed\t" : "") +
         k.source;
    if (!k.owner_state_why.empty()) s += "\t(" + k.owner_state_why + ")";
    s += "\n";
  }
  if (s.empty()) s = "no KSK recorded for " + z.origin + "\n";
  return s;
}

Result<uint8_t> algorithm_arg(const std::string& text, uint8_t fallback) {
  if (text.empty()) return fallback;
  return signer::algorithm_from_text(text);
}

// The state refers to key files by path and cron may run from any directory.
std::string absolute_path(const std::string& p) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(p, ec);
  if (ec) return p;
  std::string out = abs.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

int run_add(const KskArgs& args) {
  KskArgs a = args;
  a.zone.keys = absolute_path(a.zone.keys);
  if (!a.file.empty()) a.file = absolute_path(a.file);
  if (int(a.generate) + int(!a.file.empty()) + int(!a.uri.empty()) != 1) {
    return report_error(
        make_error(Errc::Usage, "ksk add needs exactly one of --file, --generate or --uri"));
  }
  auto origin = origin_name(a.zone.origin);
  if (!origin) return report_error(origin.error());
  // The key directory holds the state; the first KSK may be what creates it.
  if (auto d = ensure_key_dir(a.zone.keys); !d) return report_error(d.error());
  auto alg = algorithm_arg(a.algorithm, a.generate ? signer::alg::ECDSAP256SHA256 : 0);
  if (!alg) return report_error(alg.error());
  signer::Pkcs11Config p11;
  if (!a.uri.empty() || signer::is_pkcs11_uri(a.file) ||
      a.file.ends_with(signer::kPkcs11DescriptorSuffix)) {
    auto c = token_config(a.pkcs11_module, a.pin_file);
    if (!c) return report_error(c.error());
    p11 = std::move(*c);
  }
  return with_state(
      a.zone, [&](KeyStateFile&, ZoneKeyState& z, int64_t now, int& code) -> Result<bool> {
        auto policy = apply_policy_options(a.policy, &z);
        if (!policy) return fail(policy.error());
        if (a.allow_deprecated_algorithm) signer::allow_deprecated_algorithms(*policy);
        const auto roll = a.method == "double-rrset" ? signer::RollMethod::DoubleRrset
                                                     : signer::RollMethod::DoubleDs;
        auto rec = a.generate ? signer::ksk_add_generated(z, *policy, a.zone.keys, *origin, *alg,
                                                          now, roll)
                   : !a.uri.empty()
                       ? signer::ksk_add_pkcs11(z, *policy, a.uri, *origin, *alg, p11, a.zone.keys,
                                                now, roll)
                       : signer::ksk_add_file(z, *policy, a.file, *origin, *alg, now, roll, &p11);
        if (!rec) return fail(rec.error());
        auto raw = zk::base64_decode(rec->dnskey);
        if (!raw) return fail(Errc::Internal, "recorded DNSKEY is not base64");
        auto ds = ds_lines(*origin, *raw, {signer::digest::SHA256}, policy->dnskey_ttl);
        if (!ds) return fail(ds.error());
        // The DS records as zone-file lines, the words around them as ';' comments, so that the
        // output can be handed to the parent as it is.
        const std::string tag = "--tag " + std::to_string(rec->tag);
        const bool replaces = std::any_of(z.keys.begin(), z.keys.end(), [&](const auto& k) {
          return k.ksk_wanted() && !k.is_removed() && k.tag != rec->tag;
        });
        std::string next;
        if (!replaces) {
          next =
              "; next: publish it with `" + signer::owner_command(z, "ksk activate", tag) + "`\n";
        } else if (rec->roll == signer::RollMethod::DoubleDs) {
          next =
              "; KSK rollover by double-DS (RFC 6781 s4.1.2): hand the DS above to the parent "
              "now, beside the old one; once `dig DS " +
              z.origin + "` shows it, run `" + signer::owner_command(z, "ksk ds-seen", tag) +
              "`. One DS TTL later a sign run puts this key in place of the old one; the old "
              "DS goes after that\n";
        } else {
          next =
              "; KSK rollover by double-RRset (RFC 6781 s4.1.2): publish it beside the old "
              "one with `" +
              signer::owner_command(z, "ksk activate", tag) +
              "`; its DS replaces the old one at the parent after that\n";
        }
        code = print_out("; added " + rec->label() + " as INACTIVE (roll method " +
                         std::string(signer::to_string(rec->roll)) + ")\n; its DS record(s):\n" +
                         *ds + next);
        return true;
      });
}

int run_change(const KskArgs& a, const std::string& verb) {
  std::unique_ptr<std::vector<signer::DsRecord>> parent;
  if (!a.parent_ds.empty()) {
    auto ds = signer::read_parent_ds(a.parent_ds, a.zone.origin);
    if (!ds) return report_error(ds.error());
    parent = std::make_unique<std::vector<signer::DsRecord>>(std::move(*ds));
  }
  return with_state(
      a.zone, [&](KeyStateFile&, ZoneKeyState& z, int64_t now, int& code) -> Result<bool> {
        auto policy = apply_policy_options(a.policy, &z);
        if (!policy) return fail(policy.error());
        Result<void> r = ok();
        std::string next;
        if (verb == "activate") {
          r = signer::ksk_activate(z, a.tag, now);
          const signer::KeyRecord* k = z.find_key(a.tag);
          if (r && k && k->signs_unpublished()) {
            next =
                "algorithm rollover (RFC 6781 s4.1.4): from the next sign run it signs the "
                "DNSKEY RRset and a new ZSK of algorithm " +
                std::to_string(k->algorithm) +
                " every RRset, neither published yet; the sign runs publish both once those "
                "signatures are in every cache (max TTL + propagation), and CDS/CDNSKEY list it "
                "DNSKEY TTL + propagation after that (`" +
                signer::owner_command(z, "status") +
                "` shows the phase and when). Then have the parent publish its DS and run `" +
                signer::owner_command(z, "ksk ds-seen", "--tag " + std::to_string(a.tag)) + "`";
          } else {
            next =
                "the next sign run publishes it, signs the DNSKEY RRset with it and publishes "
                "its CDS/CDNSKEY; once the parent serves its DS (`dig DS " +
                z.origin + "`), run `" +
                signer::owner_command(z, "ksk ds-seen", "--tag " + std::to_string(a.tag)) + "`";
          }
        } else if (verb == "deactivate") {
          r = signer::ksk_deactivate(z, *policy, a.tag, now, parent.get());
          next = "the next sign run stops publishing it; `" +
                 signer::owner_command(z, "ksk remove", "--tag " + std::to_string(a.tag)) +
                 "` forgets it";
        } else if (verb == "remove") {
          r = signer::ksk_remove(z, a.tag, now);
          next = "forgotten; its key files were left in place";
        } else {
          const signer::KeyRecord* k = z.find_key(a.tag);
          if (parent && k) {
            const bool listed = std::any_of(parent->begin(), parent->end(), [&](const auto& d) {
              return d.key_tag == k->tag && d.algorithm == k->algorithm;
            });
            if (!listed) {
              return fail(Errc::Usage, "the parent's DS set in " + a.parent_ds +
                                           " has no DS for KSK " + std::to_string(a.tag) +
                                           "; wait until `dig DS " + z.origin + "` shows it");
            }
          }
          r = signer::ksk_ds_seen(z, *policy, a.tag, now);
          next = "recorded that the parent serves its DS";
        }
        if (!r) return fail(r.error());
        code = print_out("KSK " + std::to_string(a.tag) + " of " + z.origin + ": " + verb +
                         " done; " + next + "\n");
        return true;
      });
}

int run_list(const KskArgs& a) {
  if (auto o = origin_name(a.zone.origin); !o) return report_error(o.error());
  auto file = signer::read_state(a.zone.keys);
  if (!file) return report_error(file.error());
  const ZoneKeyState* z = file->find(a.zone.origin);
  if (!z) return print_out("no KSK recorded for " + signer::normalize_origin(a.zone.origin) + "\n");
  return print_out(list_text(*z));
}

}  // namespace

void register_ksk(CLI::App& root, std::function<int()>& action) {
  auto args = std::make_shared<KskArgs>();
  CLI::App* ksk = root.add_subcommand("ksk", "the zone owner's KSK commands");
  ksk->require_subcommand(1);

  CLI::App* add = ksk->add_subcommand("add", "record a KSK (inactive until `ksk activate`)");
  add_zone_key_options(add, args->zone);
  add_policy_options(add, args->policy);
  add->add_option("--file", args->file, "the owner's key: BIND key pair (K...) or PEM file");
  add->add_flag("--generate", args->generate, "make a new KSK in the key directory");
  add->add_option("--uri", args->uri,
                  "the owner's key in an HSM: PKCS#11 URI (pkcs11:token=...;object=...)");
  add->add_option("--pin-file", args->pin_file,
                  "with --uri: file holding the token's user PIN (else $ZONEKILN_PIN)");
  add->add_option("--pkcs11-module", args->pkcs11_module,
                  "with --uri: PKCS#11 module (default: p11-kit proxy, else SoftHSM2)");
  add->add_option("--method", args->method,
                  "how it replaces the active KSK (RFC 6781 s4.1.2): double-ds (default: its DS "
                  "goes to the parent first, it replaces the old KSK once seen) or double-rrset "
                  "(published beside the old KSK, then the DS is swapped)")
      ->check(CLI::IsMember({"double-ds", "double-rrset"}));
  add->add_option("--algorithm", args->algorithm,
                  "algorithm (needed for PEM; for --generate, default ECDSAP256SHA256)");
  add->add_flag("--allow-deprecated-algorithm", args->allow_deprecated_algorithm,
                "allow a RSASHA1 (5) / RSASHA1-NSEC3-SHA1 (7) KSK (RFC 8624: NOT RECOMMENDED)");
  add->callback([args, &action] { action = [args] { return run_add(*args); }; });

  for (const char* verb : {"activate", "deactivate", "remove", "ds-seen"}) {
    const char* help = verb == std::string("activate")     ? "publish and sign with a KSK"
                       : verb == std::string("deactivate") ? "stop publishing a KSK"
                       : verb == std::string("remove")
                           ? "forget an inactive KSK"
                           : "record that the parent serves the KSK's DS";
    CLI::App* cmd = ksk->add_subcommand(verb, help);
    add_zone_key_options(cmd, args->zone);
    add_policy_options(cmd, args->policy);
    cmd->add_option("--tag", args->tag, "key tag of the KSK")->required();
    if (std::string(verb) == "deactivate" || std::string(verb) == "ds-seen") {
      cmd->add_option("--parent-ds", args->parent_ds,
                      "the parent's current DS set in zone-file format (e.g. `dig DS` output)");
    }
    const std::string v = verb;
    cmd->callback([args, v, &action] { action = [args, v] { return run_change(*args, v); }; });
  }

  CLI::App* list = ksk->add_subcommand("list", "show the recorded KSKs");
  add_zone_key_options(list, args->zone);
  list->callback([args, &action] { action = [args] { return run_list(*args); }; });
}

}  // namespace zk::cli
