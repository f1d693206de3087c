#include "parser/parser.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "dns/atomic_file.hpp"
#include "dns/big_alloc.hpp"
#include "dns/fault.hpp"
#include "dns/rrtype.hpp"
#include "parser/detail/chunking.hpp"
#include "parser/detail/context.hpp"
#include "parser/detail/generate.hpp"
#include "parser/detail/records.hpp"
#include "parser/detail/scanner.hpp"
#include "parser/detail/tree.hpp"
#include "parser/detail/ttl.hpp"
#include "parser/grammar/record.hpp"

namespace zk::parser {
namespace {

namespace fs = std::filesystem;
using detail::IncludeSpan;
using detail::ParseCtx;
using detail::SegKind;
using detail::Segment;
using detail::SegmentOut;
using detail::SegmentState;
using detail::SourceFile;

uint32_t soa_minimum(const RR& rr) noexcept {
  if (rr.rdlen < 4) return 0;
  const uint8_t* p = rr.rdata + rr.rdlen - 4;
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

Result<void> load_file(const std::string& path, SourceFile& out) {
  // Directories, FIFOs and devices report no usable size (or an endless one).
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return fail(Errc::Io, "not a regular file: " + path);
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return fail(Errc::Io, "cannot open " + path);
  long size = -1;
  if (std::fseek(f, 0, SEEK_END) == 0) size = std::ftell(f);
  if (size < 0 || std::fseek(f, 0, SEEK_SET) != 0) {
    std::fclose(f);
    return fail(Errc::Io, "cannot read " + path);
  }
  // Read, not mapped: a mapped zone file that is truncated while we parse it (an editor or a
  // deploy rewriting it in place) would kill the process with SIGBUS instead of an error.
  // Only the padding needs zeroing; zero-filling the whole buffer costs a pass over it.
  const size_t cap = static_cast<size_t>(size) + detail::kPadding;
  out.buffer = std::shared_ptr<char[]>(static_cast<char*>(big_alloc(cap)),
                                       [cap](char* p) { big_free(p, cap); });
  std::memset(out.buffer.get() + size, 0, detail::kPadding);
  const size_t got = std::fread(out.buffer.get(), 1, static_cast<size_t>(size), f);
  std::fclose(f);
  if (got != static_cast<size_t>(size)) return fail(Errc::Io, "cannot read " + path);
  out.text = std::string_view(out.buffer.get(), got);
  out.dir = fs::path(path).parent_path().string();
  if (out.dir.empty()) out.dir = ".";
  return ok();
}

// parse_file_waves' input: the zone file copied into an unnamed file in copy_dir (O_TMPFILE, or
// a name unlinked at once), padded with kPadding zero bytes and mapped read-only. Mapping the
// file itself would let a zone file truncated under the parse (an editor or a deploy rewriting
// it) kill the process with SIGBUS; nothing else can reach an unnamed copy. The mapping is
// file-backed, so the planner and the parser give back the pages they have passed
// (SourceFile::refaultable) and what stays resident is the text being worked on, whatever the
// file's size; the copy has no name, so it is gone however the process ends.
Result<void> map_private_copy(const std::string& path, const std::string& copy_dir,
                              SourceFile& out) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return fail(Errc::Io, "not a regular file: " + path);
  const int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return fail(Errc::Io, "cannot open " + path + ": " + errno_message(errno));
  const int fd = open_unnamed_file(copy_dir, ".zonekiln-text." + std::to_string(::getpid()) + ".");
  if (fd < 0) {
    const int e = errno;
    ::close(in);
    return fail(Errc::WriteFailed,
                "cannot create a spill file in " + copy_dir + ": " + errno_message(e));
  }
  // Copied by the kernel (copy_file_range), or read and written where it cannot.
  uint64_t size = 0;
  int err = 0;
  std::vector<char> buf;
  for (;;) {
    ssize_t n = ::copy_file_range(in, nullptr, fd, nullptr, size_t{1} << 30, 0);
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
      buf.resize(size_t{1} << 20);
      n = ::read(in, buf.data(), buf.size());
      for (ssize_t off = 0; n > 0 && off < n;) {
        const ssize_t w = ::write(fd, buf.data() + off, static_cast<size_t>(n - off));
        if (w < 0 && errno != EINTR) n = -1;
        if (w > 0) off += w;
      }
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = errno != 0 ? errno : EIO;
      break;
    }
    if (n == 0) break;
    size += static_cast<uint64_t>(n);
  }
  ::close(in);
  const size_t mapped = static_cast<size_t>(size) + detail::kPadding;
  if (err == 0 && ::ftruncate(fd, static_cast<off_t>(mapped)) != 0) err = errno;  // zero padding
  void* p = MAP_FAILED;
  if (err == 0) {
    p = ::mmap(nullptr, mapped, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) err = errno;
  }
  ::close(fd);
  if (err != 0) {
    return fail(err == ENOSPC || err == EDQUOT ? Errc::WriteFailed : Errc::Io,
                "cannot copy " + path + " into " + copy_dir + ": " + errno_message(err));
  }
  out.buffer =
      std::shared_ptr<char[]>(static_cast<char*>(p), [mapped](char* q) { ::munmap(q, mapped); });
  out.text = std::string_view(out.buffer.get(), static_cast<size_t>(size));
  out.dir = fs::path(path).parent_path().string();
  if (out.dir.empty()) out.dir = ".";
  out.refaultable = true;
  return ok();
}

std::string dir_key(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p, ec), ec);
  std::string s = c.string();
  if (s.empty() || s.back() != '/') s.push_back('/');
  return s;
}

