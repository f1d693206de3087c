#include "signer/keystate.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "dns/atomic_file.hpp"

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

void get_opt(const json& j, const char* name, std::optional<int64_t>& v) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return;
  v = it->get<int64_t>();
}

// Thrown only inside state_from_json and caught there (nlohmann reports type errors by
// exception; the boundary converts them to an Error).
struct BadState {
  std::string why;
};

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
  j["timeline"] = t;
  if (k.is_ksk()) {
    j["owner_state"] = to_string(k.owner_state);
    j["owner_state_since"] = k.owner_state_since;
    if (!k.owner_state_why.empty()) j["owner_state_why"] = k.owner_state_why;
    j["ds_seen"] = k.ds_seen;
    put_opt(j, "ds_seen_at", k.ds_seen_at);
  }
  return j;
}

KeyRecord key_from_json(const json& j) {
  static constexpr KeyRole kRoles[] = {KeyRole::KSK, KeyRole::ZSK, KeyRole::CSK};
  static constexpr OwnerState kOwner[] = {OwnerState::Active, OwnerState::Inactive,
                                          OwnerState::ActionNeeded};
  KeyRecord k;
  k.algorithm = j.at("algorithm").get<uint8_t>();
  k.tag = j.at("tag").get<uint16_t>();
  k.source = j.at("source").get<std::string>();
  if (!enum_from(j.at("role").get<std::string>(), kRoles, k.role)) {
    throw BadState{"unknown key role " + j.at("role").dump()};
  }
  k.dnskey = j.value("dnskey", std::string());
  const json& t = j.at("timeline");
  get_opt(t, "created", k.created);
  get_opt(t, "published", k.published);
  get_opt(t, "active", k.active);
  get_opt(t, "retired", k.retired);
  get_opt(t, "removed", k.removed);
  if (k.is_ksk()) {
    if (!enum_from(j.at("owner_state").get<std::string>(), kOwner, k.owner_state)) {
      throw BadState{"unknown owner_state " + j.at("owner_state").dump()};
    }
    k.owner_state_since = j.value("owner_state_since", int64_t{0});
    k.owner_state_why = j.value("owner_state_why", std::string());
    k.ds_seen = j.value("ds_seen", false);
    get_opt(j, "ds_seen_at", k.ds_seen_at);
  } else {
    k.owner_state = OwnerState::Active;
  }
  return k;
}

}  // namespace

std::string state_to_json(const KeyStateFile& state) {
  json root;
  root["version"] = state.version;
  json zones = json::array();
  for (const auto& z : state.zones) {
    json jz;
    jz["origin"] = z.origin;
    jz["state"] = to_string(z.state);
    jz["state_since"] = z.state_since;
    if (!z.state_why.empty()) jz["state_why"] = z.state_why;
    put_opt(jz, "last_success", z.last_success);
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
    zones.push_back(jz);
  }
  root["zones"] = zones;
  return root.dump(2) + "\n";
}

Result<KeyStateFile> state_from_json(std::string_view text, const std::string& source_name) {
  static constexpr ZoneState kZone[] = {ZoneState::Signing, ZoneState::NotSigning,
                                        ZoneState::ActionNeeded, ZoneState::InternalFailure};
  const json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return fail(Errc::Internal, "state file " + source_name + " is corrupt (not valid JSON)");
  }
  try {
    KeyStateFile st;
    st.version = root.at("version").get<int>();
    if (st.version != 1) {
      return fail(Errc::Internal, "state file " + source_name + " has version " +
                                      std::to_string(st.version) + ", this zonekiln reads 1");
    }
    for (const auto& jz : root.at("zones")) {
      ZoneKeyState z;
      z.origin = jz.at("origin").get<std::string>();
      if (!enum_from(jz.at("state").get<std::string>(), kZone, z.state)) {
        throw BadState{"unknown zone state " + jz.at("state").dump()};
      }
      z.state_since = jz.value("state_since", int64_t{0});
      z.state_why = jz.value("state_why", std::string());
      get_opt(jz, "last_success", z.last_success);
      for (const auto& jk : jz.at("keys")) z.keys.push_back(key_from_json(jk));
      if (auto d = jz.find("disable"); d != jz.end()) {
        get_opt(*d, "started_at", z.disable.started_at);
        get_opt(*d, "cds_delete_published_at", z.disable.cds_delete_published_at);
        get_opt(*d, "parent_ds_removed_at", z.disable.parent_ds_removed_at);
        z.disable.ds_ttl = d->value("ds_ttl", 86400u);
      }
      if (auto p = jz.find("policy"); p != jz.end() && p->is_object()) z.policy_json = p->dump();
      st.zones.push_back(std::move(z));
    }
    return st;
  } catch (const BadState& e) {
    return fail(Errc::Internal, "state file " + source_name + " is corrupt: " + e.why);
  } catch (const json::exception& e) {
    return fail(Errc::Internal, "state file " + source_name + " is corrupt: " + e.what());
  }
}

Result<KeyStateFile> read_state(const std::string& dir) {
  const std::string path = dir + "/" + kStateFileName;
  if (!zk::path_exists(path)) return KeyStateFile{};
  auto text = zk::read_whole_file(path);
  if (!text) return fail(Errc::Internal, text.error().detail);
  auto st = state_from_json(*text, path);
  if (!st) {
    st.error().detail += "; it was not changed. Inspect it, or restore the previous version from " +
                         dir + "/" + kStateBackupName + ", then run again";
  }
  return st;
}

Result<void> write_state(const std::string& dir, const KeyStateFile& state) {
  const std::string path = dir + "/" + kStateFileName;
  if (zk::path_exists(path)) {
    auto old = zk::read_whole_file(path);
    if (!old) return fail(Errc::Internal, old.error().detail);
    auto bak = zk::write_file_atomic(dir + "/" + kStateBackupName, *old, 0600);
    if (!bak) return fail(Errc::Internal, bak.error().detail);
  }
  auto w = zk::write_file_atomic(path, state_to_json(state), 0600);
  if (!w) return fail(Errc::Internal, w.error().detail);
  return ok();
}

// --- lock -----------------------------------------------------------------------------------

Result<StateLock> StateLock::acquire(const std::string& dir, int wait_seconds) {
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

// --- base64 ---------------------------------------------------------------------------------

std::string base64_encode(const uint8_t* data, size_t len) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((len + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < len; i += 3) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < len) {
    uint32_t v = uint32_t{data[i]} << 16;
    if (i + 1 < len) v |= uint32_t{data[i + 1]} << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < len ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0, pad = 0;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=') {
      ++pad;
      continue;
    } else
      return std::nullopt;
    if (pad) return std::nullopt;  // data after padding
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (pad > 2) return std::nullopt;
  return out;
}

}  // namespace zk::signer
