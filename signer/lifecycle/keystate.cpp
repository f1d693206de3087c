#include "signer/lifecycle/keystate.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

#include "dns/atomic_file.hpp"
#include "dns/base64.hpp"
#include "dns/name.hpp"
#include "dns/timeparse.hpp"
#include "signer/signer.hpp"

namespace zk::signer {

using nlohmann::json;

std::string_view to_string(KeyRole r) noexcept {
  switch (r) {
    case KeyRole::KSK:
      return "KSK";
    case KeyRole::ZSK:
      return "ZSK";
    case KeyRole::CSK:
      return "CSK";
  }
  return "?";
}
std::string_view to_string(OwnerState s) noexcept {
  switch (s) {
    case OwnerState::Active:
      return "ACTIVE";
    case OwnerState::Inactive:
      return "INACTIVE";
    case OwnerState::ActionNeeded:
      return "ACTION_NEEDED";
  }
  return "?";
}
std::string_view to_string(ZoneState s) noexcept {
  switch (s) {
    case ZoneState::Signing:
      return "SIGNING";
    case ZoneState::NotSigning:
      return "NOT_SIGNING";
    case ZoneState::ActionNeeded:
      return "ACTION_NEEDED";
    case ZoneState::InternalFailure:
      return "INTERNAL_FAILURE";
  }
  return "?";
}

std::string_view to_string(RollMethod m) noexcept {
  return m == RollMethod::DoubleDs ? "double-ds" : "double-rrset";
}

std::string KeyRecord::label() const {
  return std::string(to_string(role)) + " " + std::to_string(tag) + " (algorithm " +
         std::to_string(algorithm) + ", " + source + ")";
}

KeyRecord* ZoneKeyState::find_key(uint16_t tag, uint8_t algorithm) {
  for (auto& k : keys) {
    if (k.tag == tag && (algorithm == 0 || k.algorithm == algorithm)) return &k;
  }
  return nullptr;
}
const KeyRecord* ZoneKeyState::find_key(uint16_t tag, uint8_t algorithm) const {
  return const_cast<ZoneKeyState*>(this)->find_key(tag, algorithm);
}
size_t ZoneKeyState::ksk_count() const noexcept {
  size_t n = 0;
  for (const auto& k : keys) n += k.is_ksk() && !k.is_removed();
  return n;
}
void ZoneKeyState::set_state(ZoneState s, int64_t now, std::string why) {
  if (s != state || state_since == 0) state_since = now;
  state = s;
  state_why = std::move(why);
}

bool ZoneKeyState::last_published_unsigned() const noexcept {
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    if (it->serial) return it->unsigned_zone;
  }
  return false;
}

void ZoneKeyState::add_run(RunRecord run) {
  if (run.summary.size() > kMaxRunSummary) run.summary.resize(kMaxRunSummary);
  if (run.serial) last_serial = run.serial;
  runs.push_back(std::move(run));
  if (runs.size() > kMaxRunHistory) runs.erase(runs.begin(), runs.end() - kMaxRunHistory);
}

ZoneKeyState* KeyStateFile::find(std::string_view origin) {
  const std::string o = normalize_origin(origin);
  for (auto& z : zones) {
    if (z.origin == o) return &z;
  }
  return nullptr;
}
const ZoneKeyState* KeyStateFile::find(std::string_view origin) const {
  return const_cast<KeyStateFile*>(this)->find(origin);
}
ZoneKeyState& KeyStateFile::get_or_add(std::string_view origin) {
  if (auto* z = find(origin)) return *z;
  ZoneKeyState z;
  z.origin = normalize_origin(origin);
  z.key_dir = dir;
  zones.push_back(std::move(z));
  return zones.back();
}

std::string normalize_origin(std::string_view origin) {
  std::string o(origin);
  for (auto& c : o) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  if (o.empty() || o.back() != '.') o.push_back('.');
  return o;
}

std::string shell_quote(std::string_view s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_./,:@%+=-", c) != nullptr;
  });
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string owner_command(const ZoneKeyState& zone, std::string_view subcommand,
                          std::string_view args) {
  std::string s = "zonekiln ";
  s += subcommand;
  s += " --origin " + shell_quote(zone.origin);
  s += " --keys " + (zone.key_dir.empty() ? std::string("DIR") : shell_quote(zone.key_dir));
  if (!args.empty()) {
    s += ' ';
    s += args;
  }
  return s;
}