// Consecutive segments that one task parses into one output: a file with a directive every
// other line, or a tree of many small $INCLUDEs, then costs a store per chunk_bytes of input
// rather than one per segment.
struct Batch {
  size_t first, end;
};

std::vector<Batch> make_batches(std::span<const Segment> segs, size_t target) {
  std::vector<Batch> out;
  size_t first = 0;
  uint64_t weight = 0;
  for (size_t i = 0; i < segs.size(); ++i) {
    weight += std::max<uint64_t>(segs[i].bytes, 1);
    if (weight < target) continue;
    out.push_back({first, i + 1});
    first = i + 1;
    weight = 0;
  }
  if (first < segs.size()) out.push_back({first, segs.size()});
  return out;
}

// Gives back the pages of a parsed chunk's text: nothing reads them again (diagnostics take their
// line when they are made), and the zone text is the largest buffer of a parse (670 MB for a
// signed 1M-name zone, beside what the records built from it take). One byte is kept at each
// end so that position_of, which looks one byte before a record for its line start, never reads
// a released page. Only for a buffer no other segment shares (SourceFile::release_parsed), and
// only for a large file: a small one is not worth the system calls, and its buffer, kept for
// the next zone of a many-zone run, would have to be faulted in again.
constexpr size_t kReleaseTextFrom = size_t{16} << 20;
void release_parsed_text(const Segment& s) noexcept {
  if (s.kind != SegKind::Chunk || s.end - s.begin <= 2) return;
  // A mapped private copy (parse_file_waves) reads released pages back from its file, so any
  // chunk of it is given back; a read buffer only when it is large and this parse's alone.
  if (!s.file->refaultable && (!s.file->release_parsed || s.file->text.size() < kReleaseTextFrom)) {
    return;
  }
  release_pages(const_cast<char*>(s.begin) + 1, static_cast<size_t>(s.end - s.begin) - 2);
}

// Parses segments [first, end) of the tree (in parallel, by batches) and joins them in
// document order after what out holds. seg_errors[i]: the errors segment i reported (sized by
// the caller to all segments).
void parse_segments(const ParseCtx& ctx, std::span<const Segment> all, size_t first, size_t end,
                    std::vector<uint32_t>& seg_errors, SegmentOut& out) {
  const std::span<const Segment> segs = all.subspan(first, end - first);
  const std::vector<Batch> batches = make_batches(segs, std::max<size_t>(ctx.opt.chunk_bytes, 1));
  std::vector<SegmentOut> outs(batches.size());
  auto run = [&](size_t b) {
    SegmentOut& o = outs[b];
    // The planner's record counts bound what the batch can hold: one allocation for its
    // records instead of a doubling series (each new page costs a fault, and a fault is dear).
    uint64_t bound = 0;
    for (size_t i = batches[b].first; i < batches[b].end; ++i) bound += segs[i].records;
    o.store.rrs.reserve(static_cast<size_t>(std::min<uint64_t>(bound, uint64_t{1} << 24)));
    for (size_t i = batches[b].first; i < batches[b].end; ++i) {
      if (ctx.diag.full()) return;
      const Segment& s = segs[i];
      const uint32_t errors_before = o.errors;
      const size_t rrs_before = o.store.rrs.size();
      if (s.kind == SegKind::Generate) {
        detail::run_generate(ctx, *s.file, s, o);
      } else {
        detail::parse_chunk(ctx.opt, ctx.diag, *s.file, s.begin, s.end, s.line, s.state, o);
      }
      detail::share_owner(o.store, rrs_before);
      seg_errors[first + i] = o.errors - errors_before;
      release_parsed_text(s);
    }
    for (Arena& a : o.store.arenas) a.release_tail();
  };
  if (batches.empty()) {
    return;
  } else if (batches.size() == 1) {
    run(0);
  } else {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, batches.size(), 1),
                      [&](const tbb::blocked_range<size_t>& r) {
                        for (size_t i = r.begin(); i != r.end(); ++i) run(i);
                      });
  }
  detail::join_segments(out, outs);
}

