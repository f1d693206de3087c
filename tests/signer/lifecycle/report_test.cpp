// signer/lifecycle/report: the key timeline (recorded and planned) and the HTML page around it.
#include "signer/lifecycle/report.hpp"

#include <catch2/catch.hpp>

#include "signer/lifecycle/policy.hpp"

using namespace zk::signer;

namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kNow = 1798761600;  // 2027-01-01

KeyRecord key(KeyRole role, uint16_t tag, int64_t created) {
  KeyRecord k;
  k.role = role;
  k.tag = tag;
  k.algorithm = 13;
  k.source = "Kexample.com.+013+" + std::to_string(tag);
  k.created = created;
  k.published = created;
  k.owner_state = OwnerState::Active;
  return k;
}

// A KSK with its DS seen, a ZSK rolled out 20 days ago, the ZSK that replaced it.
ZoneKeyState sample_zone() {
  ZoneKeyState z;
  z.origin = "example.com.";
  z.state = ZoneState::Signing;
  KeyRecord ksk = key(KeyRole::KSK, 100, kNow - 100 * kDay);
  ksk.active = kNow - 100 * kDay;
  ksk.ds_seen = true;
  ksk.ds_seen_at = kNow - 99 * kDay;
  KeyRecord old_zsk = key(KeyRole::ZSK, 200, kNow - 120 * kDay);
  old_zsk.active = kNow - 119 * kDay;
  old_zsk.retired = kNow - 30 * kDay;
  old_zsk.removed = kNow - 20 * kDay;
  KeyRecord zsk = key(KeyRole::ZSK, 300, kNow - 40 * kDay);
  zsk.active = kNow - 30 * kDay;
  z.keys = {ksk, old_zsk, zsk};
  RunRecord run;
  run.at = kNow - kDay;
  run.exit_code = 3;
  run.serial = 2026123101;
  run.ttl_clamped = 2;
  run.summary = "signed 5 RRsets; a <KSK> needs its owner";
  z.runs.push_back(run);
  return z;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

const KeyRow& row_of(const std::vector<KeyRow>& rows, uint16_t tag) {
  for (const auto& r : rows) {
    if (!r.planned_key && r.key.tag == tag) return r;
  }
  FAIL("no row for key " << tag);
  return rows.front();
}

}  // namespace

TEST_CASE("the key timeline shows recorded states up to now and the planner's after", "[report]") {
  const ZoneKeyState z = sample_zone();
  Policy p;  // ZSK lifetime 90 days
  const auto rows = key_timeline(z, p, kNow, kNow + 200 * kDay, {});
  size_t real = 0, planned = 0;
  for (const auto& r : rows) (r.planned_key ? planned : real) += 1;
  CHECK(real == 3);
  CHECK(planned >= 1);  // the successor of ZSK 300, created before it retires
  CHECK_FALSE(rows.front().planned_key);
  CHECK_FALSE(rows.back().key.tag == 300);  // planned rows come after the state's keys

  // ZSK 300: active until now as recorded, then active as planned, then retired (planned).
  const KeyRow& zsk = row_of(rows, 300);
  bool active_now = false, active_planned = false, retired_planned = false;
  for (const auto& s : zsk.spans) {
    if (s.state == "active" && !s.planned && s.to == kNow) active_now = true;
    if (s.state == "active" && s.planned && s.from == kNow) active_planned = true;
    if (s.state == "retired" && s.planned) retired_planned = true;
    if (s.planned) CHECK(s.from >= kNow);
    if (!s.planned) CHECK(s.to <= kNow);
  }
  CHECK(active_now);
  CHECK(active_planned);
  CHECK(retired_planned);
  // The old ZSK: removed in the past, nothing planned.
  const KeyRow& old = row_of(rows, 200);
  REQUIRE(old.removed);
  CHECK(*old.removed == kNow - 20 * kDay);
  CHECK_FALSE(old.removed_planned);
  for (const auto& s : old.spans) CHECK_FALSE(s.planned);
}

