// Offline KSK: KSR/SKR text files, the ZSK schedule of a request, signing a request, and
// choosing the response period for a sign run.
#include "signer/lifecycle/skr.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "dns/atomic_file.hpp"
#include "dns/base64.hpp"
#include "dns/rrtype.hpp"
#include "dns/timeparse.hpp"
#include "dns/zone.hpp"
#include "parser/parser.hpp"

namespace zk::signer {

namespace {

constexpr const char* kKsrHeader = "; zonekiln KSR v1";
constexpr const char* kSkrHeader = "; zonekiln SKR v1";

const char* type_text(uint16_t t) {
  switch (t) {
    case rrtype::DNSKEY:
      return "DNSKEY";
    case rrtype::CDS:
      return "CDS";
    case rrtype::CDNSKEY:
      return "CDNSKEY";
    case rrtype::RRSIG:
      return "RRSIG";
    default:
      return nullptr;
  }
}

uint16_t type_from(std::string_view t) {
  if (t == "DNSKEY") return rrtype::DNSKEY;
  if (t == "CDS") return rrtype::CDS;
  if (t == "CDNSKEY") return rrtype::CDNSKEY;
  if (t == "RRSIG") return rrtype::RRSIG;
  return 0;
}

uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t get32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

void rdata_text(const SkrRecord& r, std::string& out) {
  const auto& d = r.rdata;
  switch (r.type) {
    case rrtype::DNSKEY:
    case rrtype::CDNSKEY:
      out += std::to_string(get16(d.data())) + " " + std::to_string(d[2]) + " " +
             std::to_string(d[3]) + " ";
      base64_append(out, d.data() + 4, d.size() - 4);
      return;
    case rrtype::CDS: {
      static const char* kHex = "0123456789ABCDEF";
      out += std::to_string(get16(d.data())) + " " + std::to_string(d[2]) + " " +
             std::to_string(d[3]) + " ";
      for (size_t i = 4; i < d.size(); ++i) {
        out += kHex[d[i] >> 4];
        out += kHex[d[i] & 15];
      }
      return;
    }
    case rrtype::RRSIG: {
      const char* covered = type_text(get16(d.data()));
      out += covered ? covered : "TYPE" + std::to_string(get16(d.data()));
      out += " " + std::to_string(d[2]) + " " + std::to_string(d[3]) + " " +
             std::to_string(get32(d.data() + 4)) + " " + time_to_compact(get32(d.data() + 8)) +
             " " + time_to_compact(get32(d.data() + 12)) + " " +
             std::to_string(get16(d.data() + 16)) + " ";
      uint16_t nlen = 0;
      wire_name_length(d.data() + 18, d.size() - 18, &nlen);
      out += name_to_lower_string(NameView(d.data() + 18, nlen)) + " ";
      base64_append(out, d.data() + (18 + nlen), d.size() - (18 + nlen));
      return;
    }
    default:
      return;
  }
}

bool to_uint(std::string_view s, uint64_t max, uint64_t* v) {
  if (s.empty()) return false;
  uint64_t x = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    x = x * 10 + static_cast<uint64_t>(c - '0');
    if (x > max) return false;
  }
  *v = x;
  return true;
}

bool compact_time(std::string_view s, int64_t* t) {
  auto v = parse_compact_time(s);
  if (v) *t = *v;
  return v.has_value();
}

// The RDATA of one record line, read by parser/ as a zone file's records are (no origin: the
// format's names are absolute). An RRSIG covers only the RRsets a response holds.
bool rdata_from(std::string_view line, uint16_t type, std::vector<uint8_t>& out) {
  parser::ParseOptions options;
  options.allow_include = false;
  options.threads = 1;
  ZoneStore store;
  Diagnostics diag(1, 0);
  if (!parser::parse_text(line, "skr", "", options, store, diag) || diag.has_errors() ||
      store.rrs.size() != 1 || store.rrs[0].type != type) {
    return false;
  }
  const RR& rr = store.rrs[0];
  if (type == rrtype::RRSIG && (rr.rdlen < 2 || !type_text(get16(rr.rdata)))) return false;
  out.assign(rr.rdata, rr.rdata + rr.rdlen);
  return true;
}

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> tok;
  for (size_t i = 0; i < line.size();) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) tok.push_back(line.substr(i, j - i));
    i = j;
  }
  return tok;
}

