// A progress line on stderr for runs longer than a second, only when stderr is a terminal
// (cron, make and pipes see nothing of it): stage, bar, count, rate, time left.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/commands.hpp"
#include "dns/timeparse.hpp"

namespace zk::cli {

TerminalProgress::TerminalProgress() : enabled_(::isatty(STDERR_FILENO) == 1) {
  const char* test = std::getenv("ZK_TEST_PROGRESS");
  at_once_ = test != nullptr && std::string(test) == "1";
  start_ = stage_start_ = std::chrono::steady_clock::now();
}

TerminalProgress::~TerminalProgress() { clear_line(); }

void TerminalProgress::clear_line() {
  if (!drawn_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

pipeline::ProgressFn TerminalProgress::callback() {
  if (!enabled_) return {};
  return [this](const char* stage, uint64_t done, uint64_t total) { draw(stage, done, total); };
}

pipeline::NoteFn TerminalProgress::note_callback() {
  return [this](const std::string& note) {
    clear_line();  // the note gets its own line; the bar is drawn again below it
    std::fprintf(stderr, "zonekiln: note: %s\n", note.c_str());
    std::fflush(stderr);
  };
}

void TerminalProgress::draw(const char* stage, uint64_t done, uint64_t total) {
  using namespace std::chrono;
  const auto now = steady_clock::now();
  if (stage_ != stage) {
    stage_ = stage;
    stage_start_ = now;
  }
  if (done == 0 && total > 0) return;  // the stage's start: its rate is counted from here
  if (!at_once_ && now - start_ < seconds(1)) return;  // short runs stay quiet
  const bool finished = total == 0 || done >= total;
  if (drawn_ && now - last_ < milliseconds(100) && !finished) return;
  last_ = now;
  const double fraction = total == 0 ? 1.0 : double(done) / double(total);
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(fraction * kWidth + 0.5);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');
  std::string line = "zonekiln: " + stage_ + " [" + bar + "] " +
                     std::to_string(static_cast<int>(fraction * 100 + 0.5)) + "%";
  if (total > 1) {
    // A spilled compile's slices count records (names are not known before the merge).
    line += " " + std::to_string(done) + "/" + std::to_string(total) +
            (stage_ == "slices" ? " records" : " names");
    const double secs = duration<double>(now - stage_start_).count();
    if (secs > 0 && done > 0) {
      const double rate = double(done) / secs;
      line += " " + std::to_string(static_cast<uint64_t>(rate)) + "/s";
      if (!finished) {
        const auto left = static_cast<int64_t>(double(total - done) / rate + 0.5);
        line += " ETA " + duration_to_text(left);
      }
    }
  }
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace zk::cli
