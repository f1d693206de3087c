// BIND key files: K<zone>.+<alg>+<tag>.key (a DNSKEY line) and .private (Private-key-format
// v1.2/v1.3, with timing metadata), read and written so dnssec-keygen and zonekiln keys are
// interchangeable.
#include <dirent.h>
#include <fcntl.h>
#include <openssl/objects.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <utility>

#include "dns/atomic_file.hpp"
#include "dns/base64.hpp"
#include "dns/fault.hpp"
#include "dns/timeparse.hpp"
#include "signer/detail/internal.hpp"
#include "signer/pkcs11.hpp"
#include "signer/signer.hpp"

namespace zk::signer {

using detail::AlgInfo;
using detail::Kind;
using detail::SecretBytes;

namespace detail {

Result<void> read_key_file(const std::string& path, bool is_private, SecretBytes& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return fail(Errc::KeyActionNeeded,
                "cannot open key file " + path + ": " + std::strerror(err) +
                    (err == ENOENT ? " (restore it or fix the key path)" : ""));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(Errc::KeyActionNeeded, "key file " + path + " is not a regular file");
  }
  if (is_private && (st.st_mode & (S_IRGRP | S_IROTH | S_IWGRP | S_IWOTH))) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail(Errc::KeyActionNeeded, "private key file " + path + " is accessible by group or " +
                                           "other (mode " + mode + "); run: chmod 600 " + path);
  }
  if (st.st_size > (1 << 20)) {
    ::close(fd);
    return fail(Errc::KeyActionNeeded, "key file " + path + " is too large to be a key");
  }
  out.v.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < out.v.size()) {
    const ssize_t n = ::read(fd, out.v.data() + got, out.v.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  out.v.resize(got);
  return ok();
}

}  // namespace detail

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// PEM keys are often named *.key too; the content decides, not the suffix.
bool looks_like_pem(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char head[11] = {};
  const ssize_t n = ::read(fd, head, sizeof head);
  ::close(fd);
  return n == static_cast<ssize_t>(sizeof head) && std::memcmp(head, "-----BEGIN ", 11) == 0;
}

// The DNSKEY in a .key file: "owner [ttl] [class] DNSKEY flags 3 alg base64..." after comments.
struct PublicPart {
  Name owner;
  std::vector<uint8_t> rdata;
};

Result<PublicPart> parse_key_file(const std::string& path, std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (const size_t c = line.find(';'); c != std::string_view::npos) line = line.substr(0, c);
    line = trim(line);
    if (line.empty()) continue;

    std::vector<std::string_view> tok;
    for (size_t i = 0; i < line.size();) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
      if (j > i) tok.push_back(line.substr(i, j - i));
      i = j;
    }
    size_t t = 1;
    while (t < tok.size() && tok[t] != "DNSKEY" && tok[t] != "dnskey" && tok[t] != "KEY") ++t;
    if (t + 4 >= tok.size()) continue;  // not the DNSKEY line
    PublicPart pub;
    if (!name_from_text(tok[0], NameView{}, pub.owner))
      return fail(Errc::KeyActionNeeded, "key file " + path + ": bad owner name");
    unsigned f[3];
    for (int i = 0; i < 3; ++i) {
      f[i] = 0;
      for (char ch : tok[t + 1 + i]) {
        if (ch < '0' || ch > '9' || f[i] > 65535)
          return fail(Errc::KeyActionNeeded, "key file " + path + ": bad DNSKEY field");
        f[i] = f[i] * 10 + static_cast<unsigned>(ch - '0');
      }
    }
    if (f[0] > 65535 || f[1] != 3 || f[2] > 255)
      return fail(Errc::KeyActionNeeded, "key file " + path + ": bad DNSKEY flags/protocol");
    pub.rdata = {static_cast<uint8_t>(f[0] >> 8), static_cast<uint8_t>(f[0]), 3,
                 static_cast<uint8_t>(f[2])};
    std::string b64;
    for (size_t i = t + 4; i < tok.size(); ++i) b64 += tok[i];
    if (!zk::base64_decode(b64, pub.rdata) || pub.rdata.size() < 5)
      return fail(Errc::KeyActionNeeded, "key file " + path + ": bad base64 public key");
    return pub;
  }
  return fail(Errc::KeyActionNeeded, "key file " + path + " holds no DNSKEY record");
}

