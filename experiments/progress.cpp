#include "experiments/progress.h"

#include <unistd.h>

#include <cstdio>

namespace mpsim::experiments {

namespace {
constexpr auto kQuietFor = std::chrono::seconds(2);  // short runs print nothing
constexpr auto kRefresh = std::chrono::milliseconds(500);
}  // namespace

TerminalProgress::TerminalProgress() : active_(::isatty(STDERR_FILENO) == 1) {
  task_start_ = std::chrono::steady_clock::now();
  if (active_) thread_ = std::thread([this] { loop(); });
}

TerminalProgress::~TerminalProgress() {
  if (!active_) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (drawn_) std::fprintf(stderr, "\r\033[K");  // clear the line for what follows
}

void TerminalProgress::set_task(const std::string& task) {
  std::lock_guard lock(mutex_);
  task_ = task;
  task_start_ = std::chrono::steady_clock::now();
}

void TerminalProgress::loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, kRefresh, [this] { return stop_; })) {
    auto elapsed = std::chrono::steady_clock::now() - task_start_;
    if (elapsed >= kQuietFor) draw(elapsed);
  }
}

void TerminalProgress::draw(std::chrono::steady_clock::duration elapsed) {
  double s = std::chrono::duration<double>(elapsed).count();
  std::fprintf(stderr, "\r\033[Krunning %s: %.0f s wall", task_.c_str(), s);
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace mpsim::experiments