// --- JSON -----------------------------------------------------------------------------------

namespace {

template <typename E, size_t N>
bool enum_from(const std::string& text, const E (&values)[N], E& out) {
  for (E v : values) {
    if (to_string(v) == text) {
      out = v;
      return true;
    }
  }
  return false;
}

void put_opt(json& j, const char* name, const std::optional<int64_t>& v) {
  if (v) j[name] = *v;
}

// Thrown only inside state_from_json and caught there (nlohmann reports type errors by
// exception; the boundary converts them to an Error naming the field).
struct BadState {
  std::string why;
};

// Every value is checked against its range when read (issue 11): nlohmann's get<uint16_t>()
// would reduce a key tag of 70000 mod 65536 and name another key.
class Fields {
 public:
  Fields(const json& j, std::string where) : j_(j), where_(std::move(where)) {
    if (!j_.is_object()) throw BadState{where_ + " is not an object"};
  }
  const std::string& where() const { return where_; }
  std::string field(const char* name) const { return where_ + "." + name; }
  bool has(const char* name) const {
    auto it = j_.find(name);
    return it != j_.end() && !it->is_null();
  }
  const json& at(const char* name) const {
    auto it = j_.find(name);
    if (it == j_.end()) throw BadState{field(name) + " is missing"};
    return *it;
  }
  int64_t integer(const char* name, int64_t lo, int64_t hi) const {
    const json& v = at(name);
    if (!v.is_number_integer())
      throw BadState{field(name) + " is " + v.dump() + ", not an integer"};
    // Unsigned values past INT64_MAX would turn negative in get<int64_t>().
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(hi))
      out_of_range(name, v, lo, hi);
    const int64_t n = v.get<int64_t>();
    if (n < lo || n > hi) out_of_range(name, v, lo, hi);
    return n;
  }
  int64_t integer_or(const char* name, int64_t fallback, int64_t lo, int64_t hi) const {
    return has(name) ? integer(name, lo, hi) : fallback;
  }
  // A time: unix seconds an RRSIG field can hold (1970..2106, RFC 4034 s3.1.5).
  int64_t time(const char* name) const { return integer(name, 0, kMaxFieldTime); }
  void time_opt(const char* name, std::optional<int64_t>& out) const {
    if (has(name)) out = time(name);
  }
  std::string text(const char* name) const {
    const json& v = at(name);
    if (!v.is_string()) throw BadState{field(name) + " is " + v.dump() + ", not a string"};
    return v.get<std::string>();
  }
  std::string text_or(const char* name, std::string fallback) const {
    return has(name) ? text(name) : fallback;
  }
  bool boolean_or(const char* name, bool fallback) const {
    if (!has(name)) return fallback;
    const json& v = at(name);
    if (!v.is_boolean()) throw BadState{field(name) + " is " + v.dump() + ", not true or false"};
    return v.get<bool>();
  }
  template <typename E, size_t N>
  E choice(const char* name, const E (&values)[N]) const {
    E out{};
    if (!enum_from(text(name), values, out)) {
      std::string known;
      for (E v : values) known += (known.empty() ? "" : ", ") + std::string(to_string(v));
      throw BadState{field(name) + " is " + at(name).dump() + ", not one of " + known};
    }
    return out;
  }
  const json& array(const char* name) const {
    const json& v = at(name);
    if (!v.is_array()) throw BadState{field(name) + " is not an array"};
    return v;
  }

 private:
  [[noreturn]] void out_of_range(const char* name, const json& v, int64_t lo, int64_t hi) const {
    throw BadState{field(name) + " is " + v.dump() + ", outside " + std::to_string(lo) + ".." +
                   std::to_string(hi)};
  }
  const json& j_;
  std::string where_;
};

json run_to_json(const RunRecord& r) {
  json j;
  j["at"] = r.at;
  j["exit_code"] = r.exit_code;
  if (r.serial) j["serial"] = *r.serial;
  if (r.unsigned_zone) j["unsigned"] = true;
  j["rrsets_signed"] = r.rrsets_signed;
  j["rrsets_reused"] = r.rrsets_reused;
  j["ttl_clamped"] = r.ttl_clamped;
  j["summary"] = r.summary;
  return j;
}