// "$INCLUDE file has N error(s)" at every directive whose file, or a file it includes, had
// errors (BIND fails the directive). A nested directive's report counts as one more error of
// the file around it. Spans are in pre-order, so walking them backwards sees children first.
void report_includes(const ParseCtx& ctx, const std::vector<IncludeSpan>& spans,
                     const std::vector<uint32_t>& seg_errors) {
  if (spans.empty()) return;
  std::vector<uint64_t> before(seg_errors.size() + 1, 0);  // errors of segments [0, i)
  for (size_t i = 0; i < seg_errors.size(); ++i) before[i + 1] = before[i] + seg_errors[i];
  std::vector<uint64_t> nested(spans.size(), 0);
  for (size_t k = spans.size(); k-- > 0;) {
    const IncludeSpan& s = spans[k];
    const uint64_t total = before[s.end_seg] - before[s.first_seg] + s.own_errors + nested[k];
    if (total > 0) {
      detail::report(ctx.diag, Severity::Error, Errc::IncludeError,
                     "$INCLUDE file has " + std::to_string(total) + " error(s)", *s.file, s.begin,
                     s.line, s.begin);
    }
    if (s.parent >= 0) {
      nested[static_cast<size_t>(s.parent)] += s.own_errors + nested[k] + (total > 0 ? 1 : 0);
    }
  }
}

// Records whose TTL nothing in the file determined: the default TTL if the caller set one,
// else the SOA MINIMUM (BIND's rule, with a warning), else an error.
// fallback carries the SOA minimum found from one call to the next (parse_file_waves resolves
// each wave's records in document order).
struct TtlFallback {
  bool have = false;
  uint32_t value = 0;
};
void resolve_pending(const ParseOptions& opt, Diagnostics& diag, SegmentOut& out, TtlFallback& fb) {
  if (out.pending.empty()) return;
  bool& have_fallback = fb.have;
  uint32_t& fallback = fb.value;
  // The records to drop, marked here: any type is a record's own (TYPE0 included), so none can
  // serve as the mark.
  std::vector<uint8_t> drop;
  bool removed = false;
  for (auto& p : out.pending) {
    uint32_t failed = 0;
    for (uint32_t i = p.first; i < p.first + p.count; ++i) {
      RR& rr = out.store.rrs[i];
      if (opt.default_ttl_set) {
        rr.ttl = opt.default_ttl;
      } else if (have_fallback) {
        rr.ttl = fallback;
      } else if (rr.type == rrtype::SOA) {
        fallback = std::min(soa_minimum(rr), detail::kMaxTtl);
        have_fallback = true;
        rr.ttl = fallback;
        diag.warning(Error{Errc::BadTtl, p.pos, "no ttl specified; using the soa minimum"}, p.line);
      } else {
        if (drop.empty()) drop.assign(out.store.rrs.size(), 0);
        drop[i] = 1;
        ++failed;
      }
    }
    if (failed > 0) {
      // One report per run (at its first record) rather than one per record.
      diag.error(Error{Errc::BadTtl, p.pos,
                       "no ttl specified and no $TTL, earlier ttl or soa (" +
                           std::to_string(failed) + " record(s))"},
                 p.line);
      removed = true;
    }
  }
  out.pending.clear();
  if (removed) {
    RRVector& rrs = out.store.rrs;
    size_t kept = 0;
    for (size_t i = 0; i < rrs.size(); ++i) {
      if (!drop[i]) rrs[kept++] = rrs[i];
    }
    rrs.resize(kept);
  }
}

// How parse_top hands the records over: all at once into its store, or (sink set) a wave of
// about wave_bytes of input at a time.
struct Waves {
  size_t wave_bytes = 0;
  const WaveSink* sink = nullptr;
};