bool same(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

std::string when(int64_t t) { return time_to_compact(t) + " UTC"; }

// The schedule's view of a ZSK.
struct ZskSlot {
  Key key;
  int64_t activate = 0, inactive = 0;
};

}  // namespace

std::string skr_to_text(const SkrDocument& doc) {
  std::string out = doc.is_response ? kSkrHeader : kKsrHeader;
  out += doc.is_response ? " (signed key response)\n" : " (key signing request)\n";
  const std::string owner = name_to_lower_string(doc.origin);
  out += ";; zone " + owner + "\n";
  for (const SkrPeriod& p : doc.periods) {
    out += ";; period " + time_to_compact(p.from) + " " + time_to_compact(p.to) + " zsk " +
           std::to_string(p.zsk_algorithm) + " " + std::to_string(p.zsk_tag) + "\n";
    for (const SkrRecord& r : p.records) {
      out += owner + " " + std::to_string(r.ttl) + " IN " + type_text(r.type) + " ";
      rdata_text(r, out);
      out += "\n";
    }
    out += ";; end\n";
  }
  return out;
}

Result<SkrDocument> skr_from_text(std::string_view text, const std::string& source_name) {
  SkrDocument doc;
  bool header = false, zone = false, open = false;
  size_t pos = 0;
  unsigned lineno = 0;
  auto bad = [&](const std::string& why) {
    return fail(Errc::Usage, source_name + ":" + std::to_string(lineno) + ": " + why);
  };
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++lineno;
    if (!header) {
      if (line.rfind(kKsrHeader, 0) == 0) {
        doc.is_response = false;
      } else if (line.rfind(kSkrHeader, 0) == 0) {
        doc.is_response = true;
      } else {
        return bad("not a zonekiln KSR/SKR file (first line must be \"" + std::string(kKsrHeader) +
                   "\" or \"" + kSkrHeader + "\")");
      }
      header = true;
      continue;
    }
    const auto tok = split(line);
    if (tok.empty()) continue;
    if (tok[0] == ";;") {
      if (tok.size() >= 3 && tok[1] == "zone") {
        if (!name_from_text(tok[2], NameView{}, doc.origin)) return bad("bad zone name");
        doc.origin.to_lower();
        zone = true;
      } else if (tok.size() >= 7 && tok[1] == "period" && tok[4] == "zsk") {
        if (!zone) return bad("period before \";; zone\"");
        if (open) return bad("period inside a period (missing \";; end\")");
        SkrPeriod p;
        uint64_t a, t;
        if (!compact_time(tok[2], &p.from) || !compact_time(tok[3], &p.to) || p.to <= p.from)
          return bad("bad period times");
        if (!to_uint(tok[5], 255, &a) || !to_uint(tok[6], 65535, &t)) return bad("bad zsk");
        p.zsk_algorithm = static_cast<uint8_t>(a);
        p.zsk_tag = static_cast<uint16_t>(t);
        if (!doc.periods.empty() && doc.periods.back().to > p.from)
          return bad("periods overlap or are out of order");
        doc.periods.push_back(std::move(p));
        open = true;
      } else if (tok.size() >= 2 && tok[1] == "end") {
        if (!open) return bad("\";; end\" without a period");
        open = false;
      } else {
        return bad("unknown marker");
      }
      continue;
    }
    if (tok[0][0] == ';') continue;
    if (!open) return bad("record outside a period");
    if (tok.size() < 5 || tok[2] != "IN") return bad("expected \"owner ttl IN type rdata\"");
    Name owner;
    if (!name_from_text(tok[0], NameView{}, owner) || !name_equal(owner, doc.origin))
      return bad("record owner is not the zone apex");
    SkrRecord r;
    uint64_t ttl;
    if (!to_uint(tok[1], 0x7FFFFFFF, &ttl)) return bad("bad TTL");
    r.ttl = static_cast<uint32_t>(ttl);
    r.type = type_from(tok[3]);
    if (!r.type) return bad("only DNSKEY, CDS, CDNSKEY and RRSIG records belong here");
    if (!rdata_from(line, r.type, r.rdata) || r.rdata.size() < 5)
      return bad("bad " + std::string(tok[3]) + " RDATA");
    if (!doc.is_response && r.type != rrtype::DNSKEY) return bad("a request holds only DNSKEYs");
    doc.periods.back().records.push_back(std::move(r));
  }
  if (!header || !zone) return fail(Errc::Usage, source_name + ": no \";; zone\" line");
  if (open) return fail(Errc::Usage, source_name + ": last period has no \";; end\"");
  if (doc.periods.empty()) return fail(Errc::Usage, source_name + ": no periods");
  return doc;
}

