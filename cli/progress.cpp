// A progress bar on stderr for runs longer than a second, only when stderr is a terminal
// (cron, make and pipes see nothing of it).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "cli/commands.hpp"

namespace zk::cli {

TerminalProgress::TerminalProgress() : enabled_(::isatty(STDERR_FILENO) == 1) {
  start_ = std::chrono::steady_clock::now();
}

TerminalProgress::~TerminalProgress() {
  if (drawn_) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }
}

pipeline::ProgressFn TerminalProgress::callback() {
  if (!enabled_) return {};
  return [this](const char* stage, double fraction) { draw(stage, fraction); };
}

void TerminalProgress::draw(const char* stage, double fraction) {
  using namespace std::chrono;
  const auto now = steady_clock::now();
  if (now - start_ < seconds(1)) return;  // short runs stay quiet
  if (drawn_ && now - last_ < milliseconds(100) && fraction < 1.0) return;
  last_ = now;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth + 0.5);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');
  std::fprintf(stderr, "\r\033[Kzonekiln: %-18s [%s] %3d%%", stage, bar.c_str(),
               static_cast<int>(fraction * 100 + 0.5));
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace zk::cli