RunRecord run_from_json(const json& j, const std::string& where) {
  const Fields f(j, where);
  RunRecord r;
  r.at = f.integer("at", 1, kMaxFieldTime);
  r.exit_code = static_cast<int>(f.integer("exit_code", 0, 4));
  if (f.has("serial")) r.serial = static_cast<uint32_t>(f.integer("serial", 0, 0xffffffffLL));
  r.unsigned_zone = f.boolean_or("unsigned", false);
  constexpr int64_t kMaxCount = int64_t{1} << 53;  // any real zone is far below
  r.rrsets_signed = static_cast<uint64_t>(f.integer_or("rrsets_signed", 0, 0, kMaxCount));
  r.rrsets_reused = static_cast<uint64_t>(f.integer_or("rrsets_reused", 0, 0, kMaxCount));
  r.ttl_clamped = static_cast<uint64_t>(f.integer_or("ttl_clamped", 0, 0, kMaxCount));
  r.summary = f.text("summary");
  if (r.summary.size() > kMaxRunSummary) {
    throw BadState{f.field("summary") + " is longer than " + std::to_string(kMaxRunSummary) +
                   " characters"};
  }
  return r;
}

json key_to_json(const KeyRecord& k) {
  json j;
  j["algorithm"] = k.algorithm;
  j["tag"] = k.tag;
  j["source"] = k.source;
  j["role"] = to_string(k.role);
  j["dnskey"] = k.dnskey;
  json t = json::object();
  put_opt(t, "created", k.created);
  put_opt(t, "published", k.published);
  put_opt(t, "active", k.active);
  put_opt(t, "retired", k.retired);
  put_opt(t, "removed", k.removed);
  put_opt(t, "signs_unpublished_since", k.signs_unpublished_since);
  j["timeline"] = t;
  if (k.is_ksk()) {
    j["owner_state"] = to_string(k.owner_state);
    j["owner_state_since"] = k.owner_state_since;
    if (!k.owner_state_why.empty()) j["owner_state_why"] = k.owner_state_why;
    j["ds_seen"] = k.ds_seen;
    put_opt(j, "ds_seen_at", k.ds_seen_at);
    j["roll_method"] = to_string(k.roll);
  }
  return j;
}

// The recorded DNSKEY must be one (RFC 4034 s2.1) of the key the record names.
void check_dnskey(const KeyRecord& k, const Fields& f) {
  if (k.dnskey.empty()) return;
  auto raw = base64_decode(k.dnskey);
  if (!raw) throw BadState{f.field("dnskey") + " is not base64"};
  const std::span<const uint8_t> rd(reinterpret_cast<const uint8_t*>(raw->data()), raw->size());
  if (rd.size() < 5 || rd[2] != 3) {
    throw BadState{f.field("dnskey") + " is not DNSKEY RDATA (RFC 4034 s2.1)"};
  }
  if (rd[3] != k.algorithm) {
    throw BadState{f.field("dnskey") + " has algorithm " + std::to_string(rd[3]) + ", the record " +
                   std::to_string(k.algorithm)};
  }
  const uint16_t tag = compute_key_tag(rd);
  if (tag != k.tag) {
    throw BadState{f.field("dnskey") + " has key tag " + std::to_string(tag) + ", the record " +
                   std::to_string(k.tag)};
  }
}

KeyRecord key_from_json(const json& j, const std::string& where) {
  static constexpr KeyRole kRoles[] = {KeyRole::KSK, KeyRole::ZSK, KeyRole::CSK};
  static constexpr OwnerState kOwner[] = {OwnerState::Active, OwnerState::Inactive,
                                          OwnerState::ActionNeeded};
  const Fields f(j, where);
  KeyRecord k;
  k.algorithm = static_cast<uint8_t>(f.integer("algorithm", 1, 255));
  if (!algorithm_known(k.algorithm)) {
    throw BadState{f.field("algorithm") + " is " + std::to_string(k.algorithm) +
                   ", not a DNSSEC algorithm zonekiln knows"};
  }
  k.tag = static_cast<uint16_t>(f.integer("tag", 0, 65535));
  k.source = f.text("source");
  if (k.source.empty() || k.source.find('\0') != std::string::npos) {
    throw BadState{f.field("source") + " is not a key file path or PKCS#11 URI"};
  }
  k.role = f.choice("role", kRoles);
  k.dnskey = f.text_or("dnskey", std::string());
  check_dnskey(k, f);
  const Fields t(f.at("timeline"), f.field("timeline"));
  t.time_opt("created", k.created);
  t.time_opt("published", k.published);
  t.time_opt("active", k.active);
  t.time_opt("retired", k.retired);
  t.time_opt("removed", k.removed);
  t.time_opt("signs_unpublished_since", k.signs_unpublished_since);
  if (k.is_ksk()) {
    k.owner_state = f.choice("owner_state", kOwner);
    k.owner_state_since = f.has("owner_state_since") ? f.time("owner_state_since") : 0;
    k.owner_state_why = f.text_or("owner_state_why", std::string());
    k.ds_seen = f.boolean_or("ds_seen", false);
    f.time_opt("ds_seen_at", k.ds_seen_at);
    static constexpr RollMethod kRoll[] = {RollMethod::DoubleDs, RollMethod::DoubleRrset};
    // Keys recorded before the field existed were added for the double-RRset procedure.
    k.roll = f.has("roll_method") ? f.choice("roll_method", kRoll) : RollMethod::DoubleRrset;
  } else {
    k.owner_state = OwnerState::Active;
  }
  return k;
}

