#include "signer/lifecycle/report.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <set>

#include "dns/timeparse.hpp"
#include "signer/signer.hpp"

namespace zk::signer {

namespace {

constexpr int64_t kDay = 86400;

// A tag no key of the zone has, for a successor the planner would create (counting down from
// 65535 so that it is unlikely to be a tag the real key will get).
uint16_t free_tag(const ZoneKeyState& z, uint8_t algorithm) {
  for (uint32_t t = 65535; t > 0; --t) {
    if (!z.find_key(static_cast<uint16_t>(t), algorithm)) return static_cast<uint16_t>(t);
  }
  return 0;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string day_text(int64_t t) { return time_to_iso(t).substr(0, 10); }

std::string fmt_list(const std::vector<uint64_t>& v) {
  std::string s;
  for (uint64_t n : v) s += (s.empty() ? "" : " ") + std::to_string(n);
  return s;
}

// The spans of one key: each recorded (or planned) state from its start to the next event.
void add_spans(KeyRow& row, int64_t now, int64_t end, const std::set<uint16_t>& planned_tags) {
  const KeyRecord& k = row.key;
  struct Event {
    const char* state;
    std::optional<int64_t> at;
  };
  // An algorithm rollover's new key signs before it is published (RFC 6781 s4.1.4): signing
  // unpublished from then, active (published and signing) from its publication.
  const bool unpublished_first = k.signs_unpublished_since.has_value();
  const Event events[] = {{"created", k.created},
                          {"published", unpublished_first ? std::nullopt : k.published},
                          {"signing-unpublished", k.signs_unpublished_since},
                          {"active", unpublished_first ? k.published : k.active},
                          {"retired", k.retired}};
  const int64_t stop = k.removed.value_or(end);
  for (size_t i = 0; i < std::size(events); ++i) {
    if (!events[i].at || *events[i].at >= stop) continue;
    int64_t to = stop;
    for (size_t j = i + 1; j < std::size(events); ++j) {
      if (events[j].at && *events[j].at >= *events[i].at) {
        to = std::min(to, *events[j].at);
        break;
      }
    }
    if (to <= *events[i].at) continue;
    const int64_t from = *events[i].at;
    // Recorded up to now, planned after (the planner's events all lie after now).
    if (from < now) {
      row.spans.push_back({events[i].state, from, std::min(to, now), false});
      if (to > now) row.spans.push_back({events[i].state, now, to, true});
    } else {
      row.spans.push_back({events[i].state, from, to, true});
    }
  }
  row.planned_key = planned_tags.count(k.tag) != 0;
  if (k.removed) {
    row.removed = k.removed;
    row.removed_planned = *k.removed > now;
  }
}

}  // namespace

std::vector<KeyRow> key_timeline(const ZoneKeyState& zone, const Policy& policy, int64_t now,
                                 int64_t horizon, std::span<const KeyProblem> problems) {
  // Nightly runs from now on, as cron would make them, without any owner action.
  ZoneKeyState z = zone;
  std::set<uint16_t> planned_tags;
  const int64_t step = std::max<int64_t>(policy.run_interval, 3600);
  for (int64_t t = now; t <= horizon && z.state != ZoneState::NotSigning; t += step) {
    KeyPlan plan = plan_keys(t, policy, z, problems);
    for (int round = 0; round < 2 && !plan.new_zsk_algorithms.empty(); ++round) {
      ZoneKeyState next = plan.state;
      for (uint8_t alg : plan.new_zsk_algorithms) {
        const uint16_t tag = free_tag(next, alg);
        planned_tags.insert(tag);
        add_zsk(next, tag, alg, "(not created yet)", std::string(), t);
      }
      plan = plan_keys(t, policy, next, problems);
    }
    z = std::move(plan.state);
  }
  // A zone not signing (unsign) has no runs that change its keys: nothing after now.
  const int64_t end = zone.state == ZoneState::NotSigning ? now : horizon;
  std::vector<KeyRow> rows;
  for (const KeyRecord& k : z.keys) {
    KeyRow row;
    row.key = k;
    add_spans(row, now, end, planned_tags);
    rows.push_back(std::move(row));
  }
  // The state's keys first, in their order, then the planned successors.
  std::stable_partition(rows.begin(), rows.end(), [](const KeyRow& r) { return !r.planned_key; });
  return rows;
}

namespace {

struct Axis {
  int64_t from = 0, to = 1;
  double x0 = 0, width = 1;
  double x(int64_t t) const {
    const double f = static_cast<double>(std::clamp(t, from, to) - from) /
                     static_cast<double>(std::max<int64_t>(to - from, 1));
    return x0 + f * width;
  }
};

// Ticks at midnight UTC every step days, labelled YYYY-MM-DD.
std::string time_ticks(const Axis& a, double top, double bottom) {
  const int64_t span_days = (a.to - a.from) / kDay;
  const int64_t step = span_days <= 21 ? 1 : span_days <= 120 ? 7 : span_days <= 400 ? 30 : 90;
  std::string s;
  for (int64_t d = (a.from + kDay - 1) / kDay; d * kDay <= a.to; d += step) {
    const double x = a.x(d * kDay);
    s += "<line class=\"tick\" x1=\"" + num(x) + "\" y1=\"" + num(top) + "\" x2=\"" + num(x) +
         "\" y2=\"" + num(bottom) + "\"/>";
    // A label centred on a tick at the very end would be cut off by the picture's edge.
    if (x + 32 > a.x0 + a.width + 20) continue;
    s += "<text class=\"tick-label\" x=\"" + num(x) + "\" y=\"" + num(bottom + 14) + "\">" +
         day_text(d * kDay) + "</text>\n";
  }
  return s;
}

std::string today_line(const Axis& a, int64_t now, double top, double bottom) {
  const double x = a.x(now);
  // Centred over the line, or beside it near either end of the axis so that it is not cut off.
  const double half_label = 90;
  const char* anchor = x - half_label < 0                     ? "start"
                       : x + half_label > a.x0 + a.width + 20 ? "end"
                                                              : "middle";
  return "<line class=\"today\" x1=\"" + num(x) + "\" y1=\"" + num(top - 6) + "\" x2=\"" + num(x) +
         "\" y2=\"" + num(bottom) + "\"/><text class=\"today-label\" x=\"" + num(x) + "\" y=\"" +
         num(top - 9) + "\" text-anchor=\"" + anchor + "\">now " + html_escape(time_to_iso(now)) +
         "</text>\n";
}

std::string key_label(const KeyRow& r) {
  const KeyRecord& k = r.key;
  std::string s = std::string(to_string(k.role)) + " ";
  s += r.planned_key ? std::string("next (planned)") : std::to_string(k.tag);
  s += " \xC2\xB7 " + algorithm_name(k.algorithm);
  return s;
}

std::string timeline_svg(const std::vector<KeyRow>& rows, int64_t now, int64_t from, int64_t to) {
  const double row_h = 30, top = 34, label_w = 270, width = 1100;
  const double height = top + row_h * static_cast<double>(rows.size()) + 30;
  Axis a{from, to, label_w, width - label_w - 20};
  std::string s = "<svg class=\"timeline\" viewBox=\"0 0 " + num(width) + " " + num(height) +
                  "\" width=\"" + num(width) + "\" height=\"" + num(height) +
                  "\" role=\"img\" aria-label=\"key timeline\">\n";
  const double bottom = top + row_h * static_cast<double>(rows.size());
  s += time_ticks(a, top, bottom);
  for (size_t i = 0; i < rows.size(); ++i) {
    const KeyRow& r = rows[i];
    const double y = top + row_h * static_cast<double>(i);
    s += "<g class=\"key-row";
    if (r.planned_key) s += " planned-key";
    s += "\" data-tag=\"" + (r.planned_key ? std::string("planned") : std::to_string(r.key.tag)) +
         "\" data-role=\"" + std::string(to_string(r.key.role)) + "\">";
    s += "<text class=\"key-label\" x=\"4\" y=\"" + num(y + 19) + "\">" +
         html_escape(key_label(r)) + "</text>";
    for (const KeySpan& sp : r.spans) {
      const double x1 = a.x(sp.from), x2 = a.x(sp.to);
      if (x2 - x1 <= 0) continue;
      s += "<rect class=\"span " + sp.state + (sp.planned ? " planned" : "") + "\" x=\"" + num(x1) +
           "\" y=\"" + num(y + 6) + "\" width=\"" + num(std::max(x2 - x1, 1.0)) +
           "\" height=\"18\"><title>" + html_escape(key_label(r)) + ": " + sp.state +
           (sp.planned ? " (planned)" : "") + " " + html_escape(time_to_iso(sp.from)) +
           " \xE2\x80\x93 " + html_escape(time_to_iso(sp.to)) + "</title></rect>";
    }
    if (r.key.ds_seen_at) {
      const double x = a.x(*r.key.ds_seen_at), cy = y + 15;
      s += "<path class=\"ds-seen\" d=\"M" + num(x) + " " + num(cy - 8) + " L" + num(x + 6) + " " +
           num(cy) + " L" + num(x) + " " + num(cy + 8) + " L" + num(x - 6) + " " + num(cy) +
           " Z\"><title>DS seen at the parent " + html_escape(time_to_iso(*r.key.ds_seen_at)) +
           "</title></path>";
    }
    if (r.removed) {
      const double x = a.x(*r.removed);
      s += "<line class=\"removed" + std::string(r.removed_planned ? " planned" : "") + "\" x1=\"" +
           num(x) + "\" y1=\"" + num(y + 4) + "\" x2=\"" + num(x) + "\" y2=\"" + num(y + 26) +
           "\"><title>removed" + (r.removed_planned ? " (planned) " : " ") +
           html_escape(time_to_iso(*r.removed)) + "</title></line>";
    }
    s += "</g>\n";
  }
  s += today_line(a, now, top, bottom);
  s += "</svg>\n";
  return s;
}

std::string histogram_svg(const RrsigScan& scan, int64_t now) {
  const double width = 1100, height = 260, left = 60, top = 20, plot_h = 190;
  const int64_t first = scan.per_day.begin()->first, last = scan.per_day.rbegin()->first;
  const int64_t from_day = std::min(first, now / kDay), to_day = std::max(last, now / kDay) + 1;
  uint64_t peak = 1;
  for (const auto& [day, n] : scan.per_day) peak = std::max(peak, n);
  Axis a{from_day * kDay, to_day * kDay, left, width - left - 20};
  std::string s = "<svg class=\"histogram\" viewBox=\"0 0 " + num(width) + " " + num(height) +
                  "\" width=\"" + num(width) + "\" height=\"" + num(height) +
                  "\" role=\"img\" aria-label=\"RRSIG expirations by day\">\n";
  s += time_ticks(a, top, top + plot_h);
  const double bar_w = std::max(a.x((from_day + 1) * kDay) - a.x(from_day * kDay) - 1, 1.0);
  for (const auto& [day, n] : scan.per_day) {
    const double h = plot_h * static_cast<double>(n) / static_cast<double>(peak);
    s += "<rect class=\"bar" + std::string(day * kDay < now ? " expired" : "") + "\" x=\"" +
         num(a.x(day * kDay)) + "\" y=\"" + num(top + plot_h - h) + "\" width=\"" + num(bar_w) +
         "\" height=\"" + num(h) + "\"><title>" + day_text(day * kDay) + ": " + std::to_string(n) +
         " RRSIG(s) expire</title></rect>\n";
  }
  s += "<text class=\"tick-label\" x=\"" + num(left - 6) + "\" y=\"" + num(top + 4) +
       "\" text-anchor=\"end\">" + std::to_string(peak) + "</text>";
  s += "<text class=\"tick-label\" x=\"" + num(left - 6) + "\" y=\"" + num(top + plot_h) +
       "\" text-anchor=\"end\">0</text>\n";
  s += today_line(a, now, top + 6, top + plot_h);
  s += "</svg>\n";
  return s;
}

constexpr const char* kStyle = R"(
body{font-family:sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.meta{color:#555;margin:0 0 12px} .state-signing{color:#1a7f37} .state-bad{color:#b42318}
table{border-collapse:collapse;font-size:13px} td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa} .exit0{color:#1a7f37} .exit3{color:#9a6700;font-weight:bold} .exit1,.exit2,.exit4{color:#b42318;font-weight:bold}
svg text{font-family:sans-serif;font-size:12px;fill:#1b1f24}
.tick{stroke:#e5e7eb;stroke-width:1} .tick-label{font-size:10px;fill:#57606a;text-anchor:middle}
.today{stroke:#cf222e;stroke-width:2} .today-label{font-size:11px;fill:#cf222e}
.span.created{fill:#d0d7de} .span.published{fill:#54aeff} .span.active{fill:#2da44e} .span.retired{fill:#d4a72c} .span.signing-unpublished{fill:#a2d9b1}
.span.planned{fill-opacity:.35;stroke-dasharray:4 2;stroke:#57606a;stroke-width:1}
.ds-seen{fill:#8250df;stroke:#fff;stroke-width:1} .removed{stroke:#1b1f24;stroke-width:3} .removed.planned{stroke-dasharray:3 2;stroke-width:2}
.planned-key .key-label{font-style:italic;fill:#57606a}
.bar{fill:#54aeff} .bar.expired{fill:#cf222e}
.legend span{display:inline-block;margin-right:14px;font-size:13px} .sw{display:inline-block;width:14px;height:10px;margin-right:4px;vertical-align:middle}
)";

std::string legend() {
  return "<p class=\"legend\"><span><i class=\"sw\" style=\"background:#d0d7de\"></i>created</span>"
         "<span><i class=\"sw\" style=\"background:#54aeff\"></i>published</span>"
         "<span><i class=\"sw\" style=\"background:#2da44e\"></i>active (signing)</span>"
         "<span><i class=\"sw\" style=\"background:#a2d9b1\"></i>signing, not yet published "
         "(algorithm rollover)</span>"
         "<span><i class=\"sw\" style=\"background:#d4a72c\"></i>retired (published, not "
         "signing)</span><span><i class=\"sw\" style=\"background:#8250df\"></i>DS seen at the "
         "parent</span><span><i class=\"sw\" style=\"background:#1b1f24\"></i>removed</span>"
         "<span>faded, dashed: planned</span></p>\n";
}

std::string runs_table(const ZoneKeyState& z) {
  if (z.runs.empty()) return "<p>No runs recorded yet.</p>\n";
  std::string s =
      "<table class=\"runs\"><tr><th>time (UTC)</th><th>exit</th><th>serial</th><th>RRsets "
      "signed</th><th>reused</th><th>TTLs clamped</th><th>what happened</th></tr>\n";
  for (auto it = z.runs.rbegin(); it != z.runs.rend(); ++it) {
    const RunRecord& r = *it;
    s += "<tr><td>" + html_escape(time_to_iso(r.at)) + "</td><td class=\"exit" +
         std::to_string(r.exit_code) + "\">" + std::to_string(r.exit_code) + "</td><td>" +
         (r.serial ? std::to_string(*r.serial) : std::string("&#8212;")) + "</td><td>" +
         std::to_string(r.rrsets_signed) + "</td><td>" + std::to_string(r.rrsets_reused) +
         "</td><td>" + std::to_string(r.ttl_clamped) + "</td><td>" + html_escape(r.summary) +
         "</td></tr>\n";
  }
  return s + "</table>\n";
}

std::string clamp_section(const ZoneKeyState* z, const Policy& p) {
  std::string s = "<p>TTL clamp (max-ttl): " +
                  (p.ttl_clamp == 0 ? std::string("off") : std::to_string(p.ttl_clamp) + " s") +
                  ". RRsets whose TTL was lowered to it, by run:</p>\n";
  if (z == nullptr || z->runs.empty()) return s + "<p>No runs recorded yet.</p>\n";
  s += "<table class=\"clamped\"><tr><th>time (UTC)</th><th>RRsets clamped</th></tr>\n";
  for (auto it = z->runs.rbegin(); it != z->runs.rend(); ++it) {
    if (!it->serial && it->ttl_clamped == 0) continue;  // nothing published
    s += "<tr><td>" + html_escape(time_to_iso(it->at)) + "</td><td>" +
         std::to_string(it->ttl_clamped) + "</td></tr>\n";
  }
  return s + "</table>\n";
}

}  // namespace

std::string report_html(const ReportInput& in) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" +
                  html_escape("zonekiln report: " + in.origin) + "</title>\n<style>" + kStyle +
                  "</style></head><body>\n";
  s += "<h1>" + html_escape(in.origin) + "</h1>\n";
  s += "<p class=\"meta\">Report made " + html_escape(time_to_iso(in.now)) + " by zonekiln";
  if (in.zone) {
    const bool good = in.zone->state == ZoneState::Signing;
    s += " \xC2\xB7 zone state <b class=\"" + std::string(good ? "state-signing" : "state-bad") +
         "\">" + std::string(to_string(in.zone->state)) + "</b>";
    if (!in.zone->state_why.empty()) s += ": " + html_escape(in.zone->state_why);
    if (in.zone->last_success) {
      s += " \xC2\xB7 last success " + html_escape(time_to_iso(*in.zone->last_success));
    }
  } else {
    s += " \xC2\xB7 the key state has no entry for this zone (never signed)";
  }
  s += "</p>\n";

  s += "<h2>Key timeline</h2>\n";
  if (in.zone == nullptr || in.zone->keys.empty()) {
    s += "<p>No keys recorded.</p>\n";
  } else {
    // Recorded history (at most a year back) and the planner's next steps: one ZSK lifetime and
    // the retire interval after it, at least 30 days, at most a year.
    const int64_t ahead = std::clamp<int64_t>(
        in.policy.zsk_lifetime + zsk_retire_interval(in.policy) + 7 * kDay, 30 * kDay, 365 * kDay);
    const int64_t horizon = in.now + ahead;
    const std::vector<KeyRow> rows =
        key_timeline(*in.zone, in.policy, in.now, horizon, in.problems);
    int64_t from = in.now;
    for (const KeyRow& r : rows) {
      for (const KeySpan& sp : r.spans) from = std::min(from, sp.from);
    }
    from = std::max(from, in.now - 365 * kDay);
    from = (from - kDay) / kDay * kDay;
    s += legend();
    s += timeline_svg(rows, in.now, from, horizon);
    if (in.zone->state == ZoneState::NotSigning) {
      s += "<p class=\"meta\">The zone is not signing (unsign): no run changes its keys, nothing "
           "is planned.</p>\n";
    } else {
      s += "<p class=\"meta\">Planned: what nightly sign runs (every " +
           std::to_string(in.policy.run_interval / 3600) +
           " h) would do from now with the current policy and no owner action; KSK steps that "
           "wait for the owner (ksk add, activate, ds-seen) are not predicted.</p>\n";
    }
  }

  s += "<h2>RRSIG expirations by day</h2>\n";
  if (!in.rrsigs) {
    s += "<p>No signed zone given (--signed FILE).</p>\n";
  } else if (in.rrsigs->per_day.empty()) {
    s += "<p>" + html_escape(in.signed_file) + " has no readable RRSIG records.</p>\n";
  } else {
    const RrsigScan& r = *in.rrsigs;
    s += "<p>" + html_escape(in.signed_file) + ": " + std::to_string(r.rrsigs) +
         " RRSIGs expiring between " + day_text(r.per_day.begin()->first * kDay) + " and " +
         day_text(r.per_day.rbegin()->first * kDay) + " (spread over " +
         html_escape(duration_to_text(resolved_spread(in.policy))) + "); the first, " +
         html_escape(r.earliest_owner + " " + r.earliest_type) + ", at " +
         html_escape(time_to_iso(*r.earliest)) + ".</p>\n";
    s += histogram_svg(r, in.now);
    if (!r.forecast.empty()) {
      s += "<p class=\"forecast\">RRSIGs each of the next " + std::to_string(r.forecast.size()) +
           " runs will renew: " + fmt_list(r.forecast) + ".</p>\n";
    }
  }

  s += "<h2>TTLs clamped</h2>\n" + clamp_section(in.zone, in.policy);
  s += "<h2>Last runs</h2>\n";
  s += in.zone ? runs_table(*in.zone) : std::string("<p>No runs recorded yet.</p>\n");
  s += "</body></html>\n";
  return s;
}

}  // namespace zk::signer
