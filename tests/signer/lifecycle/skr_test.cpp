// Offline KSK: one request and response made once, then a year of nightly sign runs choosing
// their period from it, through two ZSK rollovers.
#include "signer/lifecycle/skr.hpp"

#include <catch2/catch.hpp>
#include <set>

#include "dns/rrtype.hpp"
#include "signer/signer.hpp"
#include "tests/signer/signer_test_util.hpp"

using namespace zk;
using namespace zk::signer;

namespace {

Name name_of(const char* text) {
  Name n;
  REQUIRE(name_from_text(text, NameView{}, n));
  return n;
}

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1'767'225'600;  // 2026-01-01 00:00:00 UTC

std::set<uint16_t> dnskey_tags(const std::vector<SkrRecord>& records, bool ksk) {
  std::set<uint16_t> tags;
  for (const SkrRecord& r : records) {
    if (r.type != rrtype::DNSKEY) continue;
    auto k = key_from_dnskey(r.rdata);
    REQUIRE(k);
    if (k->is_ksk() == ksk) tags.insert(k->tag());
  }
  return tags;
}

}  // namespace

TEST_CASE("a year of nightly runs on one SKR with two ZSK rollovers", "[signer][skr]") {
  signer_test::TempDir zone_keys;  // where the zone is signed: ZSKs only
  const Name origin = name_of("example.com.");
  auto ksk = generate_key(alg::ECDSAP256SHA256, true);  // where the KSK lives
  REQUIRE(ksk);

  KsrOptions o;
  o.from = kT0;
  o.to = kT0 + 365 * kDay;
  o.period = 10 * kDay;
  o.zsk_lifetime = 150 * kDay;  // rollovers at day 150 and day 300
  std::vector<std::string> notes;
  auto request = make_ksr(zone_keys.path, origin, o, kT0 - kDay, &notes);
  INFO((request ? std::string() : request.error().detail));
  REQUIRE(request);
  CHECK(request->periods.size() == 37);
  CHECK(notes.size() == 3);  // three ZSKs; the third lasts past the end of the request

  // The request travels as text to the KSK and back.
  auto parsed = skr_from_text(skr_to_text(*request), "request");
  INFO((parsed ? std::string() : parsed.error().detail));
  REQUIRE(parsed);
  CHECK(skr_to_text(*parsed) == skr_to_text(*request));
  auto response = sign_ksr(*parsed, std::span<const Key>(&*ksk, 1), SkrSignOptions{});
  INFO((response ? std::string() : response.error().detail));
  REQUIRE(response);
  auto reread = skr_from_text(skr_to_text(*response), "response");
  REQUIRE(reread);
  CHECK(skr_to_text(*reread) == skr_to_text(*response));

  // The ZSKs the zone side holds, to sign "the rest of the zone" with.
  auto zsks = load_key_dir(zone_keys.path, origin);
  REQUIRE(zsks);
  REQUIRE(zsks->size() == 3);

  Arena arena;
  const Owner* www = make_owner(arena, name_of("www.example.com."));
  const uint8_t a[4] = {192, 0, 2, 1};
  const RR rrset[1] = {RR{www, a, 3600, rrtype::A, 4}};
  SignContext ctx;
  std::vector<uint16_t> active_by_night;
  int refused = 0;
  for (int night = 0; night < 365; ++night) {
    const int64_t now = kT0 + night * kDay + 3 * 3600;  // 03:00 UTC cron run
    auto sel = select_skr_period(*reread, now);
    if (now + kSkrWarnSeconds > o.to) {  // the last three days: the owner must act
      REQUIRE_FALSE(sel);
      CHECK(sel.error().code == Errc::KeyActionNeeded);
      ++refused;
      continue;
    }
    INFO("night " << night << ": " << (sel ? std::string() : sel.error().detail));
    REQUIRE(sel);
    CHECK(sel->from <= now);
    CHECK(now < sel->to);
    CHECK(sel->to - sel->from <= o.period);
    CHECK(dnskey_tags(sel->records, true) == std::set<uint16_t>{ksk->tag()});

    // The active ZSK is one of ours, published, and its slot is the expected one.
    const Key* zsk = find_key_by_dnskey(*zsks, sel->zsk_dnskey);
    REQUIRE(zsk);
    CHECK(zsk->tag() == sel->zsk_tag);
    const int slot = static_cast<int>((sel->from - kT0) / (150 * kDay));
    CHECK(*zsk->timing.activate == kT0 + slot * 150 * kDay);
    const auto published = dnskey_tags(sel->records, false);
    CHECK(published.count(zsk->tag()) == 1);
    // Pre-published in the period before a rollover, kept one period after it: two ZSKs then.
    const int64_t pos = (sel->from - kT0) % (150 * kDay);
    const bool edge = (pos == 0 && slot > 0) || pos + o.period >= 150 * kDay;
    CHECK(published.size() == (edge ? 2u : 1u));
    active_by_night.push_back(zsk->tag());

    // The run signs the rest of the zone with that ZSK; a validator with the published DNSKEY
    // accepts it, and the DNSKEY RRset's RRSIG from the offline KSK is valid tonight.
    std::vector<uint8_t> sig(max_rrsig_rdata_len(*zsk));
    RrsigParams params{origin, static_cast<uint32_t>(now - 3600),
                       static_cast<uint32_t>(now + 14 * kDay), 3600};
    auto n = ctx.sign(*zsk, params, rrset, sig.data());
    REQUIRE(n);
    sig.resize(*n);
    auto pub = key_from_dnskey(sel->zsk_dnskey);
    REQUIRE(pub);
    CHECK(*ctx.verify(*pub, rrset, sig));
    for (const SkrRecord& r : sel->records) {
      if (r.type != rrtype::RRSIG) continue;
      const uint32_t exp = (uint32_t{r.rdata[8]} << 24) | (uint32_t{r.rdata[9]} << 16) |
                           (uint32_t{r.rdata[10]} << 8) | r.rdata[11];
      CHECK(exp >= now + 5 * kDay);  // the overlap: a missed night still validates
    }
  }
  CHECK(refused == 3);
  // Two rollovers: three distinct ZSKs, each used for a contiguous run of nights.
  std::vector<uint16_t> distinct;
  for (uint16_t t : active_by_night)
    if (distinct.empty() || distinct.back() != t) distinct.push_back(t);
  CHECK(distinct.size() == 3);
  CHECK(std::set<uint16_t>(distinct.begin(), distinct.end()).size() == 3);
  CHECK(active_by_night[149] == distinct[0]);
  CHECK(active_by_night[150] == distinct[1]);
  CHECK(active_by_night[300] == distinct[2]);

  // Before and after the response: refused with the owner's action.
  CHECK(select_skr_period(*reread, kT0 - 1).error().code == Errc::KeyActionNeeded);
  CHECK(select_skr_period(*reread, o.to + 1).error().code == Errc::KeyActionNeeded);
}