// The recorded policy is read by policy_from_json; here only its ranges are checked so that no
// value is silently reduced (TTLs are 31-bit, RFC 2181 s8; durations at most 2^40 s).
void check_policy(const json& p, const std::string& where) {
  const Fields f(p, where);
  for (const char* ttl : {"dnskey_ttl", "max_zone_ttl", "ttl_clamp", "ds_ttl"}) {
    if (f.has(ttl)) f.integer(ttl, 0, 2147483647);
  }
  for (const char* d : {"zsk_lifetime", "propagation_delay", "sig_validity", "sig_refresh",
                        "sig_jitter", "run_interval"}) {
    if (f.has(d)) f.integer(d, 0, int64_t{1} << 40);
  }
  // -1: the whole refresh cycle (signer::resolved_spread).
  if (f.has("sig_spread")) f.integer("sig_spread", -1, int64_t{1} << 40);
  if (f.has("allowed_algorithms")) {
    const json& algs = f.array("allowed_algorithms");
    for (size_t i = 0; i < algs.size(); ++i) {
      if (!algs[i].is_number_integer() || algs[i].get<int64_t>() < 1 ||
          algs[i].get<int64_t>() > 255) {
        throw BadState{f.field("allowed_algorithms") + "[" + std::to_string(i) + "] is " +
                       algs[i].dump() + ", not an algorithm number 1..255"};
      }
    }
  }
}

json zone_to_json(const ZoneKeyState& z) {
  json jz;
  jz["origin"] = z.origin;
  jz["state"] = to_string(z.state);
  jz["state_since"] = z.state_since;
  if (!z.state_why.empty()) jz["state_why"] = z.state_why;
  put_opt(jz, "last_success", z.last_success);
  if (z.last_serial) jz["last_serial"] = *z.last_serial;
  if (!z.runs.empty()) {
    json runs = json::array();
    for (const auto& r : z.runs) runs.push_back(run_to_json(r));
    jz["runs"] = runs;
  }
  json keys = json::array();
  for (const auto& k : z.keys) keys.push_back(key_to_json(k));
  jz["keys"] = keys;
  json d = json::object();
  put_opt(d, "started_at", z.disable.started_at);
  put_opt(d, "cds_delete_published_at", z.disable.cds_delete_published_at);
  put_opt(d, "parent_ds_removed_at", z.disable.parent_ds_removed_at);
  d["ds_ttl"] = z.disable.ds_ttl;
  jz["disable"] = d;
  if (!z.policy_json.empty()) {
    json p = json::parse(z.policy_json, nullptr, false);
    if (!p.is_discarded()) jz["policy"] = p;
  }
  if (z.fingerprint) {
    const RunFingerprint& fp = *z.fingerprint;
    json jf;
    jf["inputs"] = fp.inputs;
    jf["files"] = fp.files;
    jf["at"] = fp.at;
    jf["due"] = fp.due;
    put_opt(jf, "earliest_expiration", fp.earliest_expiration);
    if (fp.serial) jf["serial"] = *fp.serial;
    jz["fingerprint"] = jf;
  }
  if (z.pending) {
    const PendingCommit& pc = *z.pending;
    json jp;
    jp["output"] = pc.output;
    jp["dev"] = pc.dev;
    jp["ino"] = pc.ino;
    jp["size"] = pc.size;
    jp["at"] = pc.at;
    json prev = json::parse(pc.previous_json, nullptr, false);
    jp["previous"] = prev.is_discarded() ? json::object() : prev;
    jz["pending_commit"] = jp;
  }
  return jz;
}

