#include "signer/lifecycle/ksk.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>

#include "dns/atomic_file.hpp"
#include "dns/base64.hpp"
#include "dns/timeparse.hpp"
#include "parser/text_records.hpp"
#include "signer/signer.hpp"

namespace zk::signer {

namespace {

std::string tag_text(uint16_t tag) { return std::to_string(tag); }

bool parse_uint(std::string_view s, unsigned max, unsigned& out) {
  if (s.empty() || s.size() > 6) return false;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > max) return false;
  out = v;
  return true;
}

KeyRecord* find_ksk(ZoneKeyState& zone, uint16_t tag) {
  for (auto& k : zone.keys) {
    if (k.is_ksk() && !k.is_removed() && k.tag == tag) return &k;
  }
  return nullptr;
}

Unexpected no_such_ksk(const ZoneKeyState& zone, uint16_t tag) {
  return fail(Errc::Usage, "no KSK with tag " + tag_text(tag) + " for " + zone.origin + " (see `" +
                               owner_command(zone, "ksk list") + "`)");
}

bool ds_points_at(const std::vector<DsRecord>& ds, const KeyRecord& k) {
  // Tag and algorithm identify the key well enough for a refusal: a false match only makes
  // the check stricter.
  return std::any_of(ds.begin(), ds.end(), [&](const DsRecord& d) {
    return d.key_tag == k.tag && d.algorithm == k.algorithm;
  });
}

}  // namespace

Result<std::vector<DsRecord>> parse_ds_text(std::string_view text, std::string_view origin,
                                            const std::string& source_name) {
  const std::string want = normalize_origin(origin);
  std::vector<DsRecord> out;
  std::string last_owner;
  std::optional<Error> error;
  parser::for_each_text_record(text, [&](const parser::TextRecord& rec) {
    const auto& tok = rec.tokens;
    if (error || tok.empty() || (rec.has_owner && tok[0].text.front() == '$')) return;
    if (rec.has_owner) last_owner = std::string(tok[0].text);
    const std::string owner = last_owner;
    size_t i = rec.type_index;
    if (i >= tok.size() || !parser::token_is(tok[i], "DS")) return;
    ++i;
    const std::string where = source_name + ":" + std::to_string(rec.line);
    unsigned tag, alg, dt;
    if (tok.size() - i < 4 || !parse_uint(tok[i].text, 65535, tag) ||
        !parse_uint(tok[i + 1].text, 255, alg) || !parse_uint(tok[i + 2].text, 255, dt)) {
      error = make_error(Errc::Usage, where +
                                          ": malformed DS record (want: owner [ttl] [IN] DS "
                                          "keytag algorithm digesttype digest)");
      return;
    }
    std::string digest;
    for (size_t j = i + 3; j < tok.size(); ++j) digest.append(tok[j].text);
    for (auto& c : digest) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) {
        error = make_error(Errc::Usage, where + ": DS digest is not hex");
        return;
      }
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (normalize_origin(owner) != want) return;
    out.push_back(DsRecord{normalize_origin(owner), static_cast<uint16_t>(tag),
                           static_cast<uint8_t>(alg), static_cast<uint8_t>(dt), digest});
  });
  if (error) return fail(std::move(*error));
  return out;
}

Result<std::vector<DsRecord>> read_parent_ds(const std::string& path, std::string_view origin) {
  auto text = zk::read_whole_file(path);
  if (!text) return fail(Errc::Usage, text.error().detail);
  return parse_ds_text(*text, origin, path);
}

