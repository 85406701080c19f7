// A progress line on stderr while a long run works, only when stderr is a terminal (so logs
// and pipes stay clean). The engine reports no progress of its own, so this shows which run is
// going and the wall time it has taken, refreshed every half second after the first two.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace mpsim::experiments {

class TerminalProgress {
 public:
  TerminalProgress();  // inactive unless stderr is a terminal
  ~TerminalProgress();
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;

  void set_task(const std::string& task);  // e.g. "numa (1/3)"

 private:
  void loop();
  void draw(std::chrono::steady_clock::duration elapsed);

  bool active_ = false;
  bool stop_ = false;
  bool drawn_ = false;
  std::string task_;
  std::chrono::steady_clock::time_point task_start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace mpsim::experiments
