// The previous signed output read forward (see pipeline/detail/previous_stream.hpp).
#include "pipeline/detail/previous_stream.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace zk::pipeline::detail {

namespace {

constexpr size_t kBlock = 1 << 20;

// "owner<TAB>ttl<TAB>class<TAB>type<TAB>rdata": the owner and the type fields. False when the
// line does not have that form.
bool split_fields(std::string_view line, std::string_view& owner, std::string_view& type) {
  if (line.empty() || line[0] == ' ' || line[0] == '\t' || line[0] == '$') return false;
  const size_t t1 = line.find('\t');
  if (t1 == std::string_view::npos || t1 == 0) return false;
  const size_t t2 = line.find('\t', t1 + 1);
  if (t2 == std::string_view::npos) return false;
  const size_t t3 = line.find('\t', t2 + 1);
  if (t3 == std::string_view::npos) return false;
  size_t t4 = line.find('\t', t3 + 1);
  if (t4 == std::string_view::npos) t4 = line.size() - 1;  // no RDATA: up to the newline
  owner = line.substr(0, t1);
  type = line.substr(t3 + 1, t4 - t3 - 1);
  return true;
}

bool nsec3_section_type(std::string_view type) { return type == "NSEC3" || type == "RRSIG"; }

}  // namespace

PreviousReader::~PreviousReader() {
  if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<PreviousReader> PreviousReader::open(const std::string& path, NameView origin,
                                                     Section section) {
  if (path.empty() || path == "-") return nullptr;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  std::unique_ptr<PreviousReader> r(new PreviousReader());
  r->fd_ = fd;
  r->path_ = path;
  r->origin_.assign(origin);
  r->section_ = section;
  if (section == Section::Nsec3) {
    // Skip the names: the names reader checks them.
    for (;;) {
      const size_t nl = r->buf_.find('\n', r->pos_);
      if (nl == std::string::npos) {
        if (r->eof_) break;
        if (!r->fill()) return r;
        continue;
      }
      const std::string_view line(r->buf_.data() + r->pos_, nl + 1 - r->pos_);
      std::string_view owner, type;
      if (split_fields(line, owner, type) && type == "NSEC3") break;
      r->pos_ = nl + 1;
      ++r->line_no_;
    }
    r->in_nsec3_ = true;
  }
  return r;
}

bool PreviousReader::set_bad(const std::string& what) {
  if (why_.empty()) why_ = path_ + ":" + std::to_string(line_no_ + 1) + ": " + what;
  return false;
}

bool PreviousReader::fill() {
  buf_.erase(0, pos_);
  pos_ = 0;
  const size_t have = buf_.size();
  buf_.resize(have + kBlock);
  ssize_t n;
  do {
    n = ::read(fd_, buf_.data() + have, kBlock);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    buf_.resize(have);
    return set_bad("cannot read the previous output");
  }
  buf_.resize(have + static_cast<size_t>(n));
  if (n == 0) {
    eof_ = true;
    if (have > 0 && buf_.back() != '\n') buf_.push_back('\n');  // a last line without newline
  }
  return true;
}

bool PreviousReader::peek(std::string_view& line) {
  for (;;) {
    if (bad()) return false;
    const size_t nl = buf_.find('\n', pos_);
    if (nl == std::string::npos) {
      if (eof_) return false;
      if (!fill()) return false;
      continue;
    }
    line = std::string_view(buf_.data() + pos_, nl + 1 - pos_);
    if (line == "\n" || line[0] == ';') {  // blank lines and comments hold no records
      pos_ = nl + 1;
      ++line_no_;
      continue;
    }
    std::string_view owner, type;
    if (!split_fields(line, owner, type)) {
      return set_bad("not a record on one line as zonekiln writes it");
    }
    if (section_ == Section::Names && type == "NSEC3") {
      // The names end here; everything after must be NSEC3 records and RRSIGs, or a name's
      // records read before might be incomplete.
      for (;;) {
        const size_t e = buf_.find('\n', pos_);
        if (e == std::string::npos) {
          if (eof_) return false;
          if (!fill()) return false;
          continue;
        }
        const std::string_view l(buf_.data() + pos_, e + 1 - pos_);
        if (l != "\n" && l[0] != ';' &&
            (!split_fields(l, owner, type) || !nsec3_section_type(type))) {
          return set_bad("a record that is neither NSEC3 nor RRSIG after the NSEC3 records");
        }
        pos_ = e + 1;
        ++line_no_;
      }
    }
    return true;
  }
}

bool PreviousReader::read(NameView last, size_t max_bytes, std::string& text) {
  std::string_view line;
  while (peek(line)) {
    std::string_view owner, type;
    split_fields(line, owner, type);
    if (in_nsec3_ && !nsec3_section_type(type)) {
      return set_bad("a record that is neither NSEC3 nor RRSIG after the NSEC3 records");
    }
    if (!have_owner_ || owner != owner_text_) {
      if (text.size() >= max_bytes) return true;  // stop between owners
      Name name;
      if (!name_from_text(owner, origin_.view(), name)) {
        return set_bad("owner " + std::string(owner) + " is not a domain name");
      }
      if (have_owner_ && canonical_compare(name.view(), owner_.view()) <= 0) {
        return set_bad("owner " + std::string(owner) + " is out of canonical order (after " +
                       owner_text_ + ")");
      }
      if (last.len != 0 && canonical_compare(name.view(), last) > 0) return true;
      owner_ = std::move(name);
      owner_text_.assign(owner);
      have_owner_ = true;
    }
    text.append(line);
    pos_ += line.size();
    ++line_no_;
  }
  if (bad()) return false;
  done_ = true;
  return true;
}

bool PreviousStream::read(Section section, NameView last, std::string& text) {
  if (bad()) return false;
  const size_t k = section == Section::Names ? 0 : 1;
  if (!opened_[k]) {
    readers_[k] = PreviousReader::open(path_, origin_.view(), section);
    opened_[k] = true;
  }
  PreviousReader* r = readers_[k].get();
  if (r == nullptr || r->done()) return true;  // no previous output (any more): nothing to reuse
  if (r->read(last, SIZE_MAX, text)) return true;
  why_ = r->why();
  return false;
}

bool previous_in_order(const std::string& path, NameView origin, std::string* why) {
  std::string text;
  for (const auto section : {PreviousReader::Section::Names, PreviousReader::Section::Nsec3}) {
    auto r = PreviousReader::open(path, origin, section);
    while (r && !r->done()) {
      text.clear();
      if (!r->read(NameView{}, kBlock, text)) {
        if (why) *why = r->why();
        return false;
      }
    }
  }
  return true;
}

}  // namespace zk::pipeline::detail
