#include "signer/lifecycle/unsign.hpp"

#include <catch2/catch.hpp>

#include "signer/lifecycle/ksk.hpp"
#include "signer/lifecycle/policy.hpp"

using namespace zk::signer;

namespace {
constexpr int64_t kDay = 86400;
constexpr int64_t kStart = 1'790'000'000;
}  // namespace

TEST_CASE("disable procedure: CDS delete, parent DS removed, DS TTL, then unsigned",
          "[lifecycle]") {
  Policy policy;
  ZoneKeyState z;
  z.origin = "example.com.";
  REQUIRE(ksk_register(z, policy, 100, 13, "K100", "QUJD", kStart).has_value());
  REQUIRE(ksk_activate(z, 100, kStart).has_value());
  add_zsk(z, 200, 13, "K200", "REVG", kStart);
  z = plan_keys(kStart, policy, z, {}).state;
  int64_t now = kStart + 10 * kDay;

  UnsignRequest req;
  req.now = now;
  UnsignDecision d = unsign_step(z, req);
  CHECK(d.step == UnsignStep::Started);
  CHECK(d.exit_code() == 3);
  CHECK_FALSE(d.write_zone());
  CHECK(z.disable.started_at == now);

  // The sign runs now publish the delete records instead of CDS for the KSK.
  KeyPlan p = plan_keys(now, policy, z, {});
  CHECK(p.cds_delete);
  CHECK(p.cds.empty());
  CHECK(p.can_sign);

  req.now = now += kDay;
  d = unsign_step(z, req);
  CHECK(d.step == UnsignStep::WaitingForParent);
  CHECK(z.disable.started_at == now - kDay);  // not restarted

  req.now = now += kDay;
  req.parent_ds_removed = true;
  req.ds_ttl = 3600;
  d = unsign_step(z, req);
  CHECK(d.step == UnsignStep::WaitingForDsTtl);
  REQUIRE(d.ready_at.has_value());
  CHECK(*d.ready_at == now + 3600);
  CHECK(z.disable.parent_ds_removed_at == now);

  req.now = now + 3599;
  CHECK(unsign_step(z, req).step == UnsignStep::WaitingForDsTtl);
  CHECK(z.disable.parent_ds_removed_at == now);  // confirmation time is not moved
  req.now = now + 3600;
  d = unsign_step(z, req);
  CHECK(d.write_zone());
  CHECK(d.exit_code() == 0);
  CHECK(z.state == ZoneState::NotSigning);

  // Later sign runs do not sign; activating a KSK re-enables signing.
  p = plan_keys(now + kDay, policy, z, {});
  CHECK_FALSE(p.can_sign);
  CHECK(p.state.state == ZoneState::NotSigning);
  REQUIRE(ksk_deactivate(z, policy, 100, now, nullptr).error().code == zk::Errc::Usage);
  CHECK(unsign_step(z, req).write_zone());  // idempotent once unsigned
  CHECK_FALSE(z.keys[0].ds_seen);

  REQUIRE(ksk_activate(z, 100, now + 2 * kDay).has_value());  // sign again
  CHECK(z.state == ZoneState::Signing);
  CHECK_FALSE(z.disable.active());
  p = plan_keys(now + 2 * kDay, policy, z, {});
  CHECK(p.can_sign);
  CHECK_FALSE(p.cds_delete);
}

TEST_CASE("DNSSEC records stripped from zone text by type", "[lifecycle]") {
  const std::string in =
      "$ORIGIN example.com.\n"
      "$TTL 3600\n"
      "; keep this comment\n"
      "@ IN SOA ns1 host ( 1 7200 3600 1209600 3600 )\n"
      "  RRSIG SOA 13 2 3600 (\n"
      "        20261210000000 20261126000000 1 example.com. ab== )\n"
      "  IN NS ns1\n"
      "@ 3600 IN DNSKEY 257 3 13 abc=\n"
      "@ CDS 0 0 0 00\n"
      "  CDNSKEY 0 3 0 AA==\n"
      "  MX 10 mail\n"
      "www 300 IN NSEC3PARAM 1 0 0 -\n"
      "     300 IN A 192.0.2.1\n"
      "txt TXT \"RRSIG in text\"\n"
      "abc.example.com. NSEC def.example.com. A RRSIG NSEC\n"
      "def IN TYPE46 \\# 0\n"
      "$ORIGIN sub.example.com.\n"
      "x NSEC3 1 0 0 - ABC A\n"
      "  A 192.0.2.2\n";
  auto out = strip_dnssec_text(in, "example.com.");
  REQUIRE(out.has_value());
  const std::string want =
      "$ORIGIN example.com.\n"
      "$TTL 3600\n"
      "; keep this comment\n"
      "@ IN SOA ns1 host ( 1 7200 3600 1209600 3600 )\n"
      "  IN NS ns1\n"
      "example.com.  MX 10 mail\n"
      "www.example.com.     300 IN A 192.0.2.1\n"
      "txt TXT \"RRSIG in text\"\n"
      "$ORIGIN sub.example.com.\n"
      "x.sub.example.com.  A 192.0.2.2\n";
  CHECK(*out == want);
  CHECK(strip_dnssec_text("$INCLUDE other.zone\n", "example.com.").error().code == zk::Errc::Usage);
}
