#include "emit/metrics.hpp"

#include <cstdio>

#include "dns/atomic_file.hpp"

namespace zk::emit {

namespace {

void escape_label(const std::string& v, std::string& out) {
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

std::string zone_label(const RunMetrics& m) {
  std::string s = "zone=\"";
  escape_label(m.zone, s);
  s += '"';
  return s;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, const char* name, const std::string& labels, const std::string& v) {
  out += name;
  out += '{';
  out += labels;
  out += "} ";
  out += v;
  out += '\n';
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// One family: header once, then one sample per zone that has a value.
template <typename Get>
void family(std::string& out, std::span<const RunMetrics> zones, const char* name, const char* type,
            const char* help, Get get) {
  bool any = false;
  for (const auto& z : zones) {
    std::optional<std::string> v = get(z);
    if (!v) continue;
    if (!any) header(out, name, type, help);
    any = true;
    sample(out, name, zone_label(z), *v);
  }
}

template <typename T>
std::optional<std::string> opt_int(const std::optional<T>& v) {
  if (!v) return std::nullopt;
  return std::to_string(*v);
}

}  // namespace

std::string metrics_text(std::span<const RunMetrics> zones) {
  std::string out;
  family(out, zones, "zonekiln_internal_failure", "gauge",
         "1 when the last run failed for an internal reason (exit 4)", [](const RunMetrics& m) {
           return std::optional<std::string>(m.internal_failure ? "1" : "0");
         });
  family(out, zones, "zonekiln_ksk_action_needed", "gauge",
         "Number of KSKs that need their owner's action (exit 3)", [](const RunMetrics& m) {
           return std::optional<std::string>(std::to_string(m.ksk_action_needed));
         });
  family(out, zones, "zonekiln_ksk_action_needed_seconds", "gauge",
         "Longest time a KSK of the zone has needed its owner's action", [](const RunMetrics& m) {
           return std::optional<std::string>(std::to_string(m.ksk_action_needed_seconds));
         });
  bool any_age = false;
  for (const auto& z : zones) {
    for (const auto& a : z.ksk_ages) {
      if (!any_age) {
        header(out, "zonekiln_ksk_age_seconds", "gauge",
               "Time since each KSK became active (or was added)");
      }
      any_age = true;
      sample(out, "zonekiln_ksk_age_seconds",
             zone_label(z) + ",tag=\"" + std::to_string(a.tag) + "\"", std::to_string(a.seconds));
    }
  }
  family(out, zones, "zonekiln_last_success_timestamp_seconds", "gauge",
         "Unix time of the last successful sign run (one that exited 0)",
         [](const RunMetrics& m) { return opt_int(m.last_success); });
  family(out, zones, "zonekiln_last_exit_code", "gauge",
         "Exit code of the last sign run: 0 ok, 1 zone data, 2 usage, 3 a key needs its owner, "
         "4 internal failure",
         [](const RunMetrics& m) { return opt_int(m.last_exit_code); });
  family(out, zones, "zonekiln_rrsig_earliest_expiration_timestamp_seconds", "gauge",
         "Unix time when the first RRSIG in the signed zone expires",
         [](const RunMetrics& m) { return opt_int(m.rrsig_earliest_expiration); });
  family(out, zones, "zonekiln_rrsets_signed", "gauge", "RRsets signed in the last run",
         [](const RunMetrics& m) { return opt_int(m.rrsets_signed); });
  family(out, zones, "zonekiln_rrsets_reused", "gauge",
         "RRsets whose previous signatures were kept in the last run",
         [](const RunMetrics& m) { return opt_int(m.rrsets_reused); });
  family(out, zones, "zonekiln_rrsets_renewed_early", "gauge",
         "RRsets of zonekiln_rrsets_signed whose signatures were still good, renewed early in the "
         "last run to even out the runs' work",
         [](const RunMetrics& m) { return opt_int(m.rrsets_renewed_early); });
  family(out, zones, "zonekiln_renewal_expected_share", "gauge",
         "Share of the zone's RRsets a run is expected to re-sign once renewals are spread "
         "(run interval / renewal cycle)",
         [](const RunMetrics& m) -> std::optional<std::string> {
           if (!m.renewal_expected_share) return std::nullopt;
           char buf[32];
           std::snprintf(buf, sizeof buf, "%.6f", *m.renewal_expected_share);
           return std::string(buf);
         });
  family(out, zones, "zonekiln_ttl_clamped", "gauge",
         "RRsets whose TTL was lowered to the clamp in the last run",
         [](const RunMetrics& m) { return opt_int(m.ttl_clamped); });
  family(out, zones, "zonekiln_run_duration_seconds", "gauge", "Wall time of the last run",
         [](const RunMetrics& m) -> std::optional<std::string> {
           if (!m.run_duration_seconds) return std::nullopt;
           return num(*m.run_duration_seconds);
         });
  return out;
}

Result<void> write_metrics(const std::string& path, std::span<const RunMetrics> zones) {
  return zk::write_file_atomic(path, metrics_text(zones), 0644);
}

}  // namespace zk::emit
