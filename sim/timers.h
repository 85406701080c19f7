// The TimerService the policies' controllers and heads use, on the run's scheduler. A timer is
// a slot with a generation: cancelling bumps the generation and leaves the calendar entry to
// fire as a no-op (lazy deletion).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "policies/timer.h"
#include "sim/scheduler.h"

namespace mpsim::sim {

class Timers final : public policies::TimerService {
 public:
  explicit Timers(Scheduler& sched);

  policies::TimePoint now() const override { return policies::TimePoint(sched_.now()); }
  TimerId schedule_after(policies::Duration delay, std::function<void()> fn) override;
  void cancel(TimerId id) override;

 private:
  void fire(std::uint32_t slot, std::uint32_t gen);

  struct Slot {
    std::function<void()> fn;
    std::uint32_t gen = 1;
  };
  Scheduler& sched_;
  EventType fire_event_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
};

}  // namespace mpsim::sim
