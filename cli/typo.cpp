// Command lines with a word zonekiln does not know: name the word and the closest valid name.
#include <algorithm>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"

namespace zk::cli {

size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and swaps of two neighbours
  // ("sing" for "sign") each count one.
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::optional<std::string> closest_name(std::string_view word,
                                        const std::vector<std::string>& names) {
  const std::string* best = nullptr;
  size_t best_distance = 0;
  for (const auto& n : names) {
    const size_t dist = edit_distance(word, n);
    if (!best || dist < best_distance) {
      best = &n;
      best_distance = dist;
    }
  }
  if (!best) return std::nullopt;
  // A suggestion far from the word would mislead: allow about one typo per three letters.
  const size_t allowed = std::max<size_t>(2, word.size() / 3);
  const bool prefix = word.size() >= 3 && best->rfind(word, 0) == 0;
  if (best_distance > allowed && !prefix) return std::nullopt;
  return *best;
}

namespace {

std::string command_path(const std::vector<const CLI::App*>& chain) {
  std::string s = "zonekiln";
  for (size_t i = 1; i < chain.size(); ++i) s += " " + chain[i]->get_name();
  return s;
}

std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* o : app.get_options()) {
    for (const auto& l : o->get_lnames()) names.push_back("--" + l);
    for (const auto& s : o->get_snames()) names.push_back("-" + s);
  }
  return names;
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* s : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (!s->get_name().empty()) names.push_back(s->get_name());
  }
  return names;
}

std::string suggestion(std::string_view word, const std::vector<std::string>& names) {
  auto best = closest_name(word, names);
  return best ? "; did you mean '" + *best + "'?" : "";
}

std::optional<std::string> first_unknown(const std::vector<const CLI::App*>& chain) {
  const CLI::App& app = *chain.back();
  const std::vector<std::string> extra = app.remaining();
  if (!extra.empty()) {
    const std::string& word = extra.front();
    const std::string where = command_path(chain);
    if (word.size() > 1 && word[0] == '-') {
      const std::string flag = word.substr(0, word.find('='));
      return "`" + where + "` has no option '" + flag + "'" + suggestion(flag, option_names(app)) +
             " (see `" + where + " --help`)";
    }
    const auto subs = subcommand_names(app);
    if (!subs.empty() && app.get_subcommands().empty()) {
      return "unknown subcommand '" + word + "' for `" + where + "`" + suggestion(word, subs) +
             " (see `" + where + " --help`)";
    }
    return "unexpected argument '" + word + "' for `" + where + "` (see `" + where + " --help`)";
  }
  for (const CLI::App* sub : app.get_subcommands()) {
    auto next = chain;
    next.push_back(sub);
    if (auto m = first_unknown(next)) return m;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> unknown_word_message(const CLI::App& root) {
  return first_unknown({&root});
}

}  // namespace zk::cli
