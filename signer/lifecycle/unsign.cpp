#include "signer/lifecycle/unsign.hpp"

#include <algorithm>
#include <cctype>

#include "dns/timeparse.hpp"
#include "parser/text_records.hpp"

namespace zk::signer {

UnsignDecision unsign_step(ZoneKeyState& zone, const UnsignRequest& req) {
  UnsignDecision d;
  DisableState& dis = zone.disable;
  if (req.ds_ttl) dis.ds_ttl = *req.ds_ttl;
  if (zone.state == ZoneState::NotSigning) {
    d.step = UnsignStep::WriteUnsigned;
    d.message = "the zone is already unsigned; writing it again";
    return d;
  }
  const bool starting = !dis.started_at;
  if (starting) {
    dis.started_at = req.now;
    dis.parent_ds_removed_at.reset();
  }
  if (req.parent_ds_removed && !dis.parent_ds_removed_at) {
    dis.parent_ds_removed_at = req.now;
    // The parent serves no DS any more: signing again would need the DS added anew.
    for (auto& k : zone.keys) {
      k.ds_seen = false;
      k.ds_seen_at.reset();
    }
  }
  if (!dis.parent_ds_removed_at) {
    d.step = starting ? UnsignStep::Started : UnsignStep::WaitingForParent;
    d.message = std::string(starting ? "disable procedure started: " : "waiting for the parent: ") +
                "the next `zonekiln sign` runs publish CDS \"0 0 0 00\" and CDNSKEY \"0 3 0 AA==\" "
                "(RFC 8078 s4), asking the parent to remove the DS of " +
                zone.origin + ". Keep signing nightly. When `dig DS " + zone.origin +
                "` at the parent shows no DS (or you had the registrar remove it), run `" +
                (req.command.empty() ? std::string("zonekiln unsign ...") : req.command) +
                " --parent-ds-removed`; the unsigned zone is written one DS TTL (" +
                std::to_string(dis.ds_ttl) + " s) after that" +
                (dis.cds_delete_published_at
                     ? ". The delete records are published since " +
                           time_to_iso(*dis.cds_delete_published_at)
                     : std::string(". No sign run has published the delete records yet"));
    return d;
  }
  d.ready_at = *dis.parent_ds_removed_at + dis.ds_ttl;
  if (req.now < *d.ready_at) {
    d.step = UnsignStep::WaitingForDsTtl;
    d.message = "the parent's DS was removed at " + time_to_iso(*dis.parent_ds_removed_at) +
                "; resolvers may cache it until " + time_to_iso(*d.ready_at) +
                ": keep signing until then, and run `" +
                (req.command.empty() ? std::string("zonekiln unsign ...") : req.command) +
                "` again after that time";
    return d;
  }
  d.step = UnsignStep::WriteUnsigned;
  zone.set_state(ZoneState::NotSigning, req.now, "unsigned by the disable procedure");
  d.message = "the DS is gone from the parent and from caches: zone written unsigned; " +
              zone.origin +
              " is NOT_SIGNING (`zonekiln sign` will not sign it again until a KSK "
              "is activated with `zonekiln ksk activate`)";
  return d;
}

namespace {

bool is_dnssec_type(const parser::TextToken& t) {
  static constexpr std::string_view kTypes[] = {
      "RRSIG",  "NSEC",   "NSEC3",  "NSEC3PARAM", "DNSKEY", "CDS",    "CDNSKEY",
      "TYPE46", "TYPE47", "TYPE50", "TYPE51",     "TYPE48", "TYPE59", "TYPE60"};
  return std::any_of(std::begin(kTypes), std::end(kTypes),
                     [&](std::string_view k) { return parser::token_is(t, k); });
}

bool is_absolute(std::string_view name) {
  return !name.empty() && name.back() == '.' && (name.size() < 2 || name[name.size() - 2] != '\\');
}

std::string absolute(std::string_view name, const std::string& origin) {
  if (name == "@") return origin;
  if (is_absolute(name)) return std::string(name);
  return std::string(name) + (origin == "." ? "." : "." + origin);
}

}  // namespace

std::optional<TextSerial> find_soa_serial_text(std::string_view text) {
  std::optional<TextSerial> found;
  parser::for_each_text_record(text, [&](const parser::TextRecord& rec) {
    const auto& tok = rec.tokens;
    if (found || tok.empty() || (rec.has_owner && tok[0].text.front() == '$')) return;
    const size_t i = rec.type_index;
    if (i + 3 >= tok.size() || !parser::token_is(tok[i], "SOA")) return;
    const std::string_view s = tok[i + 3].text;
    if (s.empty() || s.size() > 10 ||
        !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return;
    }
    const uint64_t v = std::stoull(std::string(s));
    if (v > 0xffffffffu) return;
    found =
        TextSerial{static_cast<uint32_t>(v), static_cast<size_t>(s.data() - text.data()), s.size()};
  });
  return found;
}

Result<std::string> strip_dnssec_text(std::string_view text, std::string_view origin_text) {
  std::string origin = normalize_origin(origin_text);
  std::string out;
  out.reserve(text.size());
  std::string carried_owner;  // owner of a dropped record that later blank-owner lines inherit
  std::optional<Error> error;
  parser::for_each_text_record(text, [&](const parser::TextRecord& rec) {
    if (error) return;
    const auto& tok = rec.tokens;
    if (tok.empty()) {
      out.append(rec.text);
      return;
    }
    if (rec.has_owner && tok[0].text.front() == '$') {
      if (parser::token_is(tok[0], "$INCLUDE")) {
        error = make_error(Errc::Usage,
                           "unsign cannot strip DNSSEC records from $INCLUDE files; "
                           "inline the included file first");
        return;
      }
      if (parser::token_is(tok[0], "$ORIGIN") && tok.size() > 1) {
        origin = absolute(tok[1].text, origin);
      }
      out.append(rec.text);
      return;
    }
    const size_t i = rec.type_index;
    const bool drop = i < tok.size() && is_dnssec_type(tok[i]);
    if (drop) {
      if (rec.has_owner) carried_owner = absolute(tok[0].text, origin);
      return;
    }
    // After this record the owner is stated again, so nothing is carried any more.
    if (!rec.has_owner) out.append(carried_owner);
    carried_owner.clear();
    out.append(rec.text);
  });
  if (error) return fail(std::move(*error));
  return out;
}

}  // namespace zk::signer