TEST_CASE("the report page is self-contained with one SVG row per key", "[report]") {
  const ZoneKeyState z = sample_zone();
  ReportInput in;
  in.zone = &z;
  in.origin = z.origin;
  in.now = kNow;
  in.rrsigs = scan_rrsig_text(
      "example.com. 300 IN RRSIG SOA 13 2 300 20270110000000 20261220000000 300 example.com. "
      "AAAA\nwww.example.com. 300 IN RRSIG A 13 3 300 20270110120000 20261220000000 300 "
      "example.com. AAAA\nmail.example.com. 300 IN RRSIG A 13 3 300 20270112000000 "
      "20261220000000 300 example.com. AAAA\n");
  in.signed_file = "zone.signed";
  const std::string html = report_html(in);
  CHECK(count(html, "<g class=\"key-row\"") == 3);
  CHECK(count(html, "<g class=\"key-row planned-key\"") >= 1);
  CHECK(count(html, "data-tag=\"300\"") == 1);
  CHECK(count(html, "class=\"ds-seen\"") == 1);
  CHECK(count(html, "class=\"today\"") == 2);  // the timeline and the histogram
  // Two days with expirations: two bars, the higher one with two RRSIGs.
  CHECK(count(html, "<rect class=\"bar\"") == 2);
  CHECK(html.find("2027-01-10: 2 RRSIG(s) expire") != std::string::npos);
  // The runs, escaped.
  CHECK(html.find("a &lt;KSK&gt; needs its owner") != std::string::npos);
  CHECK(html.find("<td class=\"exit3\">3</td>") != std::string::npos);
  // Nothing from elsewhere, nothing that runs.
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("http:") == std::string::npos);
  CHECK(html.find("https:") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("href=") == std::string::npos);
  CHECK(html.find("url(") == std::string::npos);
}

TEST_CASE("a zone the state does not know gets a page that says so", "[report]") {
  ReportInput in;
  in.origin = "example.org.";
  in.now = kNow;
  const std::string html = report_html(in);
  CHECK(html.find("never signed") != std::string::npos);
  CHECK(html.find("<g class=\"key-row") == std::string::npos);
}

TEST_CASE("a retired ZSK gets its removal planned and a zone not signing gets no plan",
          "[report]") {
  ZoneKeyState z = sample_zone();
  // ZSK 300 retired two days ago, its successor 400 active since then.
  z.keys[2].retired = kNow - 2 * kDay;
  KeyRecord next = key(KeyRole::ZSK, 400, kNow - 10 * kDay);
  next.active = kNow - 2 * kDay;
  z.keys.push_back(next);
  Policy p;
  const int64_t removal = kNow - 2 * kDay + zsk_retire_interval(p);
  REQUIRE(removal > kNow);
  const auto rows = key_timeline(z, p, kNow, kNow + 200 * kDay, {});
  const KeyRow& retired = row_of(rows, 300);
  REQUIRE(retired.removed);
  CHECK(retired.removed_planned);
  // Removed on the first nightly run at or after the retire interval.
  CHECK(*retired.removed >= removal);
  CHECK(*retired.removed < removal + p.run_interval);
  bool retired_recorded = false, retired_planned = false;
  for (const auto& s : retired.spans) {
    if (s.state == "retired" && !s.planned) retired_recorded = s.from == kNow - 2 * kDay;
    if (s.state == "retired" && s.planned) retired_planned = s.to == *retired.removed;
  }
  CHECK(retired_recorded);
  CHECK(retired_planned);

  // Turned off (unsign): nothing is planned, no successor rows.
  z.state = ZoneState::NotSigning;
  const auto off = key_timeline(z, p, kNow, kNow + 200 * kDay, {});
  CHECK(off.size() == z.keys.size());
  for (const auto& r : off) {
    CHECK_FALSE(r.planned_key);
    for (const auto& s : r.spans) CHECK_FALSE(s.planned);
  }
}

TEST_CASE("an algorithm rollover's new key shows signing-unpublished until it is published",
          "[report][algroll]") {
  ZoneKeyState z = sample_zone();
  KeyRecord ksk = key(KeyRole::KSK, 400, kNow - 3 * kDay);
  ksk.algorithm = 8;
  ksk.published.reset();
  ksk.active = kNow - 2 * kDay;
  ksk.signs_unpublished_since = kNow - 2 * kDay;
  ksk.published = kNow - kDay;
  z.keys.push_back(ksk);
  const auto rows = key_timeline(z, Policy{}, kNow, kNow + 10 * kDay, {});
  const KeyRow& r = row_of(rows, 400);
  REQUIRE(r.spans.size() >= 3);
  CHECK(r.spans[0].state == "created");
  CHECK(r.spans[0].to == kNow - 2 * kDay);
  CHECK(r.spans[1].state == "signing-unpublished");
  CHECK(r.spans[1].from == kNow - 2 * kDay);
  CHECK(r.spans[1].to == kNow - kDay);
  CHECK(r.spans[2].state == "active");
  CHECK(r.spans[2].from == kNow - kDay);
  for (const auto& s : r.spans) CHECK(s.state != "published");
  ReportInput in;
  in.zone = &z;
  in.origin = z.origin;
  in.now = kNow;
  CHECK(report_html(in).find("span signing-unpublished") != std::string::npos);
}
