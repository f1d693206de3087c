#include "dns/path_guard.hpp"

#include <sys/stat.h>

#include <climits>
#include <cstdlib>

namespace zk {

namespace {

std::pair<std::string, std::string> split(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  const auto slash = p.rfind('/');
  if (slash == std::string::npos) return {".", p};
  return {slash == 0 ? "/" : p.substr(0, slash), p.substr(slash + 1)};
}

}  // namespace

OutputGuard::Place OutputGuard::place_of(const std::string& path) {
  Place p;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    p.file = {true, static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  }
  auto [dir, name] = split(path);
  p.name = name;
  if (::stat(dir.c_str(), &st) == 0) {
    p.dir = {true, static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  }
  return p;
}

bool OutputGuard::same_place(const Place& a, const Place& b) {
  if (same(a.file, b.file)) return true;
  return same(a.dir, b.dir) && a.name == b.name;
}

void OutputGuard::protect_file(const std::string& path, std::string what) {
  if (path.empty() || path == "-") return;
  files_.push_back({place_of(path), path, std::move(what)});
}

void OutputGuard::protect_dir(const std::string& path, std::string what) {
  if (path.empty()) return;
  Protected d{place_of(path), path, std::move(what)};
  d.place.dir = d.place.file;  // outputs whose directory is this one
  dirs_.push_back(std::move(d));
}

void OutputGuard::protect_names(std::function<bool(std::string_view)> matches, std::string what) {
  names_.push_back({std::move(matches), std::move(what)});
}

Result<void> OutputGuard::check(const NamedPath& out) const {
  if (out.path.empty() || out.path == "-") return ok();
  const Place p = place_of(out.path);
  auto refuse = [&](const std::string& why) {
    return fail(Errc::Usage, "refusing to write " + out.flag + " " + out.path + ": " + why +
                                 "; zonekiln never overwrites its input, a key or the key state "
                                 "(choose another path)");
  };
  for (const Protected& f : files_) {
    if (same_place(p, f.place)) return refuse("it is " + f.what + " " + f.path);
  }
  // An existing output is also judged where it really is (a symlink into the key directory).
  Place real = p;
  if (p.file.exists) {
    if (char* r = ::realpath(out.path.c_str(), nullptr)) {
      real = place_of(r);
      std::free(r);
    }
  }
  for (const Protected& d : dirs_) {
    if (same(p.dir, d.place.dir) || same(real.dir, d.place.dir)) {
      return refuse("it is in " + d.what + " " + d.path);
    }
  }
  for (const Names& n : names_) {
    if (n.matches(p.name)) return refuse("its name is that of " + n.what);
  }
  return ok();
}

Result<void> OutputGuard::check_all(const std::vector<NamedPath>& outputs) const {
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (auto r = check(outputs[i]); !r) return r;
    if (outputs[i].path.empty() || outputs[i].path == "-") continue;
    const Place p = place_of(outputs[i].path);
    for (size_t j = 0; j < i; ++j) {
      if (outputs[j].path.empty() || outputs[j].path == "-") continue;
      if (same_place(p, place_of(outputs[j].path))) {
        return fail(Errc::Usage, "refusing to write " + outputs[i].flag + " " + outputs[i].path +
                                     ": it is the file " + outputs[j].flag + " " + outputs[j].path +
                                     " also writes (choose another path)");
      }
    }
  }
  return ok();
}

}  // namespace zk
