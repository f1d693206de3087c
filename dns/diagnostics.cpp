#include "dns/diagnostics.hpp"

#include <algorithm>

namespace zk {

uint32_t Diagnostics::add_file(std::string path) {
  std::lock_guard lk(mu_);
  files_.push_back(std::move(path));
  return static_cast<uint32_t>(files_.size() - 1);
}

const std::string& Diagnostics::file_name(uint32_t index) const {
  static const std::string kUnknown = "<input>";
  std::lock_guard lk(mu_);
  return index < files_.size() ? files_[index] : kUnknown;
}

uint32_t Diagnostics::file_count() const {
  std::lock_guard lk(mu_);
  return static_cast<uint32_t>(files_.size());
}

void Diagnostics::report(Severity s, Error e, std::string source_line) {
  std::lock_guard lk(mu_);
  if (s == Severity::Error) {
    if (errors_ >= max_errors_) return;
    ++errors_;
  } else {
    ++warnings_;
  }
  items_.push_back(Diagnostic{s, std::move(e), std::move(source_line)});
}

size_t Diagnostics::error_count() const {
  std::lock_guard lk(mu_);
  return errors_;
}
size_t Diagnostics::warning_count() const {
  std::lock_guard lk(mu_);
  return warnings_;
}
bool Diagnostics::full() const {
  std::lock_guard lk(mu_);
  return errors_ >= max_errors_;
}
bool Diagnostics::has_errors() const {
  std::lock_guard lk(mu_);
  return errors_ > 0 || (strict_ && warnings_ > 0);
}

std::vector<Diagnostic> Diagnostics::sorted() const {
  std::lock_guard lk(mu_);
  std::vector<Diagnostic> v = items_;
  std::stable_sort(v.begin(), v.end(), [](const Diagnostic& a, const Diagnostic& b) {
    const auto& pa = a.error.where;
    const auto& pb = b.error.where;
    if (pa.file != pb.file) return pa.file < pb.file;
    if (pa.line != pb.line) return pa.line < pb.line;
    return pa.column < pb.column;
  });
  return v;
}

std::string Diagnostics::format(const Diagnostic& d) const {
  std::string s;
  const auto& w = d.error.where;
  if (w.line != 0) {
    s += file_name(w.file);
    s += ':' + std::to_string(w.line);
    if (w.column != 0) s += ':' + std::to_string(w.column);
    s += ": ";
  }
  s += d.severity == Severity::Error ? "error: " : "warning: ";
  s += d.error.detail;
  if (!d.source_line.empty()) {
    s += "\n  ";
    s += d.source_line;
    if (w.column != 0) {
      s += "\n  ";
      s.append(w.column - 1, ' ');
      s += '^';
    }
  }
  return s;
}

}  // namespace zk
