// The calendar's far tier: events due beyond the timing wheel's horizon — in practice the timers
// (keep-alive, reconnect, connect and I/O timeouts, fault actions), seconds ahead while the I/O
// path works microseconds ahead. A 4-ary heap ordered by (time, seq); it is touched when a timer
// is set and when the wheel's horizon reaches one, not per I/O.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mpsim::sim {

// Which handler an event goes to: an index into the Scheduler's table, which each component
// fills with its own event types (sim/scheduler.h). One byte keeps the event compact.
using EventType = std::uint8_t;

struct Event {
  std::int64_t time;
  std::uint64_t seq;  // insertion order: breaks ties of time, so one seed gives one event order
  std::uint32_t a;    // the handler's own: io slot, job, timer slot or connection
  std::uint32_t tag;  // the handler's own: attempt, timer generation or connection epoch
  EventType type;
};

inline bool runs_before(const Event& x, const Event& y) {
  return x.time < y.time || (x.time == y.time && x.seq < y.seq);
}

class EventHeap {
 public:
  void push(const Event& e) {
    heap_.push_back(e);
    std::size_t i = heap_.size() - 1;
    while (i > 0) {
      const std::size_t parent = (i - 1) / 4;
      if (!runs_before(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  const Event& top() const { return heap_.front(); }
  Event pop() {
    const Event top = heap_.front();
    const Event last = heap_.back();
    heap_.pop_back();
    const std::size_t n = heap_.size();
    if (n == 0) return top;
    std::size_t i = 0;
    for (;;) {
      const std::size_t first = 4 * i + 1;
      if (first >= n) break;
      std::size_t child = first;
      for (std::size_t c = first + 1; c < std::min(first + 4, n); ++c) {
        if (runs_before(heap_[c], heap_[child])) child = c;
      }
      if (!runs_before(heap_[child], last)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = last;
    return top;
  }

 private:
  std::vector<Event> heap_;
};

}  // namespace mpsim::sim
