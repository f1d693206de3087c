// Spilling: unnamed files, sorted runs and their k-way merge (pipeline/detail/spill.hpp).
#include "pipeline/detail/spill.hpp"

#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "dns/atomic_file.hpp"
#include "dns/fault.hpp"
#include "pipeline/pipeline.hpp"

namespace zk::pipeline::detail {

namespace {

constexpr size_t kWriteBuffer = size_t{1} << 20;

Unexpected write_error(const std::string& dir, int e) {
  return fail(Errc::WriteFailed, "cannot write a spill file in " + dir + ": " + errno_message(e));
}

size_t owner_bytes(const Owner* o) noexcept { return sizeof(Owner) + o->wire_len + o->key_len; }

}  // namespace

SpillFile::~SpillFile() {
  if (fd_ >= 0) ::close(fd_);
}

SpillFile::SpillFile(SpillFile&& o) noexcept
    : dir_(std::move(o.dir_)),
      buf_(std::move(o.buf_)),
      size_(o.size_),
      flushed_(o.flushed_),
      fd_(o.fd_) {
  o.fd_ = -1;
}

SpillFile& SpillFile::operator=(SpillFile&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    dir_ = std::move(o.dir_);
    buf_ = std::move(o.buf_);
    size_ = o.size_;
    flushed_ = o.flushed_;
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

Result<SpillFile> SpillFile::create(const std::string& dir) {
  SpillFile f;
  f.dir_ = dir;
  if (int e = injected_errno("create", dir + "/spill")) return write_error(dir, e);
  f.fd_ = open_unnamed_file(dir, ".zonekiln-spill." + std::to_string(::getpid()) + ".");
  if (f.fd_ < 0) return write_error(dir, errno);
  f.buf_.reserve(kWriteBuffer);
  return f;
}

Result<void> SpillFile::append(const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  if (buf_.size() + n > kWriteBuffer) {
    if (auto r = flush(); !r) return r;
  }
  if (n > kWriteBuffer) {
    buf_.assign(p, p + n);
    size_ += n;
    return flush();
  }
  buf_.insert(buf_.end(), p, p + n);
  size_ += n;
  return ok();
}

Result<void> SpillFile::flush() {
  if (int e = injected_errno("write", dir_ + "/spill")) return write_error(dir_, e);
  const uint8_t* p = buf_.data();
  size_t left = buf_.size();
  while (left > 0) {
    const ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(flushed_));
    if (n < 0) {
      if (errno == EINTR) continue;
      return write_error(dir_, errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
    flushed_ += static_cast<uint64_t>(n);
  }
  buf_.clear();
  return ok();
}

Result<size_t> SpillFile::read_at(uint64_t offset, void* into, size_t n) const {
  size_t got = 0;
  while (got < n) {
    const ssize_t r =
        ::pread(fd_, static_cast<uint8_t*>(into) + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return fail(Errc::Io, "cannot read a spill file in " + dir_ + ": " + errno_message(errno));
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

// --- runs ----------------------------------------------------------------------------------

namespace {

bool same_owner(const Owner* prev, const Owner* owner) noexcept {
  return prev != nullptr && (prev == owner || owner_compare(prev, owner) == 0);
}

// The bytes of one record in a run (the format in spill.hpp); prev: the run's record before it.
size_t encoded_size(const Owner* prev, const Owner* owner, size_t rdlen) noexcept {
  return 1 + (same_owner(prev, owner) ? 0 : owner_bytes(owner)) + 8 + rdlen;
}

uint8_t* encode(uint8_t* p, const Owner* prev, const Owner* owner, uint16_t type, uint32_t ttl,
                std::span<const uint8_t> rdata) noexcept {
  const bool same = same_owner(prev, owner);
  *p++ = same ? 0 : 1;
  if (!same) {
    std::memcpy(p, owner, owner_bytes(owner));
    p += owner_bytes(owner);
  }
  const auto rdlen = static_cast<uint16_t>(rdata.size());
  std::memcpy(p, &type, 2);
  std::memcpy(p + 2, &ttl, 4);
  std::memcpy(p + 6, &rdlen, 2);
  p += 8;
  if (!rdata.empty()) std::memcpy(p, rdata.data(), rdata.size());
  return p + rdata.size();
}

}  // namespace

Result<void> RunWriter::add(const Owner* owner, uint16_t type, uint32_t ttl,
                            std::span<const uint8_t> rdata) {
  // Encoded on the stack when it fits, which is all but the longest RDATA.
  uint8_t small[1024];
  std::vector<uint8_t> large;
  const size_t n = encoded_size(last_, owner, rdata.size());
  uint8_t* buf = small;
  if (n > sizeof(small)) {
    large.resize(n);
    buf = large.data();
  }
  encode(buf, last_, owner, type, ttl, rdata);
  last_ = owner;
  ++records_;
  return file_.append(buf, n);
}

Result<RunRef> RunWriter::finish() {
  if (auto r = file_.flush(); !r) return fail(r.error());
  return RunRef{start_, file_.size() - start_, records_};
}

int spilled_compare(const SpilledRR& a, const SpilledRR& b) noexcept {
  if (int c = owner_compare(a.owner, b.owner)) return c;
  if (a.type != b.type) return a.type < b.type ? -1 : 1;
  return key_compare(a.rdata, a.rdlen, b.rdata, b.rdlen);
}

RunReader::RunReader(const SpillFile& file, const RunRef& run, size_t buffer_bytes)
    : file_(file), pos_(run.offset), end_(run.offset + run.bytes) {
  // A larger record grows the buffer (fill).
  buf_.resize(std::max<size_t>(buffer_bytes, 4096));
}

// Makes at least need bytes available at at_ (false: the run ends before that).
Result<bool> RunReader::fill(size_t need) {
  if (have_ - at_ >= need) return true;
  std::memmove(buf_.data(), buf_.data() + at_, have_ - at_);
  have_ -= at_;
  at_ = 0;
  if (buf_.size() < need) buf_.resize(need);
  const size_t want = static_cast<size_t>(std::min<uint64_t>(buf_.size() - have_, end_ - pos_));
  if (want > 0) {
    auto got = file_.read_at(pos_, buf_.data() + have_, want);
    if (!got) return fail(got.error());
    pos_ += *got;
    have_ += *got;
  }
  return have_ - at_ >= need;
}

Result<bool> RunReader::next() {
  auto more = fill(1);
  if (!more) return more;
  if (!*more) return false;
  auto corrupt = [] { return fail(Errc::Io, "a spill file does not read back as written"); };
  const uint8_t flag = buf_[at_++];
  if (flag == 1) {
    auto h = fill(sizeof(Owner));
    if (!h) return h;
    if (!*h) return corrupt();
    Owner head;
    std::memcpy(&head, buf_.data() + at_, sizeof(Owner));
    const size_t n = sizeof(Owner) + head.wire_len + head.key_len;
    if (head.wire_len > kMaxNameLen || head.key_len > kMaxCanonicalKeyLen) return corrupt();
    auto b = fill(n);
    if (!b) return b;
    if (!*b) return corrupt();
    std::memcpy(owner_, buf_.data() + at_, n);
    at_ += n;
    has_owner_ = true;
  } else if (flag != 0 || !has_owner_) {
    return corrupt();
  }
  auto h = fill(8);
  if (!h) return h;
  if (!*h) return corrupt();
  std::memcpy(&cur_.type, buf_.data() + at_, 2);
  std::memcpy(&cur_.ttl, buf_.data() + at_ + 2, 4);
  std::memcpy(&cur_.rdlen, buf_.data() + at_ + 6, 2);
  at_ += 8;
  auto r = fill(cur_.rdlen);
  if (!r) return r;
  if (!*r) return corrupt();
  cur_.rdata = buf_.data() + at_;
  at_ += cur_.rdlen;
  cur_.owner = reinterpret_cast<const Owner*>(owner_);
  return true;
}

RunMerger::RunMerger(const SpillFile& file, const std::vector<RunRef>& runs, size_t buffer_bytes) {
  readers_.reserve(runs.size());
  for (const RunRef& r : runs) {
    if (r.records > 0) readers_.push_back(std::make_unique<RunReader>(file, r, buffer_bytes));
  }
}

bool RunMerger::less(size_t a, size_t b) const noexcept {
  const int c = spilled_compare(readers_[a]->current(), readers_[b]->current());
  return c != 0 ? c < 0 : a < b;  // ties in run order: the same merge every time
}

void RunMerger::sift_down(size_t i) {
  const size_t n = heap_.size();
  for (;;) {
    size_t m = i;
    const size_t l = 2 * i + 1, r = l + 1;
    if (l < n && less(heap_[l], heap_[m])) m = l;
    if (r < n && less(heap_[r], heap_[m])) m = r;
    if (m == i) return;
    std::swap(heap_[i], heap_[m]);
    i = m;
  }
}

void RunMerger::pop_front() {
  heap_.front() = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(0);
}

Result<bool> RunMerger::next() {
  if (!started_) {
    started_ = true;
    for (size_t i = 0; i < readers_.size(); ++i) {
      auto r = readers_[i]->next();
      if (!r) return r;
      if (*r) heap_.push_back(i);
    }
    for (size_t i = heap_.size() / 2; i-- > 0;) sift_down(i);
    return !heap_.empty();
  }
  if (heap_.empty()) return false;
  auto r = readers_[heap_.front()]->next();
  if (!r) return r;
  if (*r) {
    sift_down(0);
  } else {
    pop_front();
  }
  return !heap_.empty();
}

// The sorted wave is encoded in blocks on every thread and the blocks are written in order
// (one serial writer of a 190 MB run was a third of a 20M-name compile's parse stage). A block
// encodes its first record against the record before it, so the run is byte for byte what
// RunWriter makes.
Result<void> RunSpiller::spill(ZoneStore& wave) {
  if (wave.rrs.empty()) return ok();
  duplicates_ += sort_zone(wave);
  const RRVector& rrs = wave.rrs;
  const size_t n = rrs.size();
  constexpr size_t kPerBlock = 8192;
  struct Block {
    size_t begin = 0, end = 0;
    std::vector<uint8_t> bytes;
  };
  const uint64_t start = file_.size();
  size_t next = 0;
  Result<void> written = ok();
  const size_t tokens = 2 * static_cast<size_t>(tbb::this_task_arena::max_concurrency());
  tbb::parallel_pipeline(
      tokens,
      tbb::make_filter<void, Block>(tbb::filter_mode::serial_in_order, [&](tbb::flow_control& fc) {
        Block b;
        if (next >= n || !written) {
          fc.stop();
          return b;
        }
        b.begin = next;
        b.end = std::min(n, next + kPerBlock);
        next = b.end;
        return b;
      }) & tbb::make_filter<Block, Block>(tbb::filter_mode::parallel, [&](Block b) {
        size_t bytes = 0;
        for (size_t i = b.begin; i < b.end; ++i) {
          bytes += encoded_size(i > 0 ? rrs[i - 1].owner : nullptr, rrs[i].owner, rrs[i].rdlen);
        }
        b.bytes.resize(bytes);
        uint8_t* p = b.bytes.data();
        for (size_t i = b.begin; i < b.end; ++i) {
          const RR& rr = rrs[i];
          p = encode(p, i > 0 ? rrs[i - 1].owner : nullptr, rr.owner, rr.type, rr.ttl,
                     rr.rdata_span());
        }
        return b;
      }) & tbb::make_filter<Block, void>(tbb::filter_mode::serial_in_order, [&](Block b) {
        if (written) written = file_.append(b.bytes.data(), b.bytes.size());
      }));
  if (!written) return written;
  if (auto f = file_.flush(); !f) return f;
  records_ += n;
  runs_.push_back(RunRef{start, file_.size() - start, n});
  return ok();
}

const Owner* copy_owner(Arena& arena, const Owner* owner) {
  const size_t n = owner_bytes(owner);
  uint8_t* p = arena.alloc_aligned(n, alignof(Owner));
  std::memcpy(p, owner, n);
  return reinterpret_cast<const Owner*>(p);
}

}  // namespace zk::pipeline::detail
