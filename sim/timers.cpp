#include "sim/timers.h"

#include <algorithm>

namespace mpsim::sim {

Timers::Timers(Scheduler& sched) : sched_(sched), fire_event_(sched.add<&Timers::fire>(this)) {}

policies::TimerService::TimerId Timers::schedule_after(policies::Duration delay, std::function<void()> fn) {
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = std::uint32_t(slots_.size());
    slots_.emplace_back();
  }
  slots_[slot].fn = std::move(fn);
  const std::uint32_t gen = slots_[slot].gen;
  sched_.at(sched_.now() + std::max<std::int64_t>(delay.count(), 0), fire_event_, slot, gen);
  return (TimerId(gen) << 32) | slot;
}

void Timers::cancel(TimerId id) {
  const auto slot = std::uint32_t(id & 0xFFFFFFFFu);
  const auto gen = std::uint32_t(id >> 32);
  if (id == kNoTimer || slot >= slots_.size() || slots_[slot].gen != gen) return;
  slots_[slot].fn = nullptr;
  ++slots_[slot].gen;
  free_.push_back(slot);
}

void Timers::fire(std::uint32_t slot, std::uint32_t gen) {
  if (slots_[slot].gen != gen) return;
  std::function<void()> fn = std::move(slots_[slot].fn);
  slots_[slot].fn = nullptr;
  ++slots_[slot].gen;
  free_.push_back(slot);
  fn();
}

}  // namespace mpsim::sim
