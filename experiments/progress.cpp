#include "experiments/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace mpsim::experiments {

namespace {
constexpr auto kQuietFor = std::chrono::seconds(2);  // short work prints nothing
constexpr auto kRefresh = std::chrono::milliseconds(500);
constexpr auto kPipeEvery = std::chrono::seconds(5);  // --progress on a pipe: a line this often

std::string human_rate(double per_s) {
  char buf[32];
  if (per_s >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM", per_s / 1e6);
  else if (per_s >= 1e3) std::snprintf(buf, sizeof buf, "%.0fk", per_s / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", per_s);
  return buf;
}
}  // namespace

std::string format_eta(double seconds) {
  char buf[48];
  const long s = std::lround(std::max(0.0, seconds));
  if (s < 60) std::snprintf(buf, sizeof buf, "%ld s", s);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%ld min %02ld s", s / 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld h %02ld min", s / 3600, (s % 3600) / 60);
  return buf;
}

TerminalProgress::TerminalProgress(bool force) : terminal_(::isatty(STDERR_FILENO) == 1) {
  active_ = terminal_ || force;
  started_ = task_start_ = last_line_ = std::chrono::steady_clock::now();
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
  if (drawn_ && terminal_) std::fprintf(stderr, "\r\033[K");  // clear the line for what follows
}

void TerminalProgress::set_task(const std::string& task) {
  std::lock_guard lock(mutex_);
  task_ = task;
  run_ = nullptr;
  total_ = 0;
  task_start_ = std::chrono::steady_clock::now();
}

void TerminalProgress::watch_run(const std::string& task, const sim::RunProgress* progress, std::int64_t total_ns,
                                 std::size_t runs_after) {
  std::lock_guard lock(mutex_);
  task_ = task;
  run_ = progress;
  run_total_ns_ = total_ns;
  runs_after_ = runs_after;
  total_ = 0;
  task_start_ = std::chrono::steady_clock::now();
}

void TerminalProgress::set_count(const std::string& task, std::size_t done, std::size_t total, std::size_t ran,
                                 std::uint64_t simulated_ios) {
  std::lock_guard lock(mutex_);
  if (task_ != task || total_ != total) task_start_ = std::chrono::steady_clock::now();
  task_ = task;
  run_ = nullptr;
  done_ = done;
  total_ = total;
  ran_ = ran;
  counted_ios_ = simulated_ios;
}

void TerminalProgress::set_detail(const std::string& detail) {
  std::lock_guard lock(mutex_);
  detail_ = detail;
}

void TerminalProgress::loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, kRefresh, [this] { return stop_; })) {
    const auto now = std::chrono::steady_clock::now();
    if (now - started_ >= kQuietFor) draw(now);
  }
}

std::string TerminalProgress::line(double elapsed_s) const {
  char buf[256];
  if (run_ && run_total_ns_ > 0) {
    const double done_s = double(run_->simulated_ns.load(std::memory_order_relaxed)) * 1e-9;
    const double total_s = double(run_total_ns_) * 1e-9;
    const double ios = double(run_->completed_ios.load(std::memory_order_relaxed));
    if (done_s <= 0) {
      std::snprintf(buf, sizeof buf, "%s: setting up, %.0f s wall", task_.c_str(), elapsed_s);
      return buf;
    }
    const double wall_per_sim = elapsed_s / done_s;
    const double eta = wall_per_sim * ((total_s - done_s) + total_s * double(runs_after_));
    std::snprintf(buf, sizeof buf, "%s: %.2f of %.2f s simulated (%.0f%%), %s I/O per wall second, ETA %s",
                  task_.c_str(), done_s, total_s, 100.0 * done_s / total_s, human_rate(ios / elapsed_s).c_str(),
                  format_eta(eta).c_str());
    return buf;
  }
  if (total_ > 0) {
    // Points run in parallel finish in bursts: the rate is over everything this process ran.
    const std::string rate = ran_ > 0 && counted_ios_ > 0 ? ", " + human_rate(double(counted_ios_) / elapsed_s) + " I/O per wall second" : "";
    const std::string eta = ran_ > 0 ? ", ETA " + format_eta(elapsed_s / double(ran_) * double(total_ - done_)) : "";
    std::snprintf(buf, sizeof buf, "%s: %zu of %zu done, %.0f s wall%s%s", task_.c_str(), done_, total_, elapsed_s,
                  rate.c_str(), eta.c_str());
    return buf;
  }
  std::snprintf(buf, sizeof buf, "running %s: %.0f s wall", task_.c_str(), elapsed_s);
  return buf;
}

void TerminalProgress::draw(std::chrono::steady_clock::time_point now) {
  std::string text = line(std::chrono::duration<double>(now - task_start_).count());
  if (!detail_.empty()) text += "; " + detail_;
  if (terminal_) {
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
  } else {
    if (drawn_ && now - last_line_ < kPipeEvery) return;
    std::fprintf(stderr, "progress: %s\n", text.c_str());
    last_line_ = now;
  }
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace mpsim::experiments
