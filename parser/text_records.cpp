// Text records: detail::scan_record finds the record, grammar::tokenize_record splits it, the
// same two steps parse_text takes before it converts anything.
#include "parser/text_records.hpp"

#include <algorithm>

#include "dns/name.hpp"
#include "parser/detail/scanner.hpp"
#include "parser/grammar/record.hpp"

namespace zk::parser {

void for_each_text_record(std::string_view text, const std::function<void(const TextRecord&)>& f) {
  const char* p = text.data();
  const char* const last = p + text.size();
  grammar::RecordTokens toks;
  TextRecord rec;
  detail::RecordSpan span;
  size_t line = 1;
  while (p < last) {
    detail::scan_record(p, last, span);
    rec.text = std::string_view(span.begin, static_cast<size_t>(span.next - span.begin));
    rec.line = line;
    line += span.newlines;
    rec.tokens.clear();
    rec.complete = true;
    rec.has_owner = false;
    if (!detail::record_is_blank(span.begin, span.end)) {
      rec.complete = grammar::tokenize_record(span.begin, span.end, toks) == nullptr;
      rec.has_owner = toks.has_owner;
      for (const auto& t : toks.tokens) {
        // Quoted strings keep their quotes here: the text stays exactly what the file holds.
        std::string_view s = t.text;
        if (t.quoted) {
          const char* b = t.text.data() - 1;
          const char* e = std::min(t.text.data() + t.text.size() + 1, span.end);  // unclosed
          s = std::string_view(b, static_cast<size_t>(e - b));
        }
        rec.tokens.push_back(TextToken{s, t.quoted});
      }
      rec.type_index = toks.type_index == grammar::kNoType ? rec.tokens.size() : toks.type_index;
    }
    if (rec.tokens.empty()) rec.type_index = 0;
    f(rec);
    p = span.next;
  }
}

bool token_is(const TextToken& token, std::string_view keyword) noexcept {
  if (token.quoted || token.text.size() != keyword.size()) return false;
  for (size_t i = 0; i < keyword.size(); ++i) {
    if (ascii_lower(static_cast<uint8_t>(token.text[i])) !=
        ascii_lower(static_cast<uint8_t>(keyword[i])))
      return false;
  }
  return true;
}

}  // namespace zk::parser
