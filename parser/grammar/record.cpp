// The only translation unit that compiles the X3 record grammar.
#include "parser/grammar/record.hpp"

#include "parser/grammar/record_def.hpp"

namespace zk::parser::grammar {

const char* tokenize_record(const char* first, const char* last, RecordTokens& out) noexcept {
  out.tokens.clear();
  out.type_index = kNoType;
  out.has_owner = first < last && *first != ' ' && *first != '\t' && *first != '\r' &&
                  *first != '(' && *first != ')' && *first != ';';
  const char* it = first;
  // The grammar has no expectation points, so it reports failure by return value only.
  bool ok;
  if (out.has_owner) {
    ok = x3::phrase_parse(it, last, x3::with<tokens_tag>(std::ref(out))[rules::owned_record],
                          rules::skipper);
  } else {
    ok = x3::phrase_parse(it, last, x3::with<tokens_tag>(std::ref(out))[rules::blank_record],
                          rules::skipper);
  }
  // An empty record: mark_type may have run before the optional type failed to match.
  if (out.type_index >= out.tokens.size()) out.type_index = kNoType;
  if (ok && it == last) return nullptr;
  return it;
}

}  // namespace zk::parser::grammar