// The fields of a .private file that zonekiln uses. Values stay base64-decoded in SecretBytes.
struct PrivatePart {
  uint8_t algorithm = 0;
  SecretBytes n, e, d, p, q, dmp1, dmq1, iqmp, priv;
  KeyTiming timing;
};

// The key material fields (base64) and the timing fields (YYYYMMDDHHMMSS) of a v1.x file.
constexpr std::pair<std::string_view, SecretBytes PrivatePart::*> kMaterialFields[] = {
    {"Modulus", &PrivatePart::n},         {"PublicExponent", &PrivatePart::e},
    {"PrivateExponent", &PrivatePart::d}, {"Prime1", &PrivatePart::p},
    {"Prime2", &PrivatePart::q},          {"Exponent1", &PrivatePart::dmp1},
    {"Exponent2", &PrivatePart::dmq1},    {"Coefficient", &PrivatePart::iqmp},
    {"PrivateKey", &PrivatePart::priv},
};
constexpr std::pair<std::string_view, std::optional<int64_t> KeyTiming::*> kTimingFields[] = {
    {"Created", &KeyTiming::created},
    {"Publish", &KeyTiming::publish},
    {"Activate", &KeyTiming::activate},
    {"Inactive", &KeyTiming::inactive},
    {"Delete", &KeyTiming::remove},
    {"Revoke", &KeyTiming::revoke},
    {"SyncPublish", &KeyTiming::sync_publish},
    {"SyncDelete", &KeyTiming::sync_delete},
};

// One "Tag: value" line of a .private file into out. Unknown tags (Length, PublishCDS, ...
// other BIND metadata) are not needed for signing and are skipped.
Result<void> private_line(const std::string& path, std::string_view tag, std::string_view val,
                          PrivatePart& out, bool& saw_format, bool& saw_alg) {
  auto refuse = [&](const std::string& why) {
    return fail(Errc::KeyActionNeeded, "private key file " + path + ": " + why);
  };
  if (tag == "Private-key-format") {
    // The value is not quoted: in a damaged file it may run on into the key material.
    if (val.substr(0, 3) != "v1.")
      return refuse("unknown Private-key-format (zonekiln reads v1.x)");
    saw_format = true;
    return ok();
  }
  if (tag == "Algorithm") {
    unsigned a = 0;
    size_t i = 0;
    for (; i < val.size() && val[i] >= '0' && val[i] <= '9'; ++i) a = a * 10 + (val[i] - '0');
    if (i == 0 || a > 255) return refuse("bad Algorithm line");
    out.algorithm = static_cast<uint8_t>(a);
    saw_alg = true;
    return ok();
  }
  if (tag == "Engine" || tag == "Label") {
    return fail(Errc::KeyActionNeeded, "private key file " + path + " refers to an HSM (" +
                                           std::string(tag) +
                                           "); zonekiln needs the key material in the file");
  }
  for (const auto& [name, member] : kMaterialFields) {
    if (tag != name) continue;
    SecretBytes& field = out.*member;
    // A second value would make the vector reallocate and free the first copy uncleansed.
    if (!field.v.empty()) return refuse(std::string(tag) + " appears twice");
    if (!zk::base64_decode(val, field.v)) return refuse("bad base64 in " + std::string(tag));
    return ok();
  }
  for (const auto& [name, member] : kTimingFields) {
    if (tag != name) continue;
    auto t = parse_compact_time(val);
    if (!t) return refuse("bad time in " + std::string(tag));
    out.timing.*member = *t;
    return ok();
  }
  return ok();
}

Result<void> parse_private_file(const std::string& path, std::string_view text, PrivatePart& out) {
  bool saw_format = false, saw_alg = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = trim(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (line.empty()) continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      return fail(Errc::KeyActionNeeded, "private key file " + path + ": malformed line");
    if (auto r = private_line(path, line.substr(0, colon), trim(line.substr(colon + 1)), out,
                              saw_format, saw_alg);
        !r) {
      return r;
    }
  }
  if (!saw_format || !saw_alg)
    return fail(Errc::KeyActionNeeded,
                "private key file " + path + " is not a BIND private key (Private-key-format)");
  return ok();
}