Result<SkrDocument> read_skr_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::Io, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return skr_from_text(ss.str(), path);
}

Result<void> write_skr_file(const std::string& path, const SkrDocument& doc) {
  return zk::write_file_atomic(path, skr_to_text(doc), 0644);
}

namespace {

Result<void> check_ksr_options(const KsrOptions& o) {
  if (o.to <= o.from) return fail(Errc::Usage, "--to must be after --from");
  if (o.period < 86400) return fail(Errc::Usage, "the period must be at least one day");
  if ((o.to - o.from) / o.period > 1000)
    return fail(Errc::Usage, "more than 1000 periods; make shorter requests");
  if (o.zsk_lifetime < 2 * o.period)
    return fail(Errc::Usage, "the ZSK lifetime must be at least two periods");
  if (!algorithm_can_sign(o.algorithm))
    return fail(Errc::Usage, "algorithm " + algorithm_name(o.algorithm) + " cannot sign");
  if (o.dnskey_ttl >= o.period)
    return fail(Errc::Usage, "the DNSKEY TTL must be shorter than a period (pre-publication)");
  return ok();
}

// The ZSKs of a KSR, one after the other: those of the key directory (of the algorithm, with a
// private key and an Activate time), extended with new keys until the range is covered. Slots
// are whole periods, so a rollover happens at a period boundary.
class ZskChain {
 public:
  ZskChain(const std::string& key_dir, NameView origin, const KsrOptions& o, int64_t now,
           std::vector<std::string>* notes)
      : key_dir_(key_dir),
        origin_(origin),
        o_(o),
        now_(now),
        notes_(notes),
        slot_len_((o.zsk_lifetime + o.period - 1) / o.period * o.period) {}

  Result<void> load() {
    std::vector<Error> problems;
    auto loaded = load_key_dir(key_dir_, origin_, &problems);
    if (!loaded) return fail(loaded.error());
    for (Key& k : *loaded) {
      if (k.is_ksk() || k.algorithm() != o_.algorithm || !k.has_private() || !k.timing.activate)
        continue;
      chain_.push_back(
          ZskSlot{k, *k.timing.activate, k.timing.inactive ? *k.timing.inactive : INT64_MAX});
    }
    sort();
    return ok();
  }

  // The chain must cover [from, to + one period): the key after the range is pre-published in
  // the last period. A key without an Inactive time is given one slot from now on.
  Result<void> cover() {
    for (int64_t t = o_.from; t < o_.to + o_.period;) {
      ZskSlot* s = covering(t);
      if (s && s->inactive == INT64_MAX) {
        s->inactive = std::max(s->activate, o_.from) + slot_len_;
        if (auto r = save(*s); !r) return fail(r.error());
      }
      if (!s) {
        auto k = generate_key(o_.algorithm, false);
        if (!k) return fail(k.error());
        int64_t start = t;
        for (const ZskSlot& c : chain_)  // start where the previous key stops, not mid-slot
          if (c.inactive <= t && c.inactive > t - o_.period) start = c.inactive;
        chain_.push_back(ZskSlot{std::move(*k), start, start + slot_len_});
        sort();
        s = covering(t);
        if (auto r = save(*s); !r) return fail(r.error());
      }
      t = s->inactive;
    }
    return ok();
  }

