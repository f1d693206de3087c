// The only translation unit that compiles the X3 record grammar.
#include "parser/grammar/record.hpp"

#include "parser/grammar/record_def.hpp"

namespace zk::parser::grammar {

const char* tokenize_record(const char* first, const char* last, RecordTokens& out) noexcept {
  out.tokens.clear();
  out.has_owner = first < last && *first != ' ' && *first != '\t' && *first != '\r' &&
                  *first != '(' && *first != ';';
  const char* it = first;
  // The grammar has no expectation points, so it reports failure by return value only.
  const auto g = x3::with<tokens_tag>(std::ref(out))[rules::record];
  const bool ok = x3::phrase_parse(it, last, g, rules::skipper);
  if (ok && it == last) return nullptr;
  return it;
}

}  // namespace zk::parser::grammar