Result<detail::PkeyPtr> private_pkey(const AlgInfo& alg, const PrivatePart& pp,
                                     const std::string& path) {
  using namespace detail;
  const auto missing = [&](const char* what) {
    return fail(Errc::KeyActionNeeded, "private key file " + path + " lacks " + what);
  };
  switch (alg.kind) {
    case Kind::Rsa: {
      if (pp.n.v.empty() || pp.e.v.empty() || pp.d.v.empty()) return missing("the RSA key fields");
      ParamBldPtr bld(OSSL_PARAM_BLD_new());
      if (!bld) return crypto_fail("RSA import");
      std::vector<BnPtr> keep;  // BIGNUMs must outlive OSSL_PARAM_BLD_to_param
      const auto push = [&](const char* key, const SecretBytes& b) {
        if (b.v.empty()) return true;
        keep.emplace_back(BN_secure_new());
        if (!keep.back() || !BN_bin2bn(b.v.data(), static_cast<int>(b.v.size()), keep.back().get()))
          return false;
        return OSSL_PARAM_BLD_push_BN(bld.get(), key, keep.back().get()) == 1;
      };
      bool ok = push(OSSL_PKEY_PARAM_RSA_N, pp.n) && push(OSSL_PKEY_PARAM_RSA_E, pp.e) &&
                push(OSSL_PKEY_PARAM_RSA_D, pp.d);
      const bool crt = !pp.p.v.empty() && !pp.q.v.empty() && !pp.dmp1.v.empty() &&
                       !pp.dmq1.v.empty() && !pp.iqmp.v.empty();
      if (ok && crt) {
        ok = push(OSSL_PKEY_PARAM_RSA_FACTOR1, pp.p) && push(OSSL_PKEY_PARAM_RSA_FACTOR2, pp.q) &&
             push(OSSL_PKEY_PARAM_RSA_EXPONENT1, pp.dmp1) &&
             push(OSSL_PKEY_PARAM_RSA_EXPONENT2, pp.dmq1) &&
             push(OSSL_PKEY_PARAM_RSA_COEFFICIENT1, pp.iqmp);
      }
      if (!ok) return crypto_fail("RSA import");
      return pkey_fromdata("RSA", EVP_PKEY_KEYPAIR, bld.get());
    }
    case Kind::Ecdsa: {
      // BIND writes the scalar without leading zero octets (BN_bn2bin), so one key in 256 has a
      // shorter field; only a longer one, or none, is wrong.
      if (pp.priv.v.empty() || pp.priv.v.size() > alg.field_size)
        return missing("a valid ECDSA PrivateKey");
      // The public point is derived from the scalar, so a .key that does not belong to this
      // .private shows up as a mismatch below.
      EcGroupPtr group(EC_GROUP_new_by_curve_name(OBJ_sn2nid(alg.group)));
      BnPtr d(BN_secure_new());
      BnCtxPtr bctx(BN_CTX_secure_new());
      if (!group || !d || !bctx ||
          !BN_bin2bn(pp.priv.v.data(), static_cast<int>(pp.priv.v.size()), d.get()))
        return crypto_fail("ECDSA import");
      // SEC 1 s3.2.1: the scalar is in [1, n-1]. OpenSSL builds a key from 0 (whose public point
      // is at infinity) and fails only when the key is used.
      if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0)
        return missing("a valid ECDSA PrivateKey (it is not in [1, n-1])");
      EcPointPtr pub(EC_POINT_new(group.get()));
      uint8_t point[1 + 2 * 48];
      size_t plen = 0;
      if (!pub || !EC_POINT_mul(group.get(), pub.get(), d.get(), nullptr, nullptr, bctx.get()) ||
          (plen = EC_POINT_point2oct(group.get(), pub.get(), POINT_CONVERSION_UNCOMPRESSED, point,
                                     sizeof point, bctx.get())) == 0)
        return crypto_fail("ECDSA public key derivation");
      ParamBldPtr bld(OSSL_PARAM_BLD_new());
      if (!bld ||
          !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, alg.group, 0) ||
          !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) ||
          !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point, plen))
        return crypto_fail("ECDSA import");
      return pkey_fromdata("EC", EVP_PKEY_KEYPAIR, bld.get());
    }
    case Kind::EdDsa: {
      if (pp.priv.v.size() != alg.field_size) return missing("a valid EdDSA PrivateKey");
      EVP_PKEY* raw = EVP_PKEY_new_raw_private_key_ex(nullptr, alg.group, nullptr, pp.priv.v.data(),
                                                      pp.priv.v.size());
      if (!raw) return crypto_fail("EdDSA import");
      return PkeyPtr(raw);
    }
    case Kind::Unsupported:
      break;
  }
  return fail(Errc::KeyActionNeeded, std::string("algorithm ") + alg.name + " is not supported");
}