  // The request's periods: the ZSK active in each, and the DNSKEYs published in it (from one
  // period before activation to one period after retirement).
  Result<SkrDocument> request() {
    SkrDocument doc;
    doc.origin.assign(origin_);
    doc.origin.to_lower();
    for (int64_t start = o_.from; start < o_.to; start += o_.period) {
      SkrPeriod p;
      p.from = start;
      p.to = std::min(start + o_.period, o_.to);
      const ZskSlot* active = covering(start);
      if (!active) return fail(Errc::Internal, "ZSK schedule has a gap at " + when(start));
      p.zsk_algorithm = o_.algorithm;
      p.zsk_tag = active->key.tag();
      for (const ZskSlot& s : chain_) {
        if (s.activate - o_.period < p.to && s.inactive + o_.period > p.from) {
          const auto rd = s.key.dnskey_rdata();
          p.records.push_back(SkrRecord{rrtype::DNSKEY, o_.dnskey_ttl, {rd.begin(), rd.end()}});
        }
      }
      doc.periods.push_back(std::move(p));
    }
    return doc;
  }

 private:
  void sort() {
    std::sort(chain_.begin(), chain_.end(),
              [](const ZskSlot& a, const ZskSlot& b) { return a.activate < b.activate; });
  }
  ZskSlot* covering(int64_t t) {
    for (ZskSlot& s : chain_)
      if (s.activate <= t && t < s.inactive) return &s;
    return nullptr;
  }
  // The slot's timing into its key files.
  Result<void> save(ZskSlot& s) {
    s.key.timing.publish = s.activate - o_.period;
    s.key.timing.activate = s.activate;
    s.key.timing.inactive = s.inactive;
    s.key.timing.remove = s.inactive + o_.period;
    auto base = write_key_files(s.key, origin_, key_dir_, now_);
    if (!base) return fail(base.error());
    if (notes_)
      notes_->push_back("ZSK " + *base + ": active " + when(s.activate) + " to " +
                        when(s.inactive));
    return ok();
  }

  const std::string& key_dir_;
  NameView origin_;
  const KsrOptions& o_;
  int64_t now_;
  std::vector<std::string>* notes_;
  const int64_t slot_len_;
  std::vector<ZskSlot> chain_;
};

}  // namespace

Result<SkrDocument> make_ksr(const std::string& key_dir, NameView origin, const KsrOptions& o,
                             int64_t now, std::vector<std::string>* notes) {
  if (auto r = check_ksr_options(o); !r) return fail(r.error());
  ZskChain chain(key_dir, origin, o, now, notes);
  if (auto r = chain.load(); !r) return fail(r.error());
  if (auto r = chain.cover(); !r) return fail(r.error());
  return chain.request();
}

