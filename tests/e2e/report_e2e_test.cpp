// `zonekiln report` after two ZSK rollovers, rendered by a real browser (headless Chromium):
// the page loads with nothing fetched and nothing failing, and its key timeline has one SVG row
// per key of the state. And the report's output goes through sign's output guard, atomically.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/tools.hpp"

using namespace zk::test;
namespace fs = std::filesystem;

namespace {

std::string q(const std::string& s) { return "'" + s + "'"; }

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the report renders in headless Chromium with one timeline row per key",
          "[e2e][report]") {
  if (!need_tools({"chromium"})) return;
  TempDir tmp;
  const std::string keys = tmp.file("keys"), zone = tmp.file("zone"), out = tmp.file("signed");
  write_file(zone, read_file(zone_path("example.com.zone")));
  const std::string zk = zonekiln() + " ";
  const std::string at = " --origin example.com. --keys " + q(keys);
  std::string log;
  REQUIRE(run(zk + "ksk add" + at + " --generate --now 20270101000000", &log) == 0);
  const size_t p = log.find("KSK ");
  REQUIRE(p != std::string::npos);
  const std::string tag = log.substr(p + 4, log.find(' ', p + 4) - p - 4);
  REQUIRE(run(zk + "ksk activate" + at + " --tag " + tag + " --now 20270101000000") == 0);
  REQUIRE(run(zk + "ksk ds-seen" + at + " --tag " + tag + " --now 20270102000000") == 0);
  // Runs every ten days through two ZSK rollovers (30-day lifetime): three ZSKs by the end, the
  // first one removed.
  for (const char* night :
       {"20270101000000", "20270110000000", "20270120000000", "20270130000000", "20270209000000",
        "20270219000000", "20270301000000", "20270311000000", "20270321000000", "20270331000000"}) {
    INFO(night << "\n" << log);
    REQUIRE(run(zk + "sign " + q(zone) + at + " --output " + q(out) + " --zsk-lifetime 30d --now " +
                    night,
                &log) == 0);
  }
  const std::string html = tmp.file("report.html");
  REQUIRE(run(zk + "report" + at + " --signed " + q(out) +
                  " --zsk-lifetime 30d --now 20270331000000 --output " + q(html),
              &log) == 0);
  INFO(log);
  const auto state = nlohmann::json::parse(read_file(keys + "/zonekiln-state.json"));
  const size_t keys_in_state = state["zones"][0]["keys"].size();
  REQUIRE(keys_in_state >= 4);  // the KSK and three ZSKs, the first one removed

  // The browser: a screenshot (the page renders) and the DOM it built (the SVG it parsed).
  const std::string chrome =
      "chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "
      "--no-first-run --user-data-dir=" +
      q(tmp.file("profile")) + " --enable-logging=stderr --v=0 ";
  const std::string png = tmp.file("report.png");
  REQUIRE(run("timeout 180 " + chrome + "--window-size=1200,1600 --screenshot=" + q(png) +
                  " file://" + html,
              &log) == 0);
  INFO(log);
  const std::string image = read_file(png);
  REQUIRE(image.size() > 10000);
  CHECK(image.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  // Console messages (a failed load, a blocked resource) would be logged as CONSOLE lines.
  CHECK(log.find("CONSOLE") == std::string::npos);
  CHECK(log.find("Failed to load resource") == std::string::npos);

  std::string dom;
  REQUIRE(run("(timeout 180 " + chrome + "--dump-dom file://" + html + " 2>/dev/null)", &dom) == 0);
  CHECK(count(dom, "<svg class=\"timeline\"") == 1);
  CHECK(count(dom, "<svg class=\"histogram\"") == 1);
  CHECK(count(dom, "<g class=\"key-row\"") == keys_in_state);
  CHECK(count(dom, "data-tag=\"" + tag + "\"") == 1);
  CHECK(dom.find("parsererror") == std::string::npos);
}

TEST_CASE("report writes through the output guard and atomically", "[e2e][report]") {
  TempDir tmp;
  const std::string keys = tmp.file("keys"), zone = tmp.file("zone"), out = tmp.file("signed");
  write_file(zone, read_file(zone_path("example.com.zone")));
  const std::string zk = zonekiln() + " ";
  const std::string at = " --origin example.com. --keys " + q(keys);
  std::string log;
  REQUIRE(run(zk + "keygen" + at + " --ksk", &log) == 0);
  REQUIRE(run(zk + "sign " + q(zone) + at + " --output " + q(out) + " --now 20270101000000",
              &log) == 0);
  const std::string signed_before = read_file(out);
  const std::string state_before = read_file(keys + "/zonekiln-state.json");
  const std::string report = zk + "report" + at + " --signed " + q(out) + " --now 20270102000000";

  // Refused (exit 2, nothing written): the signed zone it reads, the key state, any file in the
  // key directory.
  REQUIRE(run(report + " --output " + q(out), &log) == 2);
  CHECK(log.find("--output") != std::string::npos);
  CHECK(read_file(out) == signed_before);
  REQUIRE(run(report + " --output " + q(keys + "/zonekiln-state.json"), &log) == 2);
  CHECK(read_file(keys + "/zonekiln-state.json") == state_before);
  REQUIRE(run(report + " --output " + q(keys + "/report.html"), &log) == 2);
  CHECK_FALSE(fs::exists(keys + "/report.html"));

  // Written: the whole page, replacing an older one, no temporary file left beside it.
  fs::create_directories(tmp.file("www"));
  const std::string html = tmp.file("www/report.html");
  write_file(html, "old page");
  REQUIRE(run(report + " --output " + q(html), &log) == 0);
  INFO(log);
  const std::string page = read_file(html);
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find("</html>") != std::string::npos);
  CHECK(page.find("<svg class=\"histogram\"") != std::string::npos);
  CHECK(page.find("runs will renew: ") != std::string::npos);
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.file("www"))) ++files;
  CHECK(files == 1);
  // '-' is stdout.
  std::string stdout_page;
  REQUIRE(run("(" + report + " --output - 2>/dev/null)", &stdout_page) == 0);
  CHECK(stdout_page == page);
}
