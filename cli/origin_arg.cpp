// --origin for every subcommand: the zone apex, absolute whether or not the final dot is typed.
#include <filesystem>
#include <system_error>

#include "cli/commands.hpp"
#include "dns/name.hpp"

namespace zk::cli {

Result<Name> origin_arg(std::string text) {
  // Operators type "example.com" as often as "example.com."; an origin is always absolute.
  // A name ending in an escaped dot ("a\.") is relative, so the dot is added there too.
  const bool ends_with_plain_dot =
      !text.empty() && text.back() == '.' && (text.size() < 2 || text[text.size() - 2] != '\\');
  if (!ends_with_plain_dot && text != ".") text += '.';
  Name origin;
  if (auto r = name_from_text(text, NameView{}, origin); !r) return fail(r.error());
  origin.to_lower();
  return origin;
}

Result<void> ensure_key_dir(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return ok();
  if (!std::filesystem::create_directories(dir, ec) || ec) {
    return fail(Errc::Io, "cannot create key directory " + dir + ": " + ec.message());
  }
  // Private keys live here: owner only.
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  return ok();
}

}  // namespace zk::cli
