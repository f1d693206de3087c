// `zonekiln completion`: the bash completion script, written from the CLI11 option tree so it
// always knows every subcommand and flag of this build (installed as
// share/bash-completion/completions/zonekiln).
#include <fmt/format.h>

#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace zk::cli {

namespace {

struct Node {
  std::string path;                  // "" for zonekiln itself, "sign", "ksk add", ...
  std::vector<std::string> subs;     // its subcommands
  std::vector<std::string> options;  // "-h", "--help", "--origin", ...
  std::vector<std::string> valued;   // the options that take a value
};

void walk(const CLI::App& app, const std::string& path, std::vector<Node>& out) {
  Node node{path, {}, {}, {}};
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    node.subs.push_back(sub->get_name());
  }
  for (const CLI::Option* opt : app.get_options()) {
    std::vector<std::string> names;
    for (const std::string& s : opt->get_snames()) names.push_back("-" + s);
    for (const std::string& l : opt->get_lnames()) names.push_back("--" + l);
    if (names.empty()) continue;  // a positional argument
    for (const std::string& n : names) {
      node.options.push_back(n);
      if (opt->get_type_size_max() > 0) node.valued.push_back(n);
    }
  }
  out.push_back(node);
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    walk(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
  }
}

std::string words(const std::vector<std::string>& list) {
  std::string s;
  for (const std::string& w : list) s += (s.empty() ? "" : " ") + w;
  return s;
}

}  // namespace

std::string bash_completion(const CLI::App& root) {
  std::vector<Node> nodes;
  walk(root, "", nodes);
  std::string subs, options, valued;
  for (const Node& n : nodes) {
    if (!n.subs.empty()) subs += fmt::format("    \"{}\") echo \"{}\" ;;\n", n.path, words(n.subs));
    options += fmt::format("    \"{}\") echo \"{}\" ;;\n", n.path, words(n.options));
    for (const std::string& v : n.valued)
      valued += fmt::format("    \"{}|{}\") return 0 ;;\n", n.path, v);
  }
  return fmt::format(
      R"zk(# bash completion for zonekiln; written by `zonekiln completion` (do not edit)
_zonekiln_subcommands() {{
  case "$1" in
{}  esac
}}
_zonekiln_options() {{
  case "$1" in
{}  esac
}}
_zonekiln_takes_value() {{
  case "$1|$2" in
{}  esac
  return 1
}}
_zonekiln() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} path="" i w subs
  # The subcommand path so far; the value after an option that takes one is skipped.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${{COMP_WORDS[i]}}
    if [[ $w == -* ]]; then
      [[ $w != *=* ]] && _zonekiln_takes_value "$path" "$w" && ((i++))
      continue
    fi
    subs=" $(_zonekiln_subcommands "$path") "
    [[ $subs == *" $w "* ]] && path=${{path:+$path }}$w
  done
  if ((COMP_CWORD > 1)) && _zonekiln_takes_value "$path" "${{COMP_WORDS[COMP_CWORD - 1]}}"; then
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    return
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_zonekiln_options "$path")" -- "$cur")
    return
  fi
  subs=$(_zonekiln_subcommands "$path")
  if [[ -n $subs ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
}}
complete -o filenames -F _zonekiln zonekiln
)zk",
      subs, options, valued);
}

}  // namespace zk::cli