Result<void> ksk_register(ZoneKeyState& zone, const Policy& policy, uint16_t tag, uint8_t algorithm,
                          std::string source, std::string dnskey_b64, int64_t now,
                          RollMethod roll) {
  if (!policy_allows(policy, algorithm)) {
    if (algorithm_deprecated(algorithm)) {
      return fail(Errc::Usage, deprecated_algorithm_refusal(algorithm));
    }
    return fail(Errc::Usage, "algorithm " + std::to_string(algorithm) +
                                 " is not allowed by the policy; use e.g. 13 (ECDSAP256SHA256)");
  }
  for (const auto& k : zone.keys) {
    if (k.is_removed()) continue;
    if (k.tag == tag && k.algorithm == algorithm) {
      return fail(Errc::Usage, "key " + tag_text(tag) + " is already recorded for " + zone.origin +
                                   " (" + k.source + ")");
    }
  }
  if (zone.ksk_count() >= kMaxKsks) {
    return fail(Errc::Usage, zone.origin +
                                 " already has two KSKs; finish the current rollover first (`" +
                                 owner_command(zone, "ksk list") + "` shows them)");
  }
  if (roll == RollMethod::DoubleDs) {
    for (const auto& o : zone.keys) {
      if (!o.ksk_wanted() || o.is_removed()) continue;
      if (o.algorithm != algorithm) {
        return fail(Errc::Usage,
                    "KSK " + tag_text(tag) + " has algorithm " + std::to_string(algorithm) +
                        " and the active " + o.label() +
                        " another: that is an algorithm rollover (RFC 6781 s4.1.4), which "
                        "publishes the new keys beside the old ones; add it with --method "
                        "double-rrset");
      }
      if (o.role == KeyRole::CSK) {
        return fail(Errc::Usage, o.label() +
                                     " signs the whole zone: swapping it at once would leave "
                                     "the data without a published signer; add the new key "
                                     "with --method double-rrset");
      }
    }
  }
  KeyRecord k;
  k.tag = tag;
  k.algorithm = algorithm;
  k.source = std::move(source);
  k.role = KeyRole::KSK;
  k.roll = roll;
  k.dnskey = std::move(dnskey_b64);
  k.created = now;
  k.owner_state = OwnerState::Inactive;
  k.owner_state_since = now;
  zone.keys.push_back(std::move(k));
  return ok();
}

Result<void> ksk_activate(ZoneKeyState& zone, uint16_t tag, int64_t now) {
  KeyRecord* k = find_ksk(zone, tag);
  if (!k) return no_such_ksk(zone, tag);
  if (zone.state == ZoneState::NotSigning && k->owner_state == OwnerState::Active) {
    // Signing again after `unsign`: the KSK stayed recorded; its DS must be added anew.
    zone.disable = DisableState{};
    zone.set_state(ZoneState::Signing, now, "");
    return ok();
  }
  if (k->owner_state != OwnerState::Inactive) {
    return fail(Errc::Usage,
                k->label() + " is already active (" + std::string(to_string(k->owner_state)) + ")");
  }
  if (k->roll == RollMethod::DoubleDs && !k->retired) {
    for (const auto& o : zone.keys) {
      if (&o == k || !o.ksk_wanted() || o.is_removed()) continue;
      return fail(Errc::Usage,
                  k->label() + " rolls in by double-DS (RFC 6781 s4.1.2): it replaces " +
                      o.label() +
                      " in the DNSKEY RRset by itself, at the first sign run one DS TTL after "
                      "its DS was seen at the parent. Hand the parent its DS (`" +
                      owner_command(zone, "ds", "--tag " + tag_text(tag)) + "`), then run `" +
                      owner_command(zone, "ksk ds-seen", "--tag " + tag_text(tag)) +
                      "`. To publish both KSKs now instead, add it with --method double-rrset");
    }
  }
  // A KSK of an algorithm no other wanted KSK has starts an algorithm rollover (RFC 6781
  // s4.1.4, conservative order): it signs the DNSKEY RRset (and a new ZSK of its algorithm every
  // other RRset) from the next sign run, and its DNSKEY is published only once those signatures
  // can be in every cache (plan_keys).
  const bool other_wanted =
      std::any_of(zone.keys.begin(), zone.keys.end(),
                  [&](const KeyRecord& o) { return &o != k && o.ksk_wanted() && !o.is_removed(); });
  const bool new_algorithm =
      other_wanted && std::none_of(zone.keys.begin(), zone.keys.end(), [&](const KeyRecord& o) {
        return &o != k && o.ksk_wanted() && !o.is_removed() && o.algorithm == k->algorithm;
      });
  k->owner_state = OwnerState::Active;
  k->owner_state_since = now;
  k->owner_state_why.clear();
  k->active = now;
  k->retired.reset();
  if (new_algorithm && zone.state != ZoneState::NotSigning) {
    k->published.reset();
    k->signs_unpublished_since = now;
  } else {
    k->published = now;
  }
  if (zone.state == ZoneState::NotSigning) {
    zone.disable = DisableState{};
    zone.set_state(ZoneState::Signing, now, "");
  }
  return ok();
}

