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

namespace {

bool position_less(const Diagnostic& a, const Diagnostic& b) {
  const auto& pa = a.error.where;
  const auto& pb = b.error.where;
  if (pa.file != pb.file) return pa.file < pb.file;
  if (pa.line != pb.line) return pa.line < pb.line;
  return pa.column < pb.column;
}

}  // namespace

void Diagnostics::report(Severity s, Error e, std::string source_line) {
  std::lock_guard lk(mu_);
  if (s == Severity::Error) {
    if (errors_ >= max_errors_) return;
    ++errors_;
  } else {
    ++warnings_;
    ++kept_warnings_;
  }
  items_.push_back(Diagnostic{s, std::move(e), std::move(source_line)});
  // Pruned in batches so that a flood costs O(n log max) and the kept set is the first
  // max_warnings_ by position, whatever order parallel parsers reported in.
  if (kept_warnings_ >= 2 * max_warnings_ + 64) prune_warnings();
}

void Diagnostics::prune_warnings() {
  std::vector<Diagnostic> warnings;
  std::vector<Diagnostic> rest;
  for (auto& d : items_)
    (d.severity == Severity::Warning ? warnings : rest).push_back(std::move(d));
  std::stable_sort(warnings.begin(), warnings.end(), position_less);
  if (warnings.size() > max_warnings_) warnings.resize(max_warnings_);
  kept_warnings_ = warnings.size();
  items_ = std::move(rest);
  for (auto& w : warnings) items_.push_back(std::move(w));
}

size_t Diagnostics::error_count() const {
  std::lock_guard lk(mu_);
  return errors_;
}
size_t Diagnostics::warning_count() const {
  std::lock_guard lk(mu_);
  return warnings_;
}
size_t Diagnostics::warnings_not_listed() const {
  std::lock_guard lk(mu_);
  return warnings_ - std::min(kept_warnings_, max_warnings_);
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
  std::stable_sort(v.begin(), v.end(), position_less);
  if (kept_warnings_ <= max_warnings_) return v;
  // Between prunes more than max_warnings_ may be kept: list the first of them only.
  std::vector<Diagnostic> out;
  out.reserve(v.size());
  size_t warnings = 0;
  for (auto& d : v) {
    if (d.severity == Severity::Warning && ++warnings > max_warnings_) continue;
    out.push_back(std::move(d));
  }
  return out;
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