ZoneKeyState zone_from_json(const json& j, const std::string& where, bool nested);

RunFingerprint fingerprint_from_json(const Fields& f) {
  const Fields p(f.at("fingerprint"), f.field("fingerprint"));
  RunFingerprint fp;
  fp.inputs = p.text("inputs");
  const json& files = p.array("files");
  for (size_t i = 0; i < files.size(); ++i) {
    if (!files[i].is_string()) {
      throw BadState{p.field("files") + "[" + std::to_string(i) + "] is not a path"};
    }
    fp.files.push_back(files[i].get<std::string>());
  }
  fp.at = p.time("at");
  fp.due = p.time("due");
  p.time_opt("earliest_expiration", fp.earliest_expiration);
  if (p.has("serial")) fp.serial = static_cast<uint32_t>(p.integer("serial", 0, UINT32_MAX));
  return fp;
}

PendingCommit pending_from_json(const Fields& f, bool nested, const std::string& origin) {
  if (nested) throw BadState{f.field("pending_commit") + " inside a pending commit"};
  const Fields p(f.at("pending_commit"), f.field("pending_commit"));
  PendingCommit pc;
  pc.output = p.text("output");
  if (pc.output.empty() || pc.output[0] != '/') {
    throw BadState{p.field("output") + " is not an absolute path"};
  }
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  pc.dev = static_cast<uint64_t>(p.integer("dev", 0, kMax));
  pc.ino = static_cast<uint64_t>(p.integer("ino", 0, kMax));
  pc.size = static_cast<uint64_t>(p.integer("size", 0, kMax));
  pc.at = p.time("at");
  // The state to return to when the zone was not published: checked like the zone itself.
  ZoneKeyState prev = zone_from_json(p.at("previous"), p.field("previous"), true);
  if (prev.origin != origin) throw BadState{p.field("previous") + " is another zone's"};
  pc.previous_json = p.at("previous").dump();
  return pc;
}

ZoneKeyState zone_from_json(const json& j, const std::string& where, bool nested) {
  static constexpr ZoneState kZone[] = {ZoneState::Signing, ZoneState::NotSigning,
                                        ZoneState::ActionNeeded, ZoneState::InternalFailure};
  const Fields f(j, where);
  ZoneKeyState z;
  z.origin = f.text("origin");
  Name wire;
  if (z.origin.empty() || z.origin.back() != '.' || normalize_origin(z.origin) != z.origin ||
      !name_from_text(z.origin, NameView{}, wire)) {
    throw BadState{f.field("origin") + " is " + f.at("origin").dump() +
                   ", not an absolute lower-case domain name"};
  }
  z.state = f.choice("state", kZone);
  z.state_since = f.has("state_since") ? f.time("state_since") : 0;
  z.state_why = f.text_or("state_why", std::string());
  f.time_opt("last_success", z.last_success);
  if (f.has("last_serial")) {
    z.last_serial = static_cast<uint32_t>(f.integer("last_serial", 0, 0xffffffffLL));
  }
  if (f.has("runs")) {
    const json& runs = f.array("runs");
    if (runs.size() > kMaxRunHistory) {
      throw BadState{f.field("runs") + " holds " + std::to_string(runs.size()) +
                     " entries, at most " + std::to_string(kMaxRunHistory) + " are kept"};
    }
    for (size_t i = 0; i < runs.size(); ++i) {
      z.runs.push_back(run_from_json(runs[i], f.field("runs") + "[" + std::to_string(i) + "]"));
    }
  }
  const json& keys = f.array("keys");
  for (size_t i = 0; i < keys.size(); ++i) {
    KeyRecord k = key_from_json(keys[i], f.field("keys") + "[" + std::to_string(i) + "]");
    if (z.find_key(k.tag, k.algorithm)) {
      throw BadState{f.field("keys") + "[" + std::to_string(i) + "] repeats key " +
                     std::to_string(k.tag) + " of algorithm " + std::to_string(k.algorithm)};
    }
    z.keys.push_back(std::move(k));
  }
  if (f.has("disable")) {
    const Fields d(f.at("disable"), f.field("disable"));
    d.time_opt("started_at", z.disable.started_at);
    d.time_opt("cds_delete_published_at", z.disable.cds_delete_published_at);
    d.time_opt("parent_ds_removed_at", z.disable.parent_ds_removed_at);
    z.disable.ds_ttl = static_cast<uint32_t>(d.integer_or("ds_ttl", 86400, 0, 2147483647));
  }
  if (f.has("policy")) {
    check_policy(f.at("policy"), f.field("policy"));
    z.policy_json = f.at("policy").dump();
  }
  if (f.has("fingerprint")) z.fingerprint = fingerprint_from_json(f);
  if (f.has("pending_commit")) z.pending = pending_from_json(f, nested, z.origin);
  return z;
}

}  // namespace