Result<Key> load_bind_key(const std::string& base, NameView origin) {
  SecretBytes pub_text, priv_text;
  if (auto r = detail::read_key_file(base + ".key", false, pub_text); !r) return fail(r.error());
  auto pub = parse_key_file(base + ".key",
                            {reinterpret_cast<const char*>(pub_text.v.data()), pub_text.v.size()});
  if (!pub) return fail(pub.error());
  if (origin.len != 0 && !name_equal(pub->owner, origin))
    return fail(Errc::KeyActionNeeded, "key " + base + " belongs to " +
                                           name_to_lower_string(pub->owner) + ", not to " +
                                           name_to_lower_string(origin));
  const uint8_t algorithm = pub->rdata[3];
  const AlgInfo* alg = detail::alg_info(algorithm);
  if (!alg || !alg->can_sign)
    return fail(Errc::KeyActionNeeded,
                "key " + base + " uses algorithm " + algorithm_name(algorithm) +
                    ", which must not be used for signing (RFC 8624 s3.1); roll to a new key "
                    "with ECDSAP256SHA256, ED25519 or RSASHA256");

  if (auto r = detail::read_key_file(base + ".private", true, priv_text); !r)
    return fail(r.error());
  PrivatePart pp;
  if (auto r = parse_private_file(
          base + ".private",
          {reinterpret_cast<const char*>(priv_text.v.data()), priv_text.v.size()}, pp);
      !r)
    return fail(r.error());
  if (pp.algorithm != algorithm)
    return fail(Errc::KeyActionNeeded, "key " + base + ": .key says algorithm " +
                                           std::to_string(algorithm) + ", .private says " +
                                           std::to_string(pp.algorithm) +
                                           "; the two files do not belong together");
  auto pkey = private_pkey(*alg, pp, base + ".private");
  if (!pkey && pkey.error().code == Errc::Crypto) {
    // The numbers came from the file: a key OpenSSL cannot build from them (a zero scalar, say)
    // is a damaged key for its owner to restore, not an internal failure.
    return fail(Errc::KeyActionNeeded, "private key file " + base + ".private does not hold a " +
                                           "valid " + alg->name + " key (" + pkey.error().detail +
                                           "); restore the pair from backup");
  }
  if (!pkey) return fail(pkey.error());
  const uint16_t flags = static_cast<uint16_t>((pub->rdata[0] << 8) | pub->rdata[1]);
  auto key = detail::make_key(*alg, flags, std::move(*pkey), true, base);
  if (!key && key.error().code == Errc::Crypto) {
    return fail(Errc::KeyActionNeeded, "key " + base + " cannot be used (" + key.error().detail +
                                           "); restore the pair from backup");
  }
  if (!key) return key;
  const auto got = key->dnskey_rdata();
  if (!std::equal(got.begin(), got.end(), pub->rdata.begin(), pub->rdata.end()))
    return fail(Errc::KeyActionNeeded,
                "key " + base +
                    ": the public key in .key does not match the private key in "
                    ".private; restore the matching pair");
  key->timing = pp.timing;
  return key;
}

void append_b64_field(std::string& out, const char* tag, std::span<const uint8_t> v) {
  out += tag;
  out += ": ";
  base64_append(out, v.data(), v.size());
  out += '\n';
}