Result<void> ksk_ds_seen(ZoneKeyState& zone, const Policy& policy, uint16_t tag, int64_t now) {
  KeyRecord* k = find_ksk(zone, tag);
  if (!k) return no_such_ksk(zone, tag);
  if (k->owner_state == OwnerState::Inactive) {
    // A DS published ahead of its key (Double-DS, RFC 6781 s4.1.2) is harmless while the parent
    // also keeps a DS of a published KSK; without one the zone is bogus now.
    const bool chain_kept =
        std::any_of(zone.keys.begin(), zone.keys.end(), [&](const KeyRecord& o) {
          return &o != k && o.is_ksk() && !o.is_removed() && o.ds_seen &&
                 o.owner_state != OwnerState::Inactive;
        });
    if (!chain_kept) {
      return fail(Errc::Usage, k->label() +
                                   " is not published and no published KSK has a confirmed DS: if "
                                   "the parent serves only this DS, the zone fails validation now. "
                                   "Run `" +
                                   owner_command(zone, "ksk activate", "--tag " + tag_text(tag)) +
                                   "` and your sign command at once, then run ds-seen again");
    }
  }
  const bool new_algorithm =
      std::none_of(zone.keys.begin(), zone.keys.end(), [&](const KeyRecord& o) {
        return &o != k && o.is_ksk() && !o.is_removed() && o.ds_seen && o.algorithm == k->algorithm;
      });
  const bool other_algorithm_in_use =
      std::any_of(zone.keys.begin(), zone.keys.end(), [&](const KeyRecord& o) {
        return &o != k && o.is_ksk() && !o.is_removed() && o.ds_seen && o.algorithm != k->algorithm;
      });
  if (new_algorithm && other_algorithm_in_use) {
    const auto since = algorithm_signing_since(zone, k->algorithm);
    const int64_t settle = algorithm_settle_time(policy);
    const int64_t ipub = zsk_publish_interval(policy);
    // RFC 6781 s4.1.4: the new DS only once the new DNSKEY RRset is in every cache; a DS
    // naming a key that a cached DNSKEY RRset lacks makes the zone bogus for strict validators.
    if (k->signs_unpublished() || k->owner_state == OwnerState::Inactive) {
      const std::string when =
          k->owner_state == OwnerState::Inactive
              ? "the first sign run after `" +
                    owner_command(zone, "ksk activate", "--tag " + tag_text(tag)) + "`"
          : since ? "the first sign run from " + time_to_iso(*since + settle)
                  : std::string("a sign run max TTL + propagation after the first one");
      return fail(Errc::Usage,
                  "algorithm rollover out of order (RFC 6781 s4.1.4): the DNSKEY of " + k->label() +
                      " is not published yet (its algorithm signs first, the DNSKEYs follow at " +
                      when + "); the parent must not serve its DS before the DNSKEY RRset " +
                      "holding it is in every cache (DNSKEY TTL + propagation after that run). "
                      "Remove the new DS at the parent if already added; `" +
                      owner_command(zone, "status") + "` shows when to try again");
    }
    if (now < *k->published + ipub) {
      return fail(Errc::Usage,
                  "algorithm rollover out of order (RFC 6781 s4.1.4): the DNSKEY of " + k->label() +
                      " was published at " + time_to_iso(*k->published) +
                      "; caches may hold the DNSKEY RRset without it until " +
                      time_to_iso(*k->published + ipub) + " (DNSKEY TTL " +
                      std::to_string(policy.dnskey_ttl) +
                      " s + propagation). Remove the new DS at the parent if already added, "
                      "and add it again from then");
    }
    if (!since || now < *since + settle) {
      const std::string when = since ? time_to_iso(*since + settle) : "after the next sign run";
      return fail(Errc::Usage,
                  "algorithm rollover out of order (RFC 6781 s4.1.4): the zone has not yet been "
                  "signed with algorithm " +
                      std::to_string(k->algorithm) +
                      " long enough (max TTL + propagation) for caches to hold the new signatures. "
                      "Remove the new DS at the parent if already added, and add it again from " +
                      when);
    }
  }
  k->ds_seen = true;
  k->ds_seen_at = now;
  return ok();
}

