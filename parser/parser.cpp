#include "parser/parser.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "dns/rrtype.hpp"
#include "parser/detail/chunking.hpp"
#include "parser/detail/context.hpp"
#include "parser/detail/generate.hpp"
#include "parser/detail/records.hpp"
#include "parser/detail/scanner.hpp"
#include "parser/detail/ttl.hpp"
#include "parser/grammar/record.hpp"

namespace zk::parser {
namespace {

namespace fs = std::filesystem;
using detail::ParseCtx;
using detail::Planner;
using detail::RecordBuilder;
using detail::RecordSpan;
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
  out.buffer.reset(new char[static_cast<size_t>(size) + detail::kPadding]);
  std::memset(out.buffer.get() + size, 0, detail::kPadding);
  const size_t got = std::fread(out.buffer.get(), 1, static_cast<size_t>(size), f);
  std::fclose(f);
  if (got != static_cast<size_t>(size)) return fail(Errc::Io, "cannot read " + path);
  out.text = std::string_view(out.buffer.get(), got);
  out.dir = fs::path(path).parent_path().string();
  if (out.dir.empty()) out.dir = ".";
  return ok();
}

std::string dir_key(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p, ec), ec);
  std::string s = c.string();
  if (s.empty() || s.back() != '/') s.push_back('/');
  return s;
}

void parse_source(const ParseCtx& ctx, const SourceFile& file, SegmentState init,
                  const std::vector<std::string>& stack, SegmentOut& out);

void run_include(const ParseCtx& ctx, const SourceFile& file, const Segment& seg,
                 const std::vector<std::string>& stack, SegmentOut& out) {
  SourceFile inc;
  if (auto r = load_file(seg.include_path, inc); !r) {
    detail::report(ctx.diag, Severity::Error, Errc::IncludeError,
                   "cannot read $INCLUDE file " + seg.include_path, file, seg.begin, seg.line,
                   seg.begin);
    ++out.errors;
    return;
  }
  inc.index = ctx.diag.add_file(seg.include_path);
  std::vector<std::string> st2 = stack;
  st2.push_back(seg.include_path);
  parse_source(ctx, inc, seg.state, st2, out);
  if (out.errors > 0) {
    // Also flag the directive, so the including file shows where the failure came from.
    detail::report(ctx.diag, Severity::Error, Errc::IncludeError,
                   "$INCLUDE file has " + std::to_string(out.errors) + " error(s)", file, seg.begin,
                   seg.line, seg.begin);
    ++out.errors;
  }
}

void parse_source(const ParseCtx& ctx, const SourceFile& file, SegmentState init,
                  const std::vector<std::string>& stack, SegmentOut& out) {
  std::vector<Segment> segs;
  uint32_t planner_errors = 0;
  {
    Planner planner(ctx, file, stack);
    planner.plan(std::move(init), segs);
    planner_errors = planner.errors();
  }
  std::vector<SegmentOut> outs(segs.size());
  auto run = [&](size_t i) {
    const Segment& s = segs[i];
    if (ctx.diag.full()) return;
    switch (s.kind) {
      case SegKind::Chunk:
        detail::parse_chunk(ctx.opt, ctx.diag, file, s.begin, s.end, s.line, s.state, outs[i]);
        break;
      case SegKind::Include:
        run_include(ctx, file, s, stack, outs[i]);
        break;
      case SegKind::Generate:
        detail::run_generate(ctx, file, s, outs[i]);
        break;
    }
  };
  if (segs.size() == 1) {
    run(0);
  } else {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, segs.size(), 1),
                      [&](const tbb::blocked_range<size_t>& r) {
                        for (size_t i = r.begin(); i != r.end(); ++i) run(i);
                      });
  }
  size_t total = out.store.rrs.size();
  for (const auto& o : outs) total += o.store.rrs.size();
  for (auto& o : outs) {
    detail::append_segment(out, std::move(o));
    // One copy per record when joining, not log(n) regrowths. (absorb() into an empty store
    // takes the other vector as is, so the reservation is made once records are there.)
    if (!out.store.rrs.empty() && out.store.rrs.capacity() < total) out.store.rrs.reserve(total);
  }
  out.errors += planner_errors;
}

// Records whose TTL nothing in the file determined: the default TTL if the caller set one,
// else the SOA MINIMUM (BIND's rule, with a warning), else an error.
void resolve_pending(const ParseOptions& opt, Diagnostics& diag, SegmentOut& out) {
  if (out.pending.empty()) return;
  bool have_fallback = false;
  uint32_t fallback = 0;
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
        rr.type = 0;
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
    std::erase_if(out.store.rrs, [](const RR& rr) { return rr.type == 0; });
  }
}

Result<void> parse_top(SourceFile& file, const std::string& allowed_root,
                       const std::string& self_path, const ParseOptions& given, ZoneStore& store,
                       Diagnostics& diag) {
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
  SegmentOut out;
  auto work = [&] { parse_source(ctx, file, init, stack, out); };
  if (options.threads > 0) {
    tbb::task_arena arena(static_cast<int>(options.threads));
    arena.execute(work);
  } else {
    work();
  }
  resolve_pending(options, diag, out);
  if (store.rrs.size() + out.store.rrs.size() > options.limits.max_records) {
    diag.error(Error{
        Errc::LimitExceeded, SourcePos{file.index, 0, 0, 0},
        "zone has more records than the limit of " + std::to_string(options.limits.max_records)});
    const size_t keep = options.limits.max_records > store.rrs.size()
                            ? options.limits.max_records - store.rrs.size()
                            : 0;
    if (out.store.rrs.size() > keep) out.store.rrs.resize(keep);
  }
  store.origin = options.origin;
  store.rclass = options.default_class;
  store.absorb(std::move(out.store));
  return ok();
}

}  // namespace

Result<void> parse_file(const std::string& path, const ParseOptions& options, ZoneStore& store,
                        Diagnostics& diag) {
  SourceFile file;
  if (auto r = load_file(path, file); !r) return r;
  file.index = diag.add_file(path);
  std::error_code ec;
  const std::string self = fs::weakly_canonical(fs::absolute(path, ec), ec).string();
  return parse_top(file, file.dir, self, options, store, diag);
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