Result<void> append_private_fields(const Key::Impl& k, std::string& out) {
  using namespace detail;
  EVP_PKEY* pkey = k.pkey.get();
  switch (k.alg->kind) {
    case Kind::Rsa: {
      static constexpr struct {
        const char* tag;
        const char* param;
      } kFields[] = {{"Modulus", OSSL_PKEY_PARAM_RSA_N},
                     {"PublicExponent", OSSL_PKEY_PARAM_RSA_E},
                     {"PrivateExponent", OSSL_PKEY_PARAM_RSA_D},
                     {"Prime1", OSSL_PKEY_PARAM_RSA_FACTOR1},
                     {"Prime2", OSSL_PKEY_PARAM_RSA_FACTOR2},
                     {"Exponent1", OSSL_PKEY_PARAM_RSA_EXPONENT1},
                     {"Exponent2", OSSL_PKEY_PARAM_RSA_EXPONENT2},
                     {"Coefficient", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}};
      for (const auto& f : kFields) {
        BIGNUM* raw = nullptr;
        if (!EVP_PKEY_get_bn_param(pkey, f.param, &raw)) return crypto_fail("RSA key export");
        BnPtr bn(raw);
        SecretBytes b;
        b.v.resize(static_cast<size_t>(BN_num_bytes(bn.get())));
        BN_bn2bin(bn.get(), b.v.data());
        append_b64_field(out, f.tag, b.v);
      }
      return zk::ok();
    }
    case Kind::Ecdsa: {
      BIGNUM* raw = nullptr;
      if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &raw))
        return crypto_fail("ECDSA key export");
      BnPtr bn(raw);
      SecretBytes b;
      b.v.resize(k.alg->field_size);
      if (BN_bn2binpad(bn.get(), b.v.data(), static_cast<int>(b.v.size())) < 0)
        return fail(Errc::Crypto, "ECDSA private key too large");
      append_b64_field(out, "PrivateKey", b.v);
      return zk::ok();
    }
    case Kind::EdDsa: {
      SecretBytes b;
      b.v.resize(k.alg->field_size);
      size_t len = b.v.size();
      if (!EVP_PKEY_get_raw_private_key(pkey, b.v.data(), &len))
        return crypto_fail("EdDSA key export");
      b.v.resize(len);
      append_b64_field(out, "PrivateKey", b.v);
      return zk::ok();
    }
    case Kind::Unsupported:
      break;
  }
  return fail(Errc::Usage, "cannot write keys of this algorithm");
}

std::string human_time(int64_t t) {
  const time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);
  return buf;
}

std::string no_token_config(const std::string& path) {
  return path + " is a PKCS#11 key: its token needs a module and a PIN (--pkcs11-module, " +
         "--pin-file or the " + kPinEnvVar + " environment variable)";
}

}  // namespace

Result<Key> load_key(const std::string& path, NameView origin, uint8_t pem_algorithm,
                     uint16_t pem_flags, const Pkcs11Config* pkcs11) {
  if (path.empty()) return fail(Errc::Usage, "empty key path");
  if (is_pkcs11_uri(path) || ends_with(path, kPkcs11DescriptorSuffix)) {
    if (!pkcs11) return fail(Errc::KeyActionNeeded, no_token_config(path));
    if (is_pkcs11_uri(path)) return load_pkcs11_key(path, *pkcs11, pem_flags, pem_algorithm);
    return load_pkcs11_descriptor(path, origin, *pkcs11);
  }
  if (looks_like_pem(path)) return detail::load_pem_key(path, pem_algorithm, pem_flags);
  std::string base = path;
  if (ends_with(base, ".private"))
    base.resize(base.size() - 8);
  else if (ends_with(base, ".key"))
    base.resize(base.size() - 4);
  if (file_exists(base + ".private") || file_exists(base + ".key"))
    return load_bind_key(base, origin);
  if (file_exists(path)) return detail::load_pem_key(path, pem_algorithm, pem_flags);
  return fail(Errc::KeyActionNeeded, "key " + path + " not found (neither " + base + ".key/" +
                                         ".private nor a PEM file); restore it or fix the path");
}

Result<std::vector<Key>> load_key_dir(const std::string& dir, NameView origin,
                                      std::vector<Error>* errors, const Pkcs11Config* pkcs11) {
  DIR* d = ::opendir(dir.c_str());
  if (!d)
    return fail(Errc::KeyActionNeeded,
                "cannot read key directory " + dir + ": " + std::strerror(errno));
  std::string prefix = "K";
  prefix += name_to_lower_string(origin);
  prefix += '+';
  std::vector<std::string> bases, descriptors;
  while (const dirent* ent = ::readdir(d)) {
    const std::string_view name = ent->d_name;
    const bool is_private = ends_with(name, ".private");
    const bool is_descriptor = ends_with(name, kPkcs11DescriptorSuffix);
    if (name.size() <= prefix.size() + 8 || !(is_private || is_descriptor)) continue;
    bool match = name[0] == 'K';
    for (size_t i = 1; i < prefix.size() && match; ++i)
      match = ascii_lower(static_cast<uint8_t>(name[i])) == static_cast<uint8_t>(prefix[i]);
    if (!match) continue;
    if (is_private)
      bases.push_back(dir + "/" + std::string(name.substr(0, name.size() - 8)));
    else
      descriptors.push_back(dir + "/" + std::string(name));
  }
  ::closedir(d);
  std::sort(bases.begin(), bases.end());  // readdir order is not stable across file systems
  std::sort(descriptors.begin(), descriptors.end());
  std::vector<Key> keys;
  for (const std::string& base : bases) {
    auto key = load_bind_key(base, origin);
    if (key) {
      keys.push_back(std::move(*key));
    } else if (errors) {
      errors->push_back(std::move(key.error()));
    }
  }
  for (const std::string& path : descriptors) {
    auto key = pkcs11 ? load_pkcs11_descriptor(path, origin, *pkcs11)
                      : Result<Key>(fail(Errc::KeyActionNeeded, no_token_config(path)));
    if (key) {
      keys.push_back(std::move(*key));
    } else if (errors) {
      errors->push_back(std::move(key.error()));
    }
  }
  return keys;
}