namespace {

// RFC 6781 s4.1.4 before the last KSK of k's algorithm goes: the remaining keys' DNSKEYs are in
// every cache and the zone has been signed with their algorithm for max TTL + propagation.
Result<void> check_algorithm_order(const ZoneKeyState& zone, const Policy& policy,
                                   const KeyRecord* k,
                                   const std::vector<const KeyRecord*>& remaining, int64_t now) {
  const int64_t ipub = zsk_publish_interval(policy);
  for (const KeyRecord* o : remaining) {
    // RFC 6781 s4.1.4: the old algorithm's DNSKEYs go only after the new ones are in every
    // cache (and the DS has been swapped, checked below).
    if (!o->published || o->signs_unpublished() || now < *o->published + ipub) {
      return fail(Errc::Usage,
                  "algorithm rollover out of order (RFC 6781 s4.1.4): " + o->label() +
                      (o->published && !o->signs_unpublished()
                           ? " was published at " + time_to_iso(*o->published) +
                                 "; caches may hold a DNSKEY RRset without it until " +
                                 time_to_iso(*o->published + ipub)
                           : std::string(" is not published yet (it signs first)")) +
                      ": removing " + k->label() +
                      " now would leave them without a key for the signatures they hold. "
                      "Keep both KSKs active; the next steps are the DNSKEY publication, `" +
                      owner_command(zone, "ksk ds-seen", "--tag " + tag_text(o->tag)) +
                      "` once the parent serves its DS, then this command");
    }
  }
  for (const KeyRecord* o : remaining) {
    const auto since = algorithm_signing_since(zone, o->algorithm);
    const int64_t settle = algorithm_settle_time(policy);
    if (!since || now < *since + settle) {
      return fail(Errc::Usage,
                  "algorithm rollover out of order (RFC 6781 s4.1.4): algorithm " +
                      std::to_string(k->algorithm) +
                      " would be removed before the zone has "
                      "been signed with algorithm " +
                      std::to_string(o->algorithm) +
                      " for max TTL + propagation; run sign with both KSKs active until " +
                      (since ? time_to_iso(*since + settle) : std::string("later")) +
                      ", then try again");
    }
  }
  return ok();
}

// A KSK whose DS the parent served: the parent's DS set (parent_ds) must point at a remaining
// active KSK whose DS was confirmed at least one DS TTL ago.
Result<void> check_ds_chain(const ZoneKeyState& zone, const Policy& policy, const KeyRecord* k,
                            const std::vector<const KeyRecord*>& remaining, int64_t now,
                            const std::vector<DsRecord>* parent_ds) {
  if (!parent_ds) {
    return fail(Errc::Usage, "the parent has served the DS of " + k->label() +
                                 "; give the parent's current DS set with --parent-ds FILE "
                                 "(e.g. `dig +noall +answer " +
                                 zone.origin + " DS > FILE`) to show it is gone");
  }
  // The parent may still list this key's DS (not when it is the last of its algorithm,
  // below): harmless once a remaining key's DS is in every cache (checked below), since a DS
  // without its DNSKEY is only skipped by validators.
  const KeyRecord* chain = nullptr;
  for (const KeyRecord* o : remaining) {
    if (o->ds_seen && ds_points_at(*parent_ds, *o)) chain = o;
  }
  if (!chain) {
    return fail(Errc::Usage,
                "the parent's DS set does not point at any remaining active KSK whose DS was "
                "confirmed; deactivating " +
                    k->label() +
                    " would leave no chain of trust. Get the new KSK's DS published, run `" +
                    owner_command(zone, "ksk ds-seen",
                                  "--tag " + (remaining.size() == 1 ? tag_text(remaining[0]->tag)
                                                                    : std::string("N"))) +
                    "`, then try again");
  }
  if (now < *chain->ds_seen_at + policy.ds_ttl) {
    return fail(Errc::Usage, "the DS of KSK " + tag_text(chain->tag) + " was confirmed at " +
                                 time_to_iso(*chain->ds_seen_at) +
                                 "; resolvers may still cache the old DS set until " +
                                 time_to_iso(*chain->ds_seen_at + policy.ds_ttl) + " (DS TTL " +
                                 std::to_string(policy.ds_ttl) + " s): try again then");
  }
  return ok();
}

}  // namespace

