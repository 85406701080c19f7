// Wall-clock bookkeeping for RunResult::cost (`mpsim bench`): set-up apart from the I/O phase.
// It never feeds back into the simulation.
#pragma once

#include <chrono>
#include <cstdint>

#include "sim/result.h"

namespace mpsim::sim {

double process_cpu_s();  // CPU time of this process

class RunCostMeter {
 public:
  bool io_started() const { return io_started_; }
  // The first job submits now; `events_before` calendar events came before it.
  void note_io_start(std::uint64_t events_before) {
    io_started_ = true;
    io_start_wall_ = std::chrono::steady_clock::now();
    io_start_cpu_s_ = process_cpu_s();
    events_before_io_ = events_before;
  }
  RunCost cost(std::uint64_t events) const {
    using Seconds = std::chrono::duration<double>;
    const auto now = std::chrono::steady_clock::now();
    const auto io_start = io_started_ ? io_start_wall_ : now;
    RunCost c;
    c.setup_wall_s = Seconds(io_start - created_wall_).count();
    c.io_wall_s = Seconds(now - io_start).count();
    c.io_cpu_s = io_started_ ? process_cpu_s() - io_start_cpu_s_ : 0;
    c.events = events;
    c.events_before_io = io_started_ ? events_before_io_ : events;
    return c;
  }

 private:
  std::chrono::steady_clock::time_point created_wall_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point io_start_wall_{};
  double io_start_cpu_s_ = 0;
  bool io_started_ = false;
  std::uint64_t events_before_io_ = 0;
};

}  // namespace mpsim::sim