std::string key_file_base(const Key& key, NameView origin, const std::string& dir) {
  char num[32];
  std::snprintf(num, sizeof num, "+%03u+%05u", unsigned{key.algorithm()}, unsigned{key.tag()});
  return (dir.empty() ? std::string(".") : dir) + "/K" + name_to_lower_string(origin) + num;
}

bool key_files_exist(const Key& key, NameView origin, const std::string& dir) {
  const std::string base = key_file_base(key, origin, dir);
  return file_exists(base + ".private") || file_exists(base + ".key");
}

Result<std::string> write_key_files(const Key& key, NameView origin, const std::string& dir,
                                    int64_t now) {
  const Key::Impl* k = key.impl();
  if (!k || !k->has_private) return fail(Errc::Usage, "only keys with a private part are written");
  const std::string zone = name_to_lower_string(origin);
  const std::string base = key_file_base(key, origin, dir);
  // Two keys of one algorithm can share a tag (RFC 4034 Appendix B); another key's files are
  // never replaced (this key's are, to update its timing metadata).
  if (key_files_exist(key, origin, dir)) {
    auto old = load_bind_key(base, origin);
    const bool same = old && std::equal(old->dnskey_rdata().begin(), old->dnskey_rdata().end(),
                                        k->dnskey.begin(), k->dnskey.end());
    if (!same) {
      return fail(Errc::Usage, "key files " + base +
                                   ".key/.private of another key exist already "
                                   "(key tag " +
                                   std::to_string(k->tag) + "); not overwritten");
    }
  }

  KeyTiming t = key.timing;
  if (!t.created) t.created = now;
  if (!t.publish && !t.activate) t.publish = t.activate = now;  // dnssec-keygen's default

  static constexpr struct {
    const char* tag;
    std::optional<int64_t> KeyTiming::*field;
  } kTimes[] = {{"Created", &KeyTiming::created},          {"Publish", &KeyTiming::publish},
                {"Activate", &KeyTiming::activate},        {"Revoke", &KeyTiming::revoke},
                {"Inactive", &KeyTiming::inactive},        {"Delete", &KeyTiming::remove},
                {"SyncPublish", &KeyTiming::sync_publish}, {"SyncDelete", &KeyTiming::sync_delete}};

  std::string pub = "; This is a ";
  pub += (k->flags & kFlagSep) ? "key-signing" : "zone-signing";
  pub += " key, keyid " + std::to_string(k->tag) + ", for " + zone + "\n";
  for (const auto& f : kTimes) {
    if (!(t.*f.field)) continue;
    pub += std::string("; ") + f.tag + ": " + time_to_compact(*(t.*f.field)) + " (" +
           human_time(*(t.*f.field)) + ")\n";
  }
  pub += zone + " IN DNSKEY " + std::to_string(k->flags) + " 3 " + std::to_string(k->alg->number) +
         " ";
  base64_append(pub, k->dnskey.data() + 4, k->dnskey.size() - 4);
  pub += '\n';

  std::string priv;
  priv.reserve(8192);  // one allocation: the buffer is cleansed below, so no copies escape
  priv += "Private-key-format: v1.3\nAlgorithm: " + std::to_string(k->alg->number) + " (" +
          k->alg->name + ")\n";
  auto fields = append_private_fields(*k, priv);
  if (fields) {
    for (const auto& f : kTimes) {
      if (!(t.*f.field)) continue;
      priv += std::string(f.tag) + ": " + time_to_compact(*(t.*f.field)) + "\n";
    }
  }
  Result<void> w =
      fields ? zk::write_file_atomic(base + ".private", priv, 0600) : fail(fields.error());
  detail::cleanse(priv.data(), priv.size());
  if (!w) return fail(w.error());
  if (auto r = zk::write_file_atomic(base + ".key", pub, 0644); !r) return fail(r.error());
  return base;
}

}  // namespace zk::signer