std::string state_to_json(const KeyStateFile& state) {
  json root;
  root["version"] = state.version;
  json zones = json::array();
  for (const auto& z : state.zones) zones.push_back(zone_to_json(z));
  root["zones"] = zones;
  return root.dump(2) + "\n";
}

Result<KeyStateFile> state_from_json(std::string_view text, const std::string& source_name) {
  const json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return fail(Errc::Internal, "state file " + source_name + " is corrupt (not valid JSON)");
  }
  try {
    const Fields f(root, "state");
    KeyStateFile st;
    st.version = static_cast<int>(f.integer("version", 0, std::numeric_limits<int>::max()));
    if (st.version != 1 && st.version != kStateVersion) {
      return fail(Errc::Internal, "state file " + source_name + " has version " +
                                      std::to_string(st.version) + ", this zonekiln reads 1 and " +
                                      std::to_string(kStateVersion));
    }
    const json& zones = f.array("zones");
    for (size_t i = 0; i < zones.size(); ++i) {
      ZoneKeyState z = zone_from_json(zones[i], "zones[" + std::to_string(i) + "]", false);
      if (st.find(z.origin)) {
        throw BadState{"zones[" + std::to_string(i) + "] repeats the zone " + z.origin};
      }
      st.zones.push_back(std::move(z));
    }
    return st;
  } catch (const BadState& e) {
    return fail(Errc::Internal, "state file " + source_name + " is corrupt: " + e.why);
  } catch (const json::exception& e) {
    return fail(Errc::Internal, "state file " + source_name + " is corrupt: " + e.what());
  }
}

std::string zone_state_to_json(const ZoneKeyState& zone) {
  ZoneKeyState z = zone;
  z.pending.reset();
  return zone_to_json(z).dump();
}

Result<ZoneKeyState> zone_state_from_json(std::string_view text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return fail(Errc::Internal, "pending commit: not valid JSON");
  try {
    return zone_from_json(j, "pending_commit.previous", true);
  } catch (const BadState& e) {
    return fail(Errc::Internal, "corrupt pending commit: " + e.why);
  } catch (const json::exception& e) {
    return fail(Errc::Internal, std::string("corrupt pending commit: ") + e.what());
  }
}

// --- key directory, key paths, pending commits -----------------------------------------------