Result<void> parse_top(SourceFile& file, const std::string& allowed_root,
                       const std::string& self_path, const ParseOptions& given, ZoneStore& store,
                       Diagnostics& diag, const Waves& waves = {}) {
  // The zone's class is known before the parallel pass: class-specific RDATA (A, SRV, ...) is
  // read by it.
  ParseOptions options = given;
  if (!given.class_set) {
    const auto c = detail::first_record_class(file.text);
    if (c && class_is_data(*c)) options.default_class = *c;
  }
  ParseCtx ctx{options, diag, {}};
  if (!allowed_root.empty()) ctx.allowed_dirs.push_back(dir_key(allowed_root));
  for (const auto& d : options.include_dirs) ctx.allowed_dirs.push_back(dir_key(d));
  SegmentState init;
  if (options.origin_set) {
    init.origin = options.origin;
    init.has_origin = true;
  }
  std::vector<std::string> stack;
  if (!self_path.empty()) stack.push_back(self_path);
  store.origin = options.origin;
  store.rclass = options.default_class;
  // First the whole tree, serially and within the budget; nothing is parsed when it is over.
  detail::InputTree tree(ctx, &load_file);
  if (!tree.walk(file, std::move(init), std::move(stack))) return ok();
  const std::vector<Segment>& segs = tree.segments();
  std::vector<uint32_t> seg_errors(segs.size(), 0);
  TtlFallback fallback;
  Result<void> handed = ok();
  auto all_at_once = [&] {
    SegmentOut out;
    parse_segments(ctx, segs, 0, segs.size(), seg_errors, out);
    report_includes(ctx, tree.includes(), seg_errors);
    resolve_pending(options, diag, out, fallback);
    assert(out.store.rrs.size() <= records_limit(options.budget, tree.input_bytes()) &&
           "segment record counts are upper bounds");
    store.absorb(std::move(out.store));
  };
  // Each wave starts with the TTL state the waves before it left, and its records are settled
  // (pending TTLs resolved) before they are handed over, so the records are those of one pass.
  auto in_waves = [&] {
    bool has_last_ttl = false;
    uint32_t last_ttl = 0;
    for (size_t first = 0; first < segs.size() && !diag.full();) {
      size_t end = first;
      uint64_t bytes = 0;
      while (end < segs.size() && (end == first || bytes < waves.wave_bytes)) {
        bytes += std::max<uint64_t>(segs[end].bytes, 1);
        ++end;
      }
      SegmentOut out;
      out.has_last_ttl = has_last_ttl;
      out.last_ttl = last_ttl;
      parse_segments(ctx, segs, first, end, seg_errors, out);
      resolve_pending(options, diag, out, fallback);
      has_last_ttl = out.has_last_ttl;
      last_ttl = out.last_ttl;
      out.store.origin = options.origin;
      out.store.rclass = options.default_class;
      if (auto r = (*waves.sink)(std::move(out.store)); !r) {
        handed = std::move(r);
        return;
      }
      first = end;
    }
    report_includes(ctx, tree.includes(), seg_errors);
  };
  auto work = [&] { waves.sink != nullptr ? in_waves() : all_at_once(); };
  if (options.threads > 0) {
    tbb::task_arena arena(static_cast<int>(options.threads));
    arena.execute(work);
  } else {
    work();
  }
  return handed;
}

}  // namespace

Result<void> parse_file(const std::string& path, const ParseOptions& options, ZoneStore& store,
                        Diagnostics& diag) {
  SourceFile file;
  if (auto r = load_file(path, file); !r) return r;
  file.index = diag.add_file(path);
  file.release_parsed = true;  // load_file's big_alloc buffer, this call's alone
  std::error_code ec;
  const std::string self = fs::weakly_canonical(fs::absolute(path, ec), ec).string();
  return parse_top(file, file.dir, self, options, store, diag);
}

Result<void> parse_file_waves(const std::string& path, const ParseOptions& options,
                              const WaveOptions& waves, const WaveSink& sink, Diagnostics& diag) {
  SourceFile file;
  if (auto r = map_private_copy(path, waves.copy_dir, file); !r) return r;
  file.index = diag.add_file(path);
  std::error_code ec;
  const std::string self = fs::weakly_canonical(fs::absolute(path, ec), ec).string();
  ZoneStore unused;
  return parse_top(file, file.dir, self, options, unused, diag,
                   Waves{std::max<size_t>(waves.wave_bytes, 1), &sink});
}

Result<void> parse_text(std::string_view text, const std::string& file_name,
                        const std::string& base_dir, const ParseOptions& options, ZoneStore& store,
                        Diagnostics& diag) {
  SourceFile file;
  file.buffer.reset(new char[text.size() + detail::kPadding]);
  std::memset(file.buffer.get() + text.size(), 0, detail::kPadding);
  if (!text.empty()) std::memcpy(file.buffer.get(), text.data(), text.size());
  file.text = std::string_view(file.buffer.get(), text.size());
  file.dir = base_dir;
  file.index = diag.add_file(file_name);
  return parse_top(file, base_dir, {}, options, store, diag);
}

}  // namespace zk::parser
