// Internal: the previous signed output read forward as a stream, for incremental re-signing
// without holding the previous zone in memory.
//
// zonekiln writes a signed zone in two sections: the names in canonical order (RFC 4034 s6.1;
// the apex first, its SOA first), every owner's lines together, then the NSEC3 records and their
// RRSIGs in hash order. Because the new zone is signed in the same order, the previous output can
// be merge-joined with it: the reader hands out the text of whole owners up to a given owner, and
// the caller parses each piece (PreviousZone::from_text) and looks RRsets up in it.
//
// The file may have been edited. Lines are checked as they are read: one record per line
// ("owner<TAB>ttl<TAB>class<TAB>type<TAB>rdata", no directives, no continuation lines), owners
// strictly increasing from one owner to the next within a section, only NSEC3 and RRSIG records
// after the first NSEC3 record. A file that breaks this makes the reader bad(): since an RRset
// read before the break may have lost records to a later line, nothing read from it may be
// reused, and the caller signs everything anew.
#pragma once

#if !defined(ZK_INSIDE_PIPELINE) && !defined(ZK_WHITE_BOX)
#error "pipeline/detail/ is private to pipeline/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "dns/name.hpp"
#include "dns/result.hpp"

namespace zk::pipeline::detail {

/// Reads one section of a previous output forward, whole owners at a time. Not thread-safe
/// (the sign pass calls it from its serial input step).
class PreviousReader {
 public:
  enum class Section { Names, Nsec3 };
  ~PreviousReader();
  PreviousReader(const PreviousReader&) = delete;
  PreviousReader& operator=(const PreviousReader&) = delete;

  /// Opens path for section (Nsec3: skips the names first). nullptr when there is no file.
  static std::unique_ptr<PreviousReader> open(const std::string& path, NameView origin,
                                              Section section);

  /// Appends to text the lines of whole owners of the section, in file order, while the owner
  /// sorts at or before last (no limit when last is empty) and text holds fewer than max_bytes
  /// bytes. False when the file is not in zonekiln's order (why() says where); what was
  /// appended must then be ignored.
  bool read(NameView last, size_t max_bytes, std::string& text);
  /// The section has been read to its end.
  bool done() const noexcept { return done_; }
  bool bad() const noexcept { return !why_.empty(); }
  const std::string& why() const noexcept { return why_; }

 private:
  PreviousReader() = default;
  // The next line of the section, not consumed; false at the end of the file (or of the names
  // section) or when the file is bad.
  bool peek(std::string_view& line);
  bool fill();
  bool set_bad(const std::string& what);

  std::string path_;
  Name origin_;
  Section section_ = Section::Names;
  int fd_ = -1;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  bool in_nsec3_ = false;  // the NSEC3 records have begun
  bool done_ = false;
  uint64_t line_no_ = 0;    // of the next line
  std::string owner_text_;  // of the owner being read
  Name owner_;              // the same, in wire form
  bool have_owner_ = false;
  std::string why_;
};

/// The previous output as the sign pass reads it: the names and the NSEC3 records, each section
/// forward with its own reader (opened when first asked). Not thread-safe.
class PreviousStream {
 public:
  PreviousStream(std::string path, NameView origin) : path_(std::move(path)), origin_(origin) {}

  /// Appends the lines of whole owners of the section up to last (inclusive; the rest of the
  /// section when last is empty). False when the file is not in zonekiln's order: nothing read
  /// from it may be reused (why()).
  bool names(NameView last, std::string& text) { return read(Section::Names, last, text); }
  bool nsec3(NameView last, std::string& text) { return read(Section::Nsec3, last, text); }
  bool bad() const noexcept { return !why_.empty(); }
  const std::string& why() const noexcept { return why_; }
  const std::string& path() const noexcept { return path_; }
  NameView origin() const noexcept { return origin_.view(); }

 private:
  using Section = PreviousReader::Section;
  bool read(Section section, NameView last, std::string& text);

  std::string path_;
  Name origin_;
  std::unique_ptr<PreviousReader> readers_[2];
  bool opened_[2] = {false, false};
  std::string why_;
};

/// Reads the whole previous output at path through both readers, keeping nothing: false (and
/// where, in why) when it is not in zonekiln's order. A missing file is in order.
bool previous_in_order(const std::string& path, NameView origin, std::string* why);

}  // namespace zk::pipeline::detail
