// One run's virtual clock and calendar, and the table of event handlers. Each component
// registers the event types it owns (add<&Component::method>(this)) and schedules them; the
// scheduler knows none of them. Dispatch is one indirect call through a small table, as cheap
// as the closed switch it replaces, and adding an event type touches only its component.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "sim/calendar.h"

namespace mpsim::sim {

class Scheduler {
 public:
  using HandlerFn = void (*)(void* self, std::uint32_t a, std::uint32_t tag);
  // Optional, per event type: asks the memory system ahead of time for what the handler will
  // touch (sim/README.md, "Measured speed"). Called for events still in the calendar, stage
  // kPrefetchStages - 1 farthest ahead: a stage may read what the stage before it fetched (an
  // I/O slot, then its connection, then its route's links). It must not change any state.
  using PrefetchFn = void (*)(const void* self, std::uint32_t a, std::uint32_t tag, unsigned stage);
  static constexpr unsigned kPrefetchStages = 4;

  // Registers `Method` of `self` (void(std::uint32_t a, std::uint32_t tag)) as a new event type.
  template <auto Method, class Component>
  EventType add(Component* self) {
    return add_handler(self, [](void* p, std::uint32_t a, std::uint32_t tag) {
      (static_cast<Component*>(p)->*Method)(a, tag);
    });
  }
  // The same with a prefetcher `Prefetch` (void(std::uint32_t a, std::uint32_t tag, unsigned stage) const).
  template <auto Method, auto Prefetch, class Component>
  EventType add(Component* self) {
    const EventType type = add<Method>(self);
    handlers_[type].prefetch = [](const void* p, std::uint32_t a, std::uint32_t tag, unsigned stage) {
      (static_cast<const Component*>(p)->*Prefetch)(a, tag, stage);
    };
    return type;
  }
  EventType add_handler(void* self, HandlerFn fn) {
    if (handlers_.size() > 255) throw std::logic_error("scheduler: more than 256 event types");
    handlers_.push_back(Handler{self, fn, nullptr});
    return EventType(handlers_.size() - 1);
  }

  std::int64_t now() const { return now_; }
  void at(std::int64_t time, EventType type, std::uint32_t a, std::uint32_t tag) { cal_.push(time, type, a, tag); }

  // Takes the next event due before `t` and moves the clock to it; false if there is none.
  // (Nothing is scheduled before the clock: the calendar's wheel moves with it.)
  bool pop_before(std::int64_t t, Event& e) {
    if (cal_.empty() || cal_.top_time() >= t) return false;
    e = cal_.pop();
    now_ = e.time;
    ++events_;
    prefetch_ahead();
    return true;
  }
  void dispatch(const Event& e) const {
    const Handler& h = handlers_[e.type];
    h.fn(h.self, e.a, e.tag);
  }
  void advance_to(std::int64_t t) { now_ = std::max(now_, t); }
  std::uint64_t events() const { return events_; }  // handled so far

 private:
  struct Handler {
    void* self;
    HandlerFn fn;
    PrefetchFn prefetch;
  };
  // Stage s looks (s + 1) x kPrefetchDistance events past the one about to run: at 1,024 hosts
  // every I/O event's slot, connection and route are cache misses, and a run of a bucket holds
  // about a dozen events, enough to overlap them with the handlers before.
  static constexpr std::size_t kPrefetchDistance = 1;
  void prefetch_ahead() const {
    for (unsigned stage = 0; stage < kPrefetchStages; ++stage) {
      const Event* ahead = cal_.ahead(std::size_t(stage + 1) * kPrefetchDistance - 1);
      if (!ahead) return;
      const Handler& h = handlers_[ahead->type];
      if (h.prefetch) h.prefetch(h.self, ahead->a, ahead->tag, stage);
    }
  }
  Calendar cal_;
  std::vector<Handler> handlers_;
  std::int64_t now_ = 0;
  std::uint64_t events_ = 0;
};

}  // namespace mpsim::sim
