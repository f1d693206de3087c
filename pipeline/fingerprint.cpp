// The fingerprint of a sign run's inputs (see pipeline/detail/fingerprint.hpp).
#include "pipeline/detail/fingerprint.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "pipeline/detail/openssl_util.hpp"

namespace zk::pipeline::detail {

namespace {

constexpr off_t kHashContentUpTo = 1 << 20;

class Hasher {
 public:
  Hasher() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr); }
  void add(std::string_view s) {
    // Length first, so that no two sequences of fields hash alike.
    const std::string len = std::to_string(s.size()) + ":";
    EVP_DigestUpdate(ctx_.get(), len.data(), len.size());
    EVP_DigestUpdate(ctx_.get(), s.data(), s.size());
  }
  void add(int64_t v) { add(std::to_string(v)); }
  // Identity (and for small files, content) of the file at path.
  void file(const std::string& path) {
    add(path);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      add("missing");
      return;
    }
    add(static_cast<int64_t>(st.st_dev));
    add(static_cast<int64_t>(st.st_ino));
    add(static_cast<int64_t>(st.st_size));
    add(static_cast<int64_t>(st.st_mode));
    add(st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec);
    add(st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec);
    if (!S_ISREG(st.st_mode) || st.st_size > kHashContentUpTo) return;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      add("unreadable");
      return;
    }
    std::string content(static_cast<size_t>(st.st_size), '\0');
    size_t have = 0;
    while (have < content.size()) {
      const ssize_t n = ::read(fd, content.data() + have, content.size() - have);
      if (n <= 0) break;
      have += static_cast<size_t>(n);
    }
    ::close(fd);
    content.resize(have);
    add(content);
  }
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx_.get(), md, &len);
    std::string out;
    char buf[3];
    for (unsigned i = 0; i < len; ++i) {
      std::snprintf(buf, sizeof buf, "%02x", md[i]);
      out += buf;
    }
    return out;
  }

 private:
  MdCtxPtr ctx_;
};

std::string absolute(const std::string& path) {
  std::error_code ec;
  const auto p = std::filesystem::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

bool is_state_file(std::string_view name) {
  return name == "zonekiln-state.json" || name == "zonekiln-state.json.bak" ||
         name == ".zonekiln.lock" || name.find(".zktmp.") != std::string_view::npos;
}

// Every option the signed output (or the run's decisions) depends on. The clock is not one of
// them: signatures are judged against the due time instead.
void add_options(Hasher& h, const CompileOptions& o) {
  const SignOptions& s = o.signing;
  h.add("options 1");
  h.add(std::string(reinterpret_cast<const char*>(o.origin.data()), o.origin.size()));
  h.add(absolute(o.zone_file));
  h.add(absolute(o.output));
  h.add(int64_t{o.strict});
  h.add(int64_t{o.rclass});
  for (const auto& d : o.include_dirs) h.add(absolute(d));
  h.add(static_cast<int64_t>(o.budget.max_include_depth));
  h.add(static_cast<int64_t>(o.budget.max_includes));
  h.add(static_cast<int64_t>(o.budget.max_input_bytes));
  h.add(static_cast<int64_t>(o.budget.max_records));
  h.add(static_cast<int64_t>(o.budget.max_record_length));
  h.add(absolute(s.key_dir));
  h.add(int64_t{s.nsec3.enabled});
  h.add(int64_t{s.nsec3.iterations});
  h.add(std::string(s.nsec3.salt.begin(), s.nsec3.salt.end()));
  h.add(int64_t{s.nsec3.opt_out});
  h.add(int64_t{s.max_ttl});
  h.add(int64_t{s.csk});
  h.add(int64_t{s.cds});
  h.add(static_cast<int64_t>(s.serial));
  h.add(s.now - s.inception);
  h.add(s.expiration - s.now);
  h.add(s.dnskey_ttl ? int64_t{*s.dnskey_ttl} : -1);
  h.add(int64_t{s.allow_deprecated_algorithm});
  h.add(int64_t{s.dnskey_signed_by_all});
  h.add(int64_t{s.fixed_expiration});
  h.add(s.ds_output.empty() ? std::string() : absolute(s.ds_output));
  h.add(static_cast<int64_t>(s.verify));
  const signer::PolicyChoices& t = s.timing;
  for (const auto& v : {t.sig_validity, t.sig_refresh, t.sig_jitter, t.zsk_lifetime,
                        t.propagation_delay, t.run_interval}) {
    h.add(v ? *v : -1);
  }
  for (const auto& v : {t.ttl_clamp, t.dnskey_ttl, t.ds_ttl}) h.add(v ? int64_t{*v} : -1);
  h.add(s.previous.empty() ? std::string() : absolute(s.previous));
  h.add(int64_t{s.zonemd_hash});
  // Other files the run writes (metrics, statistics): a new one must pass the output guard.
  for (const auto& out : o.outputs) h.add(absolute(out.path));
}

}  // namespace

bool fingerprint_eligible(const CompileOptions& o, bool recording) {
  const SignOptions& s = o.signing;
  if (!o.sign || o.output == "-" || s.dry_run || !s.skr.empty() || !s.zsk_uri.empty() ||
      s.key_dir.empty()) {
    return false;
  }
  return recording || (!s.full && !s.want_changes);
}

std::string input_fingerprint(const CompileOptions& options, const std::vector<std::string>& files,
                              const signer::ZoneKeyState& zone) {
  Hasher h;
  h.add("zonekiln run fingerprint 1");
  h.file("/proc/self/exe");
  add_options(h, options);
  h.add("files");
  for (const auto& f : files) h.file(absolute(f));
  // The key directory: every key file, whether the state names it yet or not.
  h.add("keys");
  const std::string dir = options.signing.key_dir;
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string_view n = e->d_name;
      if (n == "." || n == ".." || is_state_file(n)) continue;
      names.emplace_back(n);
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  for (const auto& n : names) h.file(dir + "/" + n);
  for (const auto& k : zone.keys) {
    if (k.source.empty() || k.source.find(':') != std::string::npos) continue;  // URIs
    const std::string base =
        k.source[0] == '/' ? k.source : dir + "/" + k.source;  // state v2: key-dir relative
    for (const char* ext : {"", ".key", ".private"}) h.file(base + ext);
  }
  // The zone's key state without the run bookkeeping this fingerprint is part of.
  signer::ZoneKeyState z = zone;
  z.last_success.reset();
  z.runs.clear();
  z.fingerprint.reset();
  z.pending.reset();
  h.add(signer::zone_state_to_json(z));
  h.add("outputs");
  h.file(absolute(options.output));
  if (!options.signing.previous.empty()) h.file(absolute(options.signing.previous));
  if (!options.signing.ds_output.empty() && options.signing.ds_output != "-") {
    h.file(absolute(options.signing.ds_output));
  }
  return h.hex();
}

bool keys_in_files(const signer::ZoneKeyState& zone) {
  return std::none_of(zone.keys.begin(), zone.keys.end(), [](const signer::KeyRecord& k) {
    return k.source.rfind("pkcs11:", 0) == 0 ||
           (k.source.size() > 7 && k.source.compare(k.source.size() - 7, 7, ".pkcs11") == 0);
  });
}

}  // namespace zk::pipeline::detail