Result<SkrDocument> sign_ksr(const SkrDocument& request, std::span<const Key> ksks,
                             const SkrSignOptions& o) {
  if (request.is_response) return fail(Errc::Usage, "this is a response, not a request");
  if (ksks.empty()) return fail(Errc::KeyActionNeeded, "no KSK to sign the request with");
  for (const Key& k : ksks) {
    if (!k.is_ksk() || !k.has_private())
      return fail(Errc::Usage, "key " + k.source() + " is not a KSK with its private part");
  }
  SkrDocument resp;
  resp.origin = request.origin;
  resp.is_response = true;
  SignContext ctx;
  Arena arena;
  const Owner* apex = make_owner(arena, request.origin);
  for (const SkrPeriod& in : request.periods) {
    SkrPeriod out;
    out.from = in.from;
    out.to = in.to;
    out.zsk_algorithm = in.zsk_algorithm;
    out.zsk_tag = in.zsk_tag;
    const uint32_t ttl = in.records.empty() ? 3600 : in.records[0].ttl;
    bool zsk_listed = false;
    std::vector<SkrRecord> dnskeys, cds, cdnskey;
    for (const SkrRecord& r : in.records) {
      const uint16_t flags = get16(r.rdata.data());
      if (flags & kFlagSep)
        return fail(Errc::Usage, "the request lists a DNSKEY with the SEP flag (period " +
                                     when(in.from) + "); only ZSKs may be requested");
      const bool alg_ok = std::any_of(ksks.begin(), ksks.end(),
                                      [&](const Key& k) { return k.algorithm() == r.rdata[3]; });
      if (!alg_ok)
        return fail(Errc::Usage, "the request's ZSK algorithm " + algorithm_name(r.rdata[3]) +
                                     " has no KSK (RFC 6840 s5.11)");
      if (r.rdata[3] == in.zsk_algorithm && compute_key_tag(r.rdata) == in.zsk_tag)
        zsk_listed = true;
      dnskeys.push_back(SkrRecord{rrtype::DNSKEY, ttl, r.rdata});
    }
    if (!zsk_listed)
      return fail(Errc::Usage, "the request's period " + when(in.from) +
                                   " names an active ZSK it does not list");
    for (const Key& k : ksks) {
      const auto rd = k.dnskey_rdata();
      dnskeys.push_back(SkrRecord{rrtype::DNSKEY, ttl, {rd.begin(), rd.end()}});
      if (!o.cds) continue;
      auto ds = ds_rdata(request.origin, rd, digest::SHA256);
      if (!ds) return fail(ds.error());
      cds.push_back(SkrRecord{rrtype::CDS, ttl, std::move(*ds)});
      cdnskey.push_back(SkrRecord{rrtype::CDNSKEY, ttl, {rd.begin(), rd.end()}});
    }
    RrsigParams params;
    params.signer = request.origin;
    params.inception = static_cast<uint32_t>(in.from - o.skew);
    params.expiration = static_cast<uint32_t>(in.to + o.overlap);
    params.original_ttl = ttl;
    for (std::vector<SkrRecord>* set : {&dnskeys, &cds, &cdnskey}) {
      if (set->empty()) continue;
      // Canonical order without duplicates (RFC 4034 s6.3), as the zone store keeps RRsets.
      std::vector<RR> rrs;
      for (const SkrRecord& r : *set)
        rrs.push_back(RR{apex, r.rdata.data(), ttl, r.type, static_cast<uint16_t>(r.rdata.size())});
      std::sort(rrs.begin(), rrs.end(), rr_less);
      rrs.erase(std::unique(rrs.begin(), rrs.end(),
                            [](const RR& a, const RR& b) { return rr_compare(a, b) == 0; }),
                rrs.end());
      for (const RR& rr : rrs)
        out.records.push_back(SkrRecord{rr.type, ttl, {rr.rdata, rr.rdata + rr.rdlen}});
      for (const Key& k : ksks) {
        std::vector<uint8_t> sig(max_rrsig_rdata_len(k));
        auto n = ctx.sign(k, params, rrs, sig.data());
        if (!n) return fail(n.error());
        sig.resize(*n);
        out.records.push_back(SkrRecord{rrtype::RRSIG, ttl, std::move(sig)});
      }
    }
    resp.periods.push_back(std::move(out));
  }
  return resp;
}

namespace {

// The period of a response covering now, refused when there is none or the response runs out
// within warn seconds.
Result<const SkrPeriod*> current_period(const SkrDocument& response, int64_t now, int64_t warn) {
  if (!response.is_response)
    return fail(Errc::Usage, "--skr needs a signed key response, not a request");
  if (response.periods.empty()) return fail(Errc::KeyActionNeeded, "the SKR has no periods");
  const int64_t end = response.periods.back().to;
  const SkrPeriod* p = nullptr;
  for (const SkrPeriod& c : response.periods)
    if (c.from <= now && now < c.to) p = &c;
  if (!p)
    return fail(Errc::KeyActionNeeded,
                "the SKR covers " + when(response.periods.front().from) + " to " + when(end) +
                    ", not now (" + when(now) +
                    "); run zonekiln ksr, have skr-sign answer it "
                    "where the KSK is, and pass the new response with --skr");
  if (end - now < warn)
    return fail(Errc::KeyActionNeeded,
                "the SKR runs out at " + when(end) + ", within " + std::to_string(warn / 3600) +
                    " hours; make the next request (zonekiln ksr --from " + time_to_compact(end) +
                    "), have it signed with skr-sign and pass the "
                    "new response with --skr");
  return p;
}

// A period's DNSKEY, CDS and CDNSKEY RRsets (sorted), the KSKs among its DNSKEYs, and the
// DNSKEY of its active ZSK.
struct PeriodSets {
  Arena arena;
  std::vector<RR> sets[3];  // DNSKEY, CDS, CDNSKEY
  std::vector<Key> ksks;
  std::vector<uint8_t> zsk_dnskey;

