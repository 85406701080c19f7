// A progress line on stderr while long work goes on: by default only when stderr is a terminal
// (so logs and pipes stay clean; --progress forces it, one plain line per update on a pipe).
// For a simulation run it shows the simulated time done, the I/Os simulated per wall second and
// an ETA for what is left (this run and the runs after it); for counted work (sweep points) the
// count, the I/Os simulated per wall second and an ETA. Nothing it does changes a result or an output file.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "sim/scenario.h"

namespace mpsim::experiments {

class TerminalProgress {
 public:
  explicit TerminalProgress(bool force = false);
  ~TerminalProgress();
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;

  bool active() const { return active_; }

  void set_task(const std::string& task);  // e.g. "numa (1/3)": wall time only

  // A run of `total_ns` simulated time watched through `progress` (which the engine updates);
  // `runs_after` more runs of about the same length follow it.
  void watch_run(const std::string& task, const sim::RunProgress* progress, std::int64_t total_ns,
                 std::size_t runs_after);

  // Counted work (sweep points, guest boots): `done` of `total` finished, `ran` of them by this process
  // (the others were finished before: the ETA counts only these), `simulated_ios` the I/Os they
  // simulated (0: no rate shown).
  void set_count(const std::string& task, std::size_t done, std::size_t total, std::size_t ran,
                 std::uint64_t simulated_ios);
  // Appended to the line ("; <detail>") until replaced; changes neither the task nor its clock.
  void set_detail(const std::string& detail);

 private:
  void loop();
  void draw(std::chrono::steady_clock::time_point now);
  std::string line(double elapsed_s) const;

  bool active_ = false;
  bool terminal_ = false;
  bool stop_ = false;
  bool drawn_ = false;
  std::string task_;
  std::string detail_;
  const sim::RunProgress* run_ = nullptr;
  std::int64_t run_total_ns_ = 0;
  std::size_t runs_after_ = 0;
  std::size_t done_ = 0, total_ = 0, ran_ = 0;
  std::uint64_t counted_ios_ = 0;
  std::chrono::steady_clock::time_point task_start_, started_, last_line_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

// "12 s", "3 min 05 s", "1 h 02 min"
std::string format_eta(double seconds);

}  // namespace mpsim::experiments
