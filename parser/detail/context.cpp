#include "parser/detail/context.hpp"

#include <tbb/parallel_for.h>

#include <cstring>
#include <string>

namespace zk::parser::detail {

SourcePos position_of(const SourceFile& file, const char* rec_begin, uint32_t rec_line,
                      const char* pos, std::string* line_text) {
  const char* b = file.text.data();
  const char* e = b + file.text.size();
  if (pos < b || pos > e) pos = rec_begin;
  if (rec_begin < b || rec_begin > pos) rec_begin = pos;
  uint32_t line = rec_line;
  for (const char* p = rec_begin; p < pos; ++p) line += (*p == '\n');
  const char* ls = pos;
  while (ls > b && ls[-1] != '\n') --ls;
  if (line_text) {
    const char* le = pos;
    while (le < e && *le != '\n') ++le;
    line_text->assign(ls, static_cast<size_t>(le - ls));
  }
  SourcePos sp;
  sp.file = file.index;
  sp.offset = static_cast<uint64_t>(pos - b);
  sp.line = line;
  sp.column = static_cast<uint32_t>(pos - ls) + 1;
  return sp;
}

void report(Diagnostics& diag, Severity sev, Errc code, std::string detail, const SourceFile& file,
            const char* rec_begin, uint32_t rec_line, const char* pos) {
  std::string line;
  SourcePos sp = position_of(file, rec_begin, rec_line, pos, &line);
  diag.report(sev, Error{code, sp, std::move(detail)}, std::move(line));
}

void join_segments(SegmentOut& out, std::vector<SegmentOut>& parts) {
  // Serially, what depends on the parts before: pending TTLs, error counts, where each part's
  // records go.
  std::vector<size_t> at(parts.size());
  size_t total = out.store.rrs.size();
  for (size_t k = 0; k < parts.size(); ++k) {
    SegmentOut& b = parts[k];
    for (PendingTtl& p : b.pending) {
      if (out.has_last_ttl) {
        for (uint32_t i = 0; i < p.count; ++i) b.store.rrs[p.first + i].ttl = out.last_ttl;
      } else {
        p.first += static_cast<uint32_t>(total);
        out.pending.push_back(std::move(p));
      }
    }
    out.errors += b.errors;
    if (b.has_last_ttl) {
      out.has_last_ttl = true;
      out.last_ttl = b.last_ttl;
    }
    at[k] = total;
    total += b.store.rrs.size();
  }
  // One table, filled by the parts in parallel: a serial copy of a 1M-name zone's records (and
  // the first touch of the 60 MB they take) was a tenth of the parse.
  RRVector& rrs = out.store.rrs;
  if (parts.size() == 1 && rrs.empty()) {
    rrs = std::move(parts[0].store.rrs);
  } else {
    rrs.resize(total);
    tbb::parallel_for(size_t{0}, parts.size(), [&](size_t k) {
      const RRVector& src = parts[k].store.rrs;
      if (!src.empty()) std::memcpy(rrs.data() + at[k], src.data(), src.size() * sizeof(RR));
    });
  }
  for (size_t k = 0; k < parts.size(); ++k) {
    share_owner(out.store, at[k]);
    RRVector().swap(parts[k].store.rrs);
    for (auto& a : parts[k].store.arenas) out.store.arenas.push_back(std::move(a));
    parts[k].store.arenas.clear();
  }
}

void share_owner(ZoneStore& store, size_t boundary) {
  auto& rrs = store.rrs;
  if (boundary == 0 || boundary >= rrs.size()) return;
  const Owner* last = rrs[boundary - 1].owner;
  const Owner* first = rrs[boundary].owner;
  if (last == first || last->wire_len != first->wire_len ||
      std::memcmp(last->wire(), first->wire(), last->wire_len) != 0) {
    return;
  }
  for (size_t i = boundary; i < rrs.size() && rrs[i].owner == first; ++i) rrs[i].owner = last;
}

std::string record_length_text(uint64_t len, const InputBudget& budget) {
  return "input budget exceeded: record of " + std::to_string(len) +
         " bytes (limit --max-record-length " + std::to_string(budget.max_record_length) + ")";
}

bool iequal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(static_cast<uint8_t>(a[i])) != ascii_lower(static_cast<uint8_t>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool is_absolute_or_at(std::string_view t) noexcept {
  if (t == "@") return true;
  if (t.empty() || t.back() != '.') return false;
  size_t backslashes = 0;
  for (size_t i = t.size() - 1; i > 0 && t[i - 1] == '\\'; --i) ++backslashes;
  return backslashes % 2 == 0;
}

bool unescape_text(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 1 >= in.size()) return false;
    const char d = in[i + 1];
    if (d >= '0' && d <= '9') {
      if (i + 3 >= in.size() + 0 || !(in[i + 2] >= '0' && in[i + 2] <= '9') ||
          !(in[i + 3] >= '0' && in[i + 3] <= '9')) {
        return false;
      }
      const int v = (d - '0') * 100 + (in[i + 2] - '0') * 10 + (in[i + 3] - '0');
      if (v > 255) return false;
      out.push_back(static_cast<char>(v));
      i += 3;
    } else {
      out.push_back(d);
      ++i;
    }
  }
  return true;
}

}  // namespace zk::parser::detail
