// The engine's event queue: a 4-ary heap ordered by (time, insertion sequence), so events at
// the same instant run in the order they were scheduled — one seed, one event order. (4-ary:
// half the levels of a binary heap, and the four children share a cache line or two.)
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace mpsim::sim {

enum class EventKind : std::uint8_t {
  IoAtTarget,       // a command capsule reached the target port
  MediaDone,        // the media finished; the target sends the response
  IoDone,           // the response was processed by the host CPU
  Submit,           // a job may submit (start, rate pacing)
  Timer,            // TimerService callback
  ConnectAtTarget,
  ConnectReply,     // a = conn, tag = epoch
  ConnectTimeout,
  KeepAliveAtTarget,
  KeepAliveReply,
  AnaLogAtTarget,
  AnaLogReply,
  Aen,              // ANA-change notice reached the host
  Reset,            // the target reset the connection (RST reached the host)
};

struct Event {
  std::int64_t time;
  std::uint64_t seq;
  EventKind kind;
  std::uint32_t a;    // io slot, job, timer slot or connection
  std::uint32_t tag;  // attempt, timer generation or connection epoch
};

class Calendar {
 public:
  void push(std::int64_t time, EventKind kind, std::uint32_t a, std::uint32_t tag) {
    heap_.push_back(Event{time, next_seq_++, kind, a, tag});
    sift_up(heap_.size() - 1);
  }
  bool empty() const { return heap_.empty(); }
  const Event& top() const { return heap_.front(); }
  Event pop() {
    Event e = heap_.front();
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    return e;
  }
  std::size_t size() const { return heap_.size(); }

 private:
  static bool before(const Event& x, const Event& y) {
    return x.time < y.time || (x.time == y.time && x.seq < y.seq);
  }
  void sift_up(std::size_t i) {
    Event e = heap_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / 4;
      if (!before(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }
  void sift_down(std::size_t i) {
    Event e = heap_[i];
    const std::size_t n = heap_.size();
    for (;;) {
      const std::size_t first = 4 * i + 1;
      if (first >= n) break;
      std::size_t child = first;
      const std::size_t last = std::min(first + 4, n);
      for (std::size_t c = first + 1; c < last; ++c) {
        if (before(heap_[c], heap_[child])) child = c;
      }
      if (!before(heap_[child], e)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = e;
  }

  std::vector<Event> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace mpsim::sim
