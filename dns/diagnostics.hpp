// Diagnostics: the sink that parser and pipeline report errors and warnings to.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "dns/result.hpp"

namespace zk {

enum class Severity : uint8_t { Warning, Error };

struct Diagnostic {
  Severity severity;
  Error error;
  std::string source_line;  // the offending input line, when known (shown under the message)
};

/// Collects diagnostics. Thread-safe (parallel parse chunks report into one sink); reporting is
/// the failure path, so a mutex is fine here. Files are registered once and referred to by
/// SourcePos::file. After max_errors errors, full() turns true and parsers stop. Warnings are
/// all counted but only the first max_warnings in (file, line, column) order are kept: a zone
/// of a million out-of-zone records must not cost a million messages.
class Diagnostics {
 public:
  explicit Diagnostics(size_t max_errors = 100, size_t max_warnings = 1000)
      : max_errors_(max_errors), max_warnings_(max_warnings) {}

  /// Registers a file name; returns its index for SourcePos::file.
  uint32_t add_file(std::string path);
  const std::string& file_name(uint32_t index) const;
  /// How many files were registered (the zone file and each file it $INCLUDEs).
  uint32_t file_count() const;

  void report(Severity s, Error e, std::string source_line = {});
  void error(Error e, std::string source_line = {}) {
    report(Severity::Error, std::move(e), std::move(source_line));
  }
  void warning(Error e, std::string source_line = {}) {
    report(Severity::Warning, std::move(e), std::move(source_line));
  }

  size_t error_count() const;
  size_t warning_count() const;
  /// Warnings counted but not kept (beyond max_warnings); sorted() leaves them out.
  size_t warnings_not_listed() const;
  bool full() const;
  /// All diagnostics, sorted by (file, offset) so output does not depend on thread scheduling.
  std::vector<Diagnostic> sorted() const;
  /// "file:line:col: error: detail" (+ the line and a caret when known), one per diagnostic.
  std::string format(const Diagnostic& d) const;
  /// With strict, warnings count as errors (has_errors()).
  void set_strict(bool strict) { strict_ = strict; }
  bool has_errors() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> files_;
  std::vector<Diagnostic> items_;
  void prune_warnings();  // keeps the first max_warnings_ in position order; mu_ held
  size_t errors_ = 0, warnings_ = 0, kept_warnings_ = 0;
  size_t max_errors_, max_warnings_;
  bool strict_ = false;
};

}  // namespace zk