namespace {

bool same_file(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string absolute_path(const std::string& path) {
  std::error_code ec;
  std::string out = std::filesystem::absolute(path, ec).lexically_normal().string();
  if (ec) return path;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// Key file sources that are paths (not PKCS#11 URIs).
bool is_path_source(const std::string& source) { return source.rfind("pkcs11:", 0) != 0; }

// A BIND pair is recorded by its base name (K...+AAA+TTTTT); PEM files and .pkcs11 descriptors
// by their own name.
bool key_source_exists(const std::string& path) {
  return zk::path_exists(path) || zk::path_exists(path + ".private") ||
         zk::path_exists(path + ".key");
}

// In memory a source is a path usable from the current directory: the key directory as given
// on the command line joined with the recorded name. On disk (version 2) it is relative to the
// key directory, or absolute.
std::string source_in_memory(const std::string& dir, const std::string& recorded) {
  if (!is_path_source(recorded) || recorded.empty() || recorded[0] == '/') return recorded;
  return dir + "/" + recorded;
}

std::string source_on_disk(const std::string& dir, const std::string& source) {
  if (!is_path_source(source)) return source;
  struct stat d {
  }, p{};
  if (::stat(dir.c_str(), &d) == 0 && ::stat(parent_of(source).c_str(), &p) == 0 &&
      same_file(d, p)) {
    return base_name(source);
  }
  return absolute_path(source);
}

// Version 1 recorded paths relative to the working directory of the run that added the key,
// which a later run (cron starts in $HOME) cannot know. Migration rule
// (signer/lifecycle/LIFECYCLE.md): an absolute path stays; a relative one is taken as the file of
// that name in the key directory (where key files live) when it is there, else as relative to this
// run's working directory when it exists there (made absolute), else as the name in the key
// directory (which the run then reports missing, naming that path).
std::string migrate_v1_source(const std::string& dir, const std::string& recorded) {
  if (!is_path_source(recorded) || recorded.empty() || recorded[0] == '/') return recorded;
  const std::string in_dir = dir + "/" + base_name(recorded);
  if (key_source_exists(in_dir)) return in_dir;
  if (key_source_exists(recorded)) return absolute_path(recorded);
  return in_dir;
}

}  // namespace

namespace {

// K<zone>.+AAA+TTTTT followed by .key, .private or .pkcs11: how BIND and zonekiln name key files.
bool is_key_file_name(std::string_view name) {
  if (name.empty() || name[0] != 'K') return false;
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view ext = name.substr(dot);
  if (ext != ".key" && ext != ".private" && ext != ".pkcs11") return false;
  const std::string_view stem = name.substr(0, dot);  // K<zone>.+AAA+TTTTT
  if (stem.size() < 12) return false;
  const std::string_view tail = stem.substr(stem.size() - 11);  // .+AAA+TTTTT
  return tail.substr(0, 2) == ".+" && all_digits(tail.substr(2, 3)) && tail[5] == '+' &&
         all_digits(tail.substr(6));
}

}  // namespace

void protect_keys(OutputGuard& guard, const std::string& key_dir, const KeyStateFile* state) {
  if (!key_dir.empty()) guard.protect_dir(key_dir, "the key directory");
  guard.protect_names(
      [](std::string_view name) {
        return name == kStateFileName || name == kStateBackupName || name == kLockFileName;
      },
      "the key state (zonekiln-state.json, its .bak or lock file)");
  guard.protect_names(is_key_file_name, "a DNSSEC key file (K<zone>.+AAA+TTTTT.key/.private)");
  if (state == nullptr) return;
  for (const auto& z : state->zones) {
    for (const auto& k : z.keys) {
      if (!is_path_source(k.source)) continue;
      const std::string what = "the file of " + k.label();
      guard.protect_file(k.source, what);
      guard.protect_file(k.source + ".key", what);
      guard.protect_file(k.source + ".private", what);
    }
  }
}

Result<void> require_key_dir(const std::string& dir, std::string_view origin) {
  struct stat st {};
  if (!dir.empty() && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return ok();
  const std::string zone = origin.empty() ? std::string("ZONE") : std::string(origin);
  return fail(Errc::Usage, "no key directory " + (dir.empty() ? std::string("''") : dir) +
                               " (create it with `zonekiln keygen --origin " + zone + " --keys " +
                               (dir.empty() ? std::string("DIR") : dir) +
                               " --ksk` or check --keys)");
}

std::vector<std::string> resolve_pending(KeyStateFile& file) {
  std::vector<std::string> notes;
  for (auto& z : file.zones) {
    if (!z.pending) continue;
    const PendingCommit pc = *z.pending;
    struct stat st {};
    const bool published = ::stat(pc.output.c_str(), &st) == 0 &&
                           static_cast<uint64_t>(st.st_dev) == pc.dev &&
                           static_cast<uint64_t>(st.st_ino) == pc.ino;
    z.pending.reset();
    if (published) {
      notes.push_back("the run at " + time_to_iso(pc.at) + " published " + pc.output +
                      " but did not finish recording its key state; recorded it now");
      continue;
    }
    // The zone was not published: its key events did not happen. Back to the state before that
    // run, keeping ZSKs it created as created-only (their files exist), as commit_failure does.
    auto prev = zone_state_from_json(pc.previous_json);
    if (!prev) continue;  // validated when read; cannot happen
    ZoneKeyState back = std::move(*prev);
    for (const auto& k : z.keys) {
      if (k.role != KeyRole::ZSK || back.find_key(k.tag, k.algorithm)) continue;
      KeyRecord created = k;
      created.published.reset();
      created.active.reset();
      created.retired.reset();
      created.removed.reset();
      back.keys.push_back(created);
    }
    back.set_state(ZoneState::InternalFailure, pc.at,
                   "the run at " + time_to_iso(pc.at) + " stopped before publishing " + pc.output +
                       "; its key events were dropped");
    notes.push_back("the run at " + time_to_iso(pc.at) + " stopped before publishing " + pc.output +
                    "; returned the key state to the one before it");
    z = std::move(back);
  }
  return notes;
}

Result<KeyStateFile> read_state(const std::string& dir) {
  if (auto d = require_key_dir(dir); !d) return fail(d.error());
  const std::string path = dir + "/" + kStateFileName;
  std::error_code ec;
  std::string abs = std::filesystem::absolute(dir, ec).lexically_normal().string();
  if (ec) abs = dir;
  while (abs.size() > 1 && abs.back() == '/') abs.pop_back();
  const std::string bak = dir + "/" + kStateBackupName;
  if (!zk::path_exists(path)) {
    if (zk::path_exists(bak)) {
      // write_state always leaves the state file beside its backup; a lone .bak means the state
      // file was deleted. Adopting the directory afresh would forget the key timeline.
      return fail(Errc::Internal,
                  "the key state " + path + " is missing but its backup " + bak +
                      " exists; nothing was changed. Restore it with `cp -p " + bak + " " + path +
                      "` and run again (or move the backup away to start the key state afresh)");
    }
    KeyStateFile empty;
    empty.dir = abs;
    return empty;
  }
  auto text = zk::read_whole_file(path);
  if (!text) return fail(Errc::Internal, text.error().detail);
  auto st = state_from_json(*text, path);
  if (!st) {
    st.error().detail += "; it was not changed. Inspect it, or restore the previous version from " +
                         bak + ", then run again";
    return st;
  }
  // Pending commits hold the previous state in the on-disk form, so they are settled first.
  if (st->version == kStateVersion) st->recovery_notes = resolve_pending(*st);
  for (auto& z : st->zones) {
    for (auto& k : z.keys) {
      k.source =
          st->version == 1 ? migrate_v1_source(dir, k.source) : source_in_memory(dir, k.source);
    }
  }
  st->version = kStateVersion;
  st->dir = abs;
  for (auto& z : st->zones) z.key_dir = abs;
  return st;
}

Result<void> write_state(const std::string& dir, const KeyStateFile& state, bool keep_backup) {
  const std::string path = dir + "/" + kStateFileName;
  if (keep_backup && zk::path_exists(path)) {
    auto old = zk::read_whole_file(path);
    if (!old) return fail(Errc::Internal, old.error().detail);
    auto bak = zk::write_file_atomic(dir + "/" + kStateBackupName, *old, 0600);
    if (!bak) return fail(Errc::Internal, bak.error().detail);
  }
  KeyStateFile on_disk = state;
  on_disk.version = kStateVersion;
  for (auto& z : on_disk.zones) {
    for (auto& k : z.keys) k.source = source_on_disk(dir, k.source);
    if (z.pending) {
      // The previous state is stored as the zone's JSON: its paths too.
      if (auto prev = zone_state_from_json(z.pending->previous_json)) {
        for (auto& k : prev->keys) k.source = source_on_disk(dir, k.source);
        z.pending->previous_json = zone_state_to_json(*prev);
      }
    }
  }
  auto w = zk::write_file_atomic(path, state_to_json(on_disk), 0600);
  if (!w) return fail(Errc::Internal, w.error().detail);
  return ok();
}

// --- lock -----------------------------------------------------------------------------------

Result<StateLock> StateLock::acquire(const std::string& dir, int wait_seconds) {
  if (auto d = require_key_dir(dir); !d) return fail(d.error());
  const std::string path = dir + "/" + kLockFileName;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return fail(Errc::Internal, "cannot open lock file " + path + ": " + std::strerror(errno));
  }
  // Polling rather than a blocking flock with an alarm: no signals, and the wait is bounded.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return StateLock(fd);
    if (errno != EWOULDBLOCK && errno != EINTR) {
      const int e = errno;
      ::close(fd);
      return fail(Errc::Internal, "cannot lock " + path + ": " + std::strerror(e));
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ::close(fd);
  return fail(Errc::Internal, "another zonekiln run holds " + path + " (waited " +
                                  std::to_string(wait_seconds) +
                                  " s); it may still be running or hung: check with `fuser " +
                                  path + "`; the state was not touched");
}

StateLock& StateLock::operator=(StateLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

StateLock::~StateLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

}  // namespace zk::signer
