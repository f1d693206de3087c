// A signed zone larger than --memory-limit verified from sorted runs on disk, slice by slice
// (pipeline/detail/spill.hpp, verify_spilled).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "dns/rrtype.hpp"
#include "pipeline/detail/spill.hpp"
#include "pipeline/detail/verify_core.hpp"

namespace zk::pipeline::detail {

namespace {

// What the first pass over the slices learns: the apex, where each later slice starts, and
// whether the zone is one a spilled verify covers.
struct Survey {
  ZoneStore apex;
  std::vector<Name> starts;
  bool any_nsec = false;
  bool in_memory = false;  // NSEC3, NSEC3PARAM or an apex ZONEMD: verify_zone's whole-zone joins
};

Result<bool> survey_slice(Survey& s, const ZoneStore& slice, const ZoneIndex& index, bool first) {
  const NameView origin = slice.origin.view();
  for (const OwnerNode& n : index.nodes) {
    for (uint32_t k = n.first; k < n.first + n.count; ++k) {
      const uint16_t t = slice.rrs[k].type;
      s.any_nsec |= t == rrtype::NSEC;
      const bool apex = (n.flags & kApex) != 0;
      if (t == rrtype::NSEC3PARAM || (apex && t == rrtype::ZONEMD) ||
          (t == rrtype::NSEC3 && nsec3_owner_position(n.owner->name(), origin))) {
        s.in_memory = true;  // the merge goes on: it warns about out-of-zone data
      }
    }
  }
  if (!first) {
    s.starts.emplace_back(slice.rrs.front().owner->name());
    return true;
  }
  if (index.apex == UINT32_MAX) return true;  // verified in memory: "no apex"
  const OwnerNode& apex = index.nodes[index.apex];
  const Owner* owner = copy_owner(s.apex.arena(), apex.owner);
  for (uint32_t k = apex.first; k < apex.first + apex.count; ++k) {
    RR rr = slice.rrs[k];
    rr.owner = owner;
    rr.rdata = s.apex.arena().copy(rr.rdata, rr.rdlen);
    s.apex.rrs.push_back(rr);
  }
  return true;
}

}  // namespace

Result<VerifyReport> verify_spilled(const std::string& path, NameView origin,
                                    const VerifyOptions& options, Diagnostics& diag) {
  const SpillBudget budget = SpillBudget::from_limit(options.memory_limit);
  const std::string dir = options.temp_dir.empty() ? "/tmp" : options.temp_dir;
  Name apex_name(origin);
  apex_name.to_lower();
  parser::ParseOptions popts;
  popts.origin = apex_name;
  popts.origin_set = true;
  popts.budget = options.budget;
  popts.chunk_bytes = std::clamp<size_t>(budget.wave_bytes / 4, 1024, popts.chunk_bytes);
  auto file = SpillFile::create(dir);
  if (!file) return fail(file.error());
  SpilledRecords records{std::move(*file), {}, 0, 0};
  RunSpiller spiller(records.file);
  uint16_t rclass = rrclass::IN;
  const parser::WaveSink sink = [&](ZoneStore&& wave) -> Result<void> {
    rclass = wave.rclass;
    if (diag.has_errors()) return ok();
    return spiller.spill(wave);
  };
  if (auto r = parser::parse_file_waves(path, popts, {budget.wave_bytes, dir}, sink, diag); !r) {
    return fail(r.error());
  }
  if (diag.has_errors()) {
    return fail(Errc::ZoneCheck, std::to_string(diag.error_count()) + " error(s) reading " + path);
  }
  if (rclass != rrclass::IN && !options.zonemd_only) {
    return fail(Errc::Usage, "zonekiln checks DNSSEC in class IN zones only; this zone is class " +
                                 class_to_string(rclass) +
                                 " (--zonemd-only checks its ZONEMD, which covers any class)");
  }
  records.runs = spiller.runs();
  records.records = spiller.records();

  // First pass: the apex, the slice starts, and whether this zone can be verified in slices.
  // Out-of-zone data is warned about here, as the in-memory read does.
  Survey survey;
  survey.apex.origin = apex_name;
  survey.apex.rclass = rclass;
  SliceChecks checks;
  checks.zone = false;
  checks.ns_targets = false;
  const SliceFn first_pass = [&](ZoneStore& slice, ZoneIndex& index, bool first) {
    return survey_slice(survey, slice, index, first);
  };
  auto run = merge_slices(records, apex_name.view(), rclass, budget, dir, checks, diag, first_pass);
  if (!run) return fail(run.error());
  Diagnostics again(SIZE_MAX, 0);  // the first pass warned
  VerifyReport report;

  if (options.zonemd_only || survey.in_memory || !survey.any_nsec || survey.apex.rrs.empty()) {
    // The whole zone in one slice: what the in-memory verify reads, without reading it again.
    SpillBudget whole = budget;
    whole.slice_bytes = SIZE_MAX;
    const SliceFn verify_whole = [&](ZoneStore& zone, ZoneIndex& index, bool) -> Result<bool> {
      if (!options.zonemd_only) report = verify_zone(zone, index, options);
      verify_zonemd(zone, options.zonemd_only, report);
      return true;
    };
    auto r =
        merge_slices(records, apex_name.view(), rclass, whole, dir, checks, again, verify_whole);
    if (!r) return fail(r.error());
    report.notes.push_back(
        "verified in memory above --memory-limit: a spilled verify covers NSEC zones without "
        "ZONEMD (" +
        std::string(options.zonemd_only ? "--zonemd-only"
                    : survey.in_memory  ? "this zone has NSEC3 or ZONEMD records"
                                        : "this zone has no NSEC chain or no apex") +
        ")");
    return report;
  }

  // Second pass: each slice against the apex's keys.
  const ZoneIndex apex_index = build_index(survey.apex);
  VerifyEnv base;
  ChunkResult total;
  init_verify_env(base, survey.apex, apex_index, options, total);
  base.chain = Chain::Nsec;
  size_t k = 0;
  const SliceFn second_pass = [&](ZoneStore& slice, ZoneIndex& index, bool) -> Result<bool> {
    if (k > survey.starts.size() ||
        (k > 0 && !name_equal(slice.rrs.front().owner->name(), survey.starts[k - 1].view()))) {
      return fail(Errc::Internal, "the second pass over the spilled zone cut other slices");
    }
    VerifyEnv env = base;
    env.nsec_wrap = k < survey.starts.size() ? survey.starts[k].view() : apex_name.view();
    ++k;
    verify_slice(env, slice, index, options.max_problems, total);
    return true;
  };
  auto again_run =
      merge_slices(records, apex_name.view(), rclass, budget, dir, checks, again, second_pass);
  if (!again_run) return fail(again_run.error());
  report.problems = std::move(total.problems);
  report.summary = total.summary;
  report.notes.push_back("verified from disk in " + std::to_string(run->slices) + " slices (" +
                         std::to_string(records.runs.size()) +
                         " sorted runs): the zone is larger than --memory-limit");
  return report;
}

}  // namespace zk::pipeline::detail
