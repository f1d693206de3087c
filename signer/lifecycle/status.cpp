#include "signer/lifecycle/status.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "dns/atomic_file.hpp"
#include "dns/rrtype.hpp"
#include "dns/timeparse.hpp"
#include "parser/text_records.hpp"

namespace zk::signer {

namespace {

std::optional<int64_t> parse_sig_time(std::string_view t) {
  if (t.empty() || !std::all_of(t.begin(), t.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    return std::nullopt;
  }
  if (t.size() == 14) {
    auto v = parse_time(t, 0);
    if (!v) return std::nullopt;
    return *v;
  }
  if (t.size() > 10) return std::nullopt;
  const int64_t v = std::stoll(std::string(t));
  if (v > 0xffffffffLL) return std::nullopt;
  return v;
}

}  // namespace

namespace {

// Adds one RRSIG to the forecast: its RRset's hash from the owner (lowercase wire form, as the
// sign run hashes it) and the covered type.
void forecast_one(const ForecastRequest& f, std::string_view owner, std::string_view type,
                  int64_t expiration, std::vector<uint64_t>& runs) {
  Name name;
  if (!name_from_text(owner, f.origin, name)) return;
  name.to_lower();
  std::optional<uint16_t> t = type_from_text(type);
  if (!t) return;
  add_to_forecast(f.schedule, f.now, renewal_hash(name.view(), *t), expiration, runs);
}

}  // namespace

RrsigScan scan_rrsig_text(std::string_view text, const ForecastRequest* forecast) {
  RrsigScan scan;
  if (forecast) scan.forecast.assign(forecast_runs(forecast->schedule), 0);
  std::string_view last_owner;
  parser::for_each_text_record(text, [&](const parser::TextRecord& rec) {
    const auto& tok = rec.tokens;
    if (tok.empty()) return;
    if (rec.has_owner) {
      if (tok[0].text.front() == '$') return;
      last_owner = tok[0].text;
    }
    const size_t i = rec.type_index;
    if (i >= tok.size() || !parser::token_is(tok[i], "RRSIG")) return;
    ++scan.rrsigs;
    if (tok.size() < i + 6 || tok[i + 1].text == "\\#") {
      ++scan.unreadable;
      return;
    }
    const auto exp = parse_sig_time(tok[i + 5].text);
    if (!exp) {
      ++scan.unreadable;
      return;
    }
    if (forecast) forecast_one(*forecast, last_owner, tok[i + 1].text, *exp, scan.forecast);
    ++scan.per_day[*exp / 86400];
    if (!scan.earliest || *exp < *scan.earliest) {
      scan.earliest = *exp;
      scan.earliest_owner = std::string(last_owner);
      scan.earliest_type = std::string(tok[i + 1].text);
    }
  });
  return scan;
}

Result<RrsigScan> scan_rrsig_file(const std::string& path, const ForecastRequest* forecast) {
  auto text = zk::read_whole_file(path);
  if (!text) return fail(text.error());
  return scan_rrsig_text(*text, forecast);
}

KeyFigures key_figures(const ZoneKeyState& zone, int64_t now) {
  KeyFigures f;
  f.internal_failure = zone.state == ZoneState::InternalFailure;
  f.last_success = zone.last_success;
  for (const auto& k : zone.keys) {
    if (!k.is_ksk() || k.is_removed()) continue;
    if (k.owner_state == OwnerState::ActionNeeded) {
      ++f.ksk_action_needed;
      f.ksk_action_needed_seconds =
          std::max(f.ksk_action_needed_seconds, now - k.owner_state_since);
    }
    const int64_t since = k.active.value_or(k.created.value_or(now));
    f.ksk_ages.emplace_back(k.tag, now - since);
  }
  return f;
}

namespace {

std::string when(const std::optional<int64_t>& t) { return t ? time_to_iso(*t) : "-"; }

}  // namespace

StatusReport build_status(const KeyStateFile& file, std::string_view origin, const Policy& policy,
                          std::vector<KeyProblem> problems, std::optional<RrsigScan> rrsigs,
                          const StatusOptions& o) {
  StatusReport r;
  r.origin = normalize_origin(origin);
  r.problems = std::move(problems);
  r.rrsigs = std::move(rrsigs);
  const ZoneKeyState* z = file.find(origin);
  if (!z) {
    r.warnings.push_back("the state file has no entry for " + r.origin +
                         ": no sign run or ksk command has been made for it");
    r.exit_code = 3;
    return r;
  }
  r.known = true;
  r.renewal = renewal_schedule(policy);
  r.preview = plan_keys(o.now, policy, *z, r.problems);
  r.state = r.preview.state.state;
  switch (r.state) {
    case ZoneState::ActionNeeded:
      r.exit_code = 3;
      break;
    case ZoneState::InternalFailure:
      r.exit_code = 4;
      break;
    default:
      r.exit_code = 0;
  }
  if (r.rrsigs && r.rrsigs->earliest) {
    const int64_t left = *r.rrsigs->earliest - o.now;
    const bool ran_since = z->last_success && *z->last_success + policy.run_interval > o.now;
    if (left < o.expiry_warning) {
      std::string w =
          (left <= 0 ? "signatures expired already (" + time_to_iso(*r.rrsigs->earliest) + ")"
                     : "signatures expire in " + duration_to_text(left) + " (" +
                           time_to_iso(*r.rrsigs->earliest) + ")") +
          ": first " + r.rrsigs->earliest_owner + " RRSIG " + r.rrsigs->earliest_type;
      w += z->last_success ? "; last successful run " + time_to_iso(*z->last_success)
                           : "; no successful run recorded";
      if (r.state != ZoneState::Signing) {
        // A run now would stop at the same problem: say what has to change first.
        w += "; a sign run cannot re-sign the zone until this is fixed: " +
             (r.preview.state.state_why.empty() ? std::string(to_string(r.state))
                                                : r.preview.state.state_why);
      } else if (!ran_since) {
        w += "; run your scheduled sign command now and find out why the scheduled runs fail";
      }
      r.warnings.push_back(w);
      // Signatures already expired: validators reject the zone now, whatever else is wrong.
      if (r.exit_code == 0 || left <= 0) r.exit_code = 4;
    }
  }
  if (r.rrsigs && r.rrsigs->unreadable) {
    r.warnings.push_back(std::to_string(r.rrsigs->unreadable) +
                         " RRSIG records had an unreadable expiration");
  }
  if (z->last_success && o.now - *z->last_success > 2 * policy.run_interval) {
    r.warnings.push_back("no successful run for " + duration_to_text(o.now - *z->last_success));
  }
  return r;
}

std::string status_text(const StatusReport& r, const StatusOptions& o) {
  std::string s = "zone " + r.origin + ": ";
  if (!r.known) {
    s += "unknown\n";
  } else {
    const ZoneKeyState& z = r.preview.state;
    s += std::string(to_string(r.state));
    if (!z.state_why.empty()) s += " (" + z.state_why + ")";
    s += "\n  since " + (z.state_since ? time_to_iso(z.state_since) : std::string("-")) +
         "; last successful run " + when(z.last_success) + "\n";
    if (z.disable.active()) {
      s += "  disable procedure: started " + time_to_iso(*z.disable.started_at) +
           "; CDS/CDNSKEY delete published since " + when(z.disable.cds_delete_published_at) +
           "; parent DS removed: " + when(z.disable.parent_ds_removed_at) + "\n";
    }
    s += "  keys:\n";
    for (const auto& k : z.keys) {
      if (k.removed && k.is_ksk()) continue;
      s += "    " + std::string(to_string(k.role)) + " " + std::to_string(k.tag) + " alg " +
           std::to_string(k.algorithm) + " " + std::string(key_phase(k));
      if (k.is_ksk()) {
        s += " owner:" + std::string(to_string(k.owner_state));
        s += k.ds_seen ? " ds-seen:" + when(k.ds_seen_at) : " ds-seen:no";
        s += " roll:" + std::string(to_string(k.roll));
        if (!k.owner_state_why.empty()) s += " (" + k.owner_state_why + ")";
      }
      s += "\n      " + k.source + "\n      created " + when(k.created) + " published " +
           when(k.published) + " active " + when(k.active) + " retired " + when(k.retired) +
           " removed " + when(k.removed) +
           (k.signs_unpublished_since
                ? " signing-unpublished-since " + when(k.signs_unpublished_since)
                : std::string()) +
           "\n";
    }
    if (!r.preview.actions.empty()) {
      s += "  due at the next run:\n";
      for (const auto& a : r.preview.actions) s += "    " + a + "\n";
    }
    if (r.preview.next_action_at) {
      s += "  next scheduled: " + r.preview.next_action + " at " +
           time_to_iso(*r.preview.next_action_at) + " (in " +
           duration_to_text(*r.preview.next_action_at - o.now) + ")\n";
    }
  }
  if (r.rrsigs) {
    s += "  signed zone: " + std::to_string(r.rrsigs->rrsigs) + " RRSIGs, earliest expiration " +
         when(r.rrsigs->earliest) + "\n";
    if (!r.rrsigs->forecast.empty()) {
      s += "  renewals: the next " + std::to_string(r.rrsigs->forecast.size()) + " runs (every " +
           duration_to_text(r.renewal.run_interval) + ") re-sign";
      for (uint64_t n : r.rrsigs->forecast) s += " " + std::to_string(n);
      char share[32];
      std::snprintf(share, sizeof share, "%.1f", 100.0 * expected_share(r.renewal));
      s += " signatures if nothing changes; a run renews " + std::string(share) +
           "% of the zone on average\n";
    }
  }
  const auto& todo = r.preview.owner_actions;
  if (!todo.empty()) {
    s += "  to do:\n";
    for (const auto& a : todo) s += "    - " + a + "\n";
  }
  for (const auto& w : r.warnings) s += "  WARNING: " + w + "\n";
  return s;
}

std::string status_json(const StatusReport& r, const StatusOptions& o) {
  nlohmann::json j;
  j["zone"] = r.origin;
  j["known"] = r.known;
  j["now"] = o.now;
  j["exit_code"] = r.exit_code;
  if (r.known) {
    const ZoneKeyState& z = r.preview.state;
    j["state"] = to_string(r.state);
    j["state_since"] = z.state_since;
    j["state_why"] = z.state_why;
    j["last_success"] = z.last_success ? nlohmann::json(*z.last_success) : nlohmann::json();
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& k : z.keys) {
      nlohmann::json jk;
      jk["role"] = to_string(k.role);
      jk["tag"] = k.tag;
      jk["algorithm"] = k.algorithm;
      jk["source"] = k.source;
      jk["phase"] = std::string(key_phase(k));
      if (k.is_ksk()) {
        jk["owner_state"] = to_string(k.owner_state);
        jk["owner_state_since"] = k.owner_state_since;
        jk["owner_state_why"] = k.owner_state_why;
        jk["ds_seen"] = k.ds_seen;
        jk["roll_method"] = to_string(k.roll);
      }
      for (auto [name, v] : {std::pair{"created", k.created},
                             {"published", k.published},
                             {"active", k.active},
                             {"retired", k.retired},
                             {"removed", k.removed},
                             {"signs_unpublished_since", k.signs_unpublished_since}}) {
        jk[name] = v ? nlohmann::json(*v) : nlohmann::json();
      }
      keys.push_back(jk);
    }
    j["keys"] = keys;
    j["due_actions"] = r.preview.actions;
    if (r.preview.next_action_at) {
      j["next_action"] = {{"at", *r.preview.next_action_at}, {"what", r.preview.next_action}};
    }
    j["disable"] = {
        {"started_at",
         z.disable.started_at ? nlohmann::json(*z.disable.started_at) : nlohmann::json()},
        {"cds_delete_published_at", z.disable.cds_delete_published_at
                                        ? nlohmann::json(*z.disable.cds_delete_published_at)
                                        : nlohmann::json()},
        {"parent_ds_removed_at", z.disable.parent_ds_removed_at
                                     ? nlohmann::json(*z.disable.parent_ds_removed_at)
                                     : nlohmann::json()}};
  }
  if (r.rrsigs) {
    j["rrsigs"] = {{"count", r.rrsigs->rrsigs},
                   {"unreadable", r.rrsigs->unreadable},
                   {"earliest_expiration",
                    r.rrsigs->earliest ? nlohmann::json(*r.rrsigs->earliest) : nlohmann::json()},
                   {"earliest_owner", r.rrsigs->earliest_owner},
                   {"earliest_type", r.rrsigs->earliest_type}};
    if (!r.rrsigs->forecast.empty()) {
      j["renewal"] = {{"run_interval", r.renewal.run_interval},
                      {"expected_share", expected_share(r.renewal)},
                      {"forecast", r.rrsigs->forecast}};
    }
  }
  j["owner_actions"] = r.preview.owner_actions;
  j["warnings"] = r.warnings;
  return j.dump(2) + "\n";
}

}  // namespace zk::signer