TEST_CASE("the next request continues the ZSK chain", "[signer][skr]") {
  signer_test::TempDir zone_keys;
  const Name origin = name_of("example.com.");
  KsrOptions o;
  o.from = kT0;
  o.to = kT0 + 90 * kDay;
  o.zsk_lifetime = 60 * kDay;
  auto first = make_ksr(zone_keys.path, origin, o, kT0, nullptr);
  REQUIRE(first);
  o.from = o.to;
  o.to = o.from + 90 * kDay;
  std::vector<std::string> notes;
  auto second = make_ksr(zone_keys.path, origin, o, kT0, &notes);
  REQUIRE(second);
  // The ZSK active at the end of the first request stays active at the start of the second,
  // and the second's first period still publishes the first's last-period keys.
  CHECK(first->periods.back().zsk_tag == second->periods.front().zsk_tag);
  CHECK(notes.size() == 2);  // the ZSKs from day 120 and day 180
}

TEST_CASE("SKR refusals", "[signer][skr]") {
  signer_test::TempDir zone_keys;
  const Name origin = name_of("example.com.");
  auto ksk = generate_key(alg::ECDSAP256SHA256, true);
  REQUIRE(ksk);
  KsrOptions o;
  o.from = kT0;
  o.to = kT0 + 30 * kDay;
  auto request = make_ksr(zone_keys.path, origin, o, kT0, nullptr);
  REQUIRE(request);
  auto response = sign_ksr(*request, std::span<const Key>(&*ksk, 1), SkrSignOptions{});
  REQUIRE(response);

  // A response as a request, a request as a response.
  CHECK(sign_ksr(*response, std::span<const Key>(&*ksk, 1), {}).error().code == Errc::Usage);
  CHECK(select_skr_period(*request, kT0 + kDay).error().code == Errc::Usage);
  // A request that sneaks in a KSK.
  SkrDocument evil = *request;
  auto other = generate_key(alg::ECDSAP256SHA256, true);
  REQUIRE(other);
  evil.periods[0].records.push_back(SkrRecord{
      rrtype::DNSKEY, 3600, {other->dnskey_rdata().begin(), other->dnskey_rdata().end()}});
  CHECK(sign_ksr(evil, std::span<const Key>(&*ksk, 1), {}).error().code == Errc::Usage);
  // A damaged signature.
  SkrDocument damaged = *response;
  for (SkrRecord& r : damaged.periods[0].records)
    if (r.type == rrtype::RRSIG) r.rdata.back() ^= 1;
  CHECK(select_skr_period(damaged, kT0 + kDay).error().code == Errc::KeyActionNeeded);
  CHECK(select_skr_period(*response, kT0 + kDay));
  // Malformed text names the line.
  auto bad =
      skr_from_text("; zonekiln SKR v1\n;; zone example.com.\n;; period x y zsk 13 1\n", "f.skr");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().detail.find("f.skr:3") == 0);
}
