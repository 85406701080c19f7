// The engine's event queue: a binary heap ordered by (time, insertion sequence), so events at
// the same instant run in the order they were scheduled — one seed, one event order.
#pragma once

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
      const std::size_t parent = (i - 1) / 2;
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
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
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
