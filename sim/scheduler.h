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

  // Registers `Method` of `self` (void(std::uint32_t a, std::uint32_t tag)) as a new event type.
  template <auto Method, class Component>
  EventType add(Component* self) {
    return add_handler(self, [](void* p, std::uint32_t a, std::uint32_t tag) {
      (static_cast<Component*>(p)->*Method)(a, tag);
    });
  }
  EventType add_handler(void* self, HandlerFn fn) {
    if (handlers_.size() > 255) throw std::logic_error("scheduler: more than 256 event types");
    handlers_.push_back(Handler{self, fn});
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
  };
  Calendar cal_;
  std::vector<Handler> handlers_;
  std::int64_t now_ = 0;
  std::uint64_t events_ = 0;
};

}  // namespace mpsim::sim
