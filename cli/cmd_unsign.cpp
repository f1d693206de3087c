// `zonekiln unsign`: turn DNSSEC off without breaking the zone (RFC 8078 s4).
#include <memory>

#include "cli/commands.hpp"
#include "cli/lifecycle_args.hpp"
#include "dns/atomic_file.hpp"
#include "pipeline/pipeline.hpp"
#include "signer/lifecycle/ksk.hpp"
#include "signer/lifecycle/unsign.hpp"

namespace zk::cli {

namespace {

struct UnsignArgs {
  ZoneKeyArgs zone;
  std::string zone_file, output, parent_ds;
  bool parent_ds_removed = false;
  PolicyFlags policy;  // ds-ttl
};

int run_unsign(const UnsignArgs& a) {
  if (!a.parent_ds.empty()) {
    // Optional evidence for --parent-ds-removed: the parent's DS set must be empty.
    auto ds = signer::read_parent_ds(a.parent_ds, a.zone.origin);
    if (!ds) return report_error(ds.error());
    if (!ds->empty()) {
      return report_error(make_error(
          Errc::KeyActionNeeded, "the parent still serves " + std::to_string(ds->size()) +
                                     " DS record(s) for " + a.zone.origin + " (per " + a.parent_ds +
                                     "); wait until it has none"));
    }
  }
  std::vector<std::string> warnings;
  auto policy = a.policy.policy(warnings);
  if (!policy) return report_error(policy.error());
  auto text = zk::read_whole_file(a.zone_file);
  if (!text) return report_error(text.error());
  return with_state(
      a.zone,
      [&](signer::KeyStateFile& file, signer::ZoneKeyState& z, int64_t now,
          int& code) -> Result<bool> {
        const std::string out = a.output.empty() ? a.zone_file + ".unsigned" : a.output;
        OutputGuard guard;
        guard.protect_file(a.zone_file, "the zone file");
        signer::protect_keys(guard, a.zone.keys, &file);
        if (auto g = guard.check({"--output", out}); !g) return fail(g.error());
        signer::UnsignRequest req;
        req.now = now;
        req.command = signer::owner_command(
            z, "unsign " + signer::shell_quote(a.zone_file),
            a.output.empty() ? std::string() : "--output " + signer::shell_quote(a.output));
        req.parent_ds_removed = a.parent_ds_removed || !a.parent_ds.empty();
        if (policy->ds_ttl) req.ds_ttl = *policy->ds_ttl;
        signer::ZoneKeyState next = z;
        const signer::UnsignDecision d = signer::unsign_step(next, req);
        std::optional<uint32_t> written_serial;
        if (d.write_zone()) {
          auto stripped = signer::strip_dnssec_text(*text, z.origin);
          if (!stripped) return fail(stripped.error());
          // RFC 1982: secondaries take the unsigned zone only with a serial newer than the last
          // signed one they hold, which may be ahead of the file's.
          auto soa = signer::find_soa_serial_text(*stripped);
          if (!soa) return fail(Errc::Usage, a.zone_file + ": no SOA record with a numeric serial");
          uint32_t serial = soa->serial;
          if (z.last_serial && !pipeline::serial_lt(*z.last_serial, serial)) {
            serial = pipeline::next_serial(*z.last_serial, pipeline::SerialPolicy::Increment, now);
            stripped->replace(soa->offset, soa->length, std::to_string(serial));
          }
          // The zone is written before the state says NOT_SIGNING: if writing fails, the state
          // still says the procedure is under way and the command can be run again.
          if (auto w = zk::write_file_atomic(out, *stripped); !w) return fail(w.error());
          print_out("wrote " + out + " (serial " + std::to_string(serial) +
                    (serial != soa->serial
                         ? ", after the last published " + std::to_string(*z.last_serial)
                         : std::string()) +
                    ")\n");
          written_serial = serial;
        }
        z = next;
        if (written_serial) {
          signer::RunRecord rec;
          rec.at = now;
          rec.serial = written_serial;
          rec.unsigned_zone = true;
          rec.summary =
              "unsign: wrote the unsigned zone, serial " + std::to_string(*written_serial);
          z.add_run(std::move(rec));
        }
        if (d.write_zone()) {
          print_out(d.message + "\n");
        } else {
          std::fprintf(stderr, "zonekiln: %s\n", d.message.c_str());
        }
        code = d.exit_code();
        return true;
      });
}

}  // namespace

void register_unsign(CLI::App& root, std::function<int()>& action) {
  auto args = std::make_shared<UnsignArgs>();
  CLI::App* cmd = root.add_subcommand(
      "unsign",
      "turn signing off safely: CDS/CDNSKEY delete first, the unsigned zone only once "
      "the parent's DS is gone and its TTL has passed (exit 3 until then)");
  cmd->add_option("zonefile", args->zone_file, "the zone file to write unsigned")->required();
  add_zone_key_options(cmd, args->zone);
  cmd->add_option("--output", args->output,
                  "where to write the unsigned zone (default ZONEFILE.unsigned)");
  cmd->add_flag("--parent-ds-removed", args->parent_ds_removed,
                "the parent no longer serves a DS for the zone (recorded with the time)");
  cmd->add_option("--parent-ds", args->parent_ds,
                  "the parent's DS set (e.g. `dig DS` output); must be empty, implies "
                  "--parent-ds-removed");
  args->policy.add(cmd, {"ds-ttl"});
  cmd->callback([args, &action] { action = [args] { return run_unsign(*args); }; });
}

}  // namespace zk::cli