Result<void> ksk_deactivate(ZoneKeyState& zone, const Policy& policy, uint16_t tag, int64_t now,
                            const std::vector<DsRecord>* parent_ds) {
  KeyRecord* k = find_ksk(zone, tag);
  if (!k) return no_such_ksk(zone, tag);
  if (k->owner_state == OwnerState::Inactive) {
    return fail(Errc::Usage, k->label() + " is already inactive");
  }
  std::vector<const KeyRecord*> remaining;
  for (const auto& o : zone.keys) {
    if (&o != k && o.is_ksk() && !o.is_removed() && o.owner_state == OwnerState::Active) {
      remaining.push_back(&o);
    }
  }
  if (remaining.empty()) {
    return fail(Errc::Usage,
                k->label() +
                    " is the only usable active KSK; the zone cannot be signed without "
                    "one. Add the new KSK first (`" +
                    owner_command(zone, "ksk add", "--generate") +
                    "` or --file with your own key); to stop signing altogether use "
                    "`zonekiln unsign`");
  }
  const bool last_of_algorithm =
      std::none_of(remaining.begin(), remaining.end(),
                   [&](const KeyRecord* o) { return o->algorithm == k->algorithm; });
  if (last_of_algorithm) {
    if (auto r = check_algorithm_order(zone, policy, k, remaining, now); !r) return r;
  }
  if (k->ds_seen) {
    if (auto r = check_ds_chain(zone, policy, k, remaining, now, parent_ds); !r) return r;
  }
  if (last_of_algorithm && k->ds_seen && parent_ds) {
    for (const DsRecord& d : *parent_ds) {
      if (d.algorithm != k->algorithm) continue;
      return fail(Errc::Usage,
                  "algorithm rollover out of order (RFC 6781 s4.1.4): the parent still serves "
                  "a DS of algorithm " +
                      std::to_string(k->algorithm) + " (key tag " + tag_text(d.key_tag) +
                      "); the old algorithm's DS leaves the parent before its DNSKEYs leave "
                      "the zone. Have the parent remove it (CDS/CDNSKEY list only the new "
                      "KSK), save the DS set again and retry");
    }
  }
  k->owner_state = OwnerState::Inactive;
  k->owner_state_since = now;
  k->owner_state_why.clear();
  k->retired = now;
  // Its DS is gone from the parent (checked above when it had been seen).
  k->ds_seen = false;
  k->ds_seen_at.reset();
  return ok();
}

Result<void> ksk_remove(ZoneKeyState& zone, uint16_t tag, int64_t now) {
  KeyRecord* k = find_ksk(zone, tag);
  if (!k) return no_such_ksk(zone, tag);
  if (k->owner_state != OwnerState::Inactive) {
    return fail(Errc::Usage, k->label() + " is " + std::string(to_string(k->owner_state)) +
                                 "; deactivate it first (`" +
                                 owner_command(zone, "ksk deactivate", "--tag " + tag_text(tag)) +
                                 "`)");
  }
  k->removed = now;
  return ok();
}