  std::vector<RR>* set_of(uint16_t t) {
    if (t == rrtype::DNSKEY) return &sets[0];
    if (t == rrtype::CDS) return &sets[1];
    if (t == rrtype::CDNSKEY) return &sets[2];
    return nullptr;
  }

  void read(const SkrPeriod& p, NameView origin) {
    const Owner* apex = make_owner(arena, origin);
    for (const SkrRecord& r : p.records) {
      if (r.type == rrtype::RRSIG) continue;
      set_of(r.type)->push_back(
          RR{apex, r.rdata.data(), r.ttl, r.type, static_cast<uint16_t>(r.rdata.size())});
      if (r.type != rrtype::DNSKEY) continue;
      const uint16_t flags = get16(r.rdata.data());
      if (flags & kFlagSep) {
        auto k = key_from_dnskey(r.rdata);
        if (k) ksks.push_back(std::move(*k));
      } else if (r.rdata[3] == p.zsk_algorithm && compute_key_tag(r.rdata) == p.zsk_tag) {
        zsk_dnskey = r.rdata;
      }
    }
    for (auto& set : sets) std::sort(set.begin(), set.end(), rr_less);
  }
};

// Every RRSIG of the period verifies with a KSK of its DNSKEY RRset and is valid now, and each
// of the three RRsets is signed.
Result<void> check_period_rrsigs(const SkrPeriod& p, PeriodSets& s, int64_t now) {
  bool signed_set[3] = {false, false, false};
  SignContext ctx;
  for (const SkrRecord& r : p.records) {
    if (r.type != rrtype::RRSIG) continue;
    const uint16_t covered = get16(r.rdata.data());
    std::vector<RR>* set = s.set_of(covered);
    const int64_t expiration = get32(r.rdata.data() + 8);
    const int64_t inception = get32(r.rdata.data() + 12);
    if (!set || set->empty()) continue;
    if (now < inception || now >= expiration)
      return fail(Errc::KeyActionNeeded, "an RRSIG in the SKR period " + when(p.from) +
                                             " is not valid now (" + when(inception) + " to " +
                                             when(expiration) + "); sign a new request");
    bool ok_sig = false;
    for (const Key& k : s.ksks) {
      auto v = ctx.verify(k, *set, r.rdata);
      if (v && *v) ok_sig = true;
    }
    if (!ok_sig)
      return fail(Errc::KeyActionNeeded, "an RRSIG over " + std::string(type_text(covered)) +
                                             " in the SKR period " + when(p.from) +
                                             " does not verify; the response is damaged or "
                                             "was signed for other keys");
    signed_set[set - s.sets] = true;
  }
  for (int i = 0; i < 3; ++i) {
    if (!s.sets[i].empty() && !signed_set[i])
      return fail(Errc::KeyActionNeeded, "the SKR period " + when(p.from) +
                                             " has an unsigned RRset; sign the request again");
  }
  return ok();
}

}  // namespace

Result<SkrSelection> select_skr_period(const SkrDocument& response, int64_t now, int64_t warn) {
  auto period = current_period(response, now, warn);
  if (!period) return fail(period.error());
  const SkrPeriod* p = *period;
  SkrSelection sel;
  sel.from = p->from;
  sel.to = p->to;
  sel.runs_out_at = response.periods.back().to;
  sel.zsk_algorithm = p->zsk_algorithm;
  sel.zsk_tag = p->zsk_tag;
  sel.records = p->records;
  // The period is checked before it is published.
  PeriodSets sets;
  sets.read(*p, response.origin);
  if (sets.zsk_dnskey.empty())
    return fail(Errc::KeyActionNeeded, "the SKR period " + when(p->from) +
                                           " does not publish its active ZSK " +
                                           std::to_string(p->zsk_tag));
  sel.zsk_dnskey = sets.zsk_dnskey;
  if (auto r = check_period_rrsigs(*p, sets, now); !r) return fail(r.error());
  return sel;
}

const Key* find_key_by_dnskey(std::span<const Key> keys, std::span<const uint8_t> dnskey) {
  for (const Key& k : keys)
    if (same(k.dnskey_rdata(), dnskey)) return &k;
  return nullptr;
}

}  // namespace zk::signer