std::string private_key_path(const std::string& source) {
  if (source.rfind("pkcs11:", 0) == 0) return {};
  auto ends_with = [&](std::string_view suf) {
    return source.size() >= suf.size() &&
           source.compare(source.size() - suf.size(), suf.size(), suf) == 0;
  };
  if (ends_with(".private")) return source;
  if (ends_with(".key")) {
    // A BIND pair named by its .key file, unless there is no .private next to it and the file
    // itself exists: then it is a PEM key that happens to be named *.key.
    const std::string priv = source.substr(0, source.size() - 4) + ".private";
    if (!zk::path_exists(priv) && zk::path_exists(source)) return source;
    return priv;
  }
  // A BIND key base name "K<zone>.+AAA+TTTTT" has no suffix; anything else is a PEM file.
  const auto slash = source.rfind('/');
  const std::string base = slash == std::string::npos ? source : source.substr(slash + 1);
  if (!base.empty() && base[0] == 'K' && base.find(".+") != std::string::npos) {
    return source + ".private";
  }
  return source;
}

namespace {

std::optional<std::string> key_problem(const ZoneKeyState& zone, const KeyRecord& k,
                                       const KeyLoader& loader) {
  const std::string priv = private_key_path(k.source);
  if (!priv.empty()) {
    struct stat st;
    if (::stat(priv.c_str(), &st) != 0) {
      return "private key file " + priv + " is missing or unreadable";
    }
    if ((st.st_mode & 077) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
      return "private key file " + priv + " has mode " + mode +
             " (group/other can read it); run `chmod 600 " + priv + "`";
    }
  }
  auto loaded = loader(k);
  if (!loaded) return "cannot load " + k.source + ": " + loaded.error().detail;
  if (!loaded->has_private) return "no private key in " + k.source;
  const std::string b64 = zk::base64_encode(loaded->dnskey_rdata);
  if (!k.dnskey.empty() && b64 != k.dnskey) {
    return k.source + " no longer holds the key recorded for tag " + std::to_string(k.tag) +
           " (the file was replaced); restore it, or add the new key with `" +
           owner_command(zone, "ksk add", "--file " + shell_quote(k.source)) + "`";
  }
  return std::nullopt;
}

}  // namespace

std::vector<KeyProblem> check_ksk(const ZoneKeyState& zone, const Policy& policy,
                                  const KeyLoader& loader) {
  std::vector<KeyProblem> out;
  for (const auto& k : zone.keys) {
    // Also a double-DS key whose DS was seen: the next runs may swap it in.
    const bool swapping_in = k.is_ksk() && k.roll == RollMethod::DoubleDs && k.ds_seen &&
                             !k.retired && k.owner_state == OwnerState::Inactive;
    if ((!k.ksk_wanted() && !swapping_in) || k.is_removed()) continue;
    if (std::find(policy.allowed_algorithms.begin(), policy.allowed_algorithms.end(),
                  k.algorithm) == policy.allowed_algorithms.end()) {
      out.push_back({k.tag, k.algorithm,
                     "algorithm " + std::to_string(k.algorithm) + " is not allowed by the policy"});
      continue;
    }
    if (auto why = key_problem(zone, k, loader)) out.push_back({k.tag, k.algorithm, *why});
  }
  return out;
}

std::vector<KeyProblem> check_zsk(const ZoneKeyState& zone, const KeyLoader& loader) {
  std::vector<KeyProblem> out;
  for (const auto& k : zone.keys) {
    if (k.role != KeyRole::ZSK || k.is_removed() || k.retired) continue;
    if (auto why = key_problem(zone, k, loader)) out.push_back({k.tag, k.algorithm, *why});
  }
  return out;
}

}  // namespace zk::signer
