// The engine's event queue, ordered by (time, insertion sequence) so that events at the same
// instant run in the order they were scheduled — one seed, one event order.
//
// Two tiers, because the I/O path and the timers live on different time scales. The I/O path
// schedules microseconds to milliseconds ahead (wire, CPU, media): those events go into a timing
// wheel of fixed-width buckets keyed by time. Pushing one is an append to its bucket's list;
// reaching a bucket sorts its few events by (time, seq) into the "current" run, which is popped
// in order. Events beyond the wheel's horizon — in practice the timers (keep-alive, reconnect,
// connect and I/O timeouts) — wait in a small heap (sim/event_heap.h) and move into the wheel
// when its horizon reaches them. What the I/O path touches per event (the bucket heads, the
// occupancy bitmap, the node pool and the current run) is a few kilobytes plus 32 bytes per
// pending event, whatever the number of timers; the 4-ary heap it replaces missed the cache
// once per level with 16k I/Os and 8k keep-alive timers in it (issue 18).
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/event_heap.h"

namespace mpsim::sim {

class Calendar {
 public:
  // Buckets of 2^bucket_shift ns, 2^wheel_bits of them: by default 1.024 µs x 16,384 = 16.8 ms
  // of horizon. (The unit test uses tiny wheels to exercise wrap-around and the far tier.)
  explicit Calendar(unsigned bucket_shift = 10, unsigned wheel_bits = 14)
      : shift_(bucket_shift), buckets_(std::int64_t{1} << wheel_bits), mask_(buckets_ - 1),
        heads_(std::size_t(buckets_), kNone), occupied_(std::size_t(buckets_ / 64 + 1), 0) {}

  void push(std::int64_t time, EventType type, std::uint32_t a, std::uint32_t tag) {
    place(Event{time, next_seq_++, a, tag, type});
  }
  bool empty() const { return size_ == 0; }
  // The earliest event (the calendar must not be empty). The wheel moves on to the next bucket
  // only here, when the clock is about to: an event scheduled meanwhile for a bucket between the
  // last one popped and the next one then still goes into the wheel, not into the current run.
  std::int64_t top_time() {
    if (pos_ == current_.size()) advance();
    return current_[pos_].time;
  }
  Event pop() {
    if (pos_ == current_.size()) advance();
    const Event e = current_[pos_++];
    --size_;
    return e;
  }
  std::size_t size() const { return size_; }
  std::size_t far_size() const { return far_.size(); }  // waiting beyond the horizon
  static constexpr std::size_t bytes_per_event() { return sizeof(Node); }  // a pending event in the wheel

 private:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  struct Node {  // one pending event in a wheel bucket's list: 32 bytes
    std::int64_t time;
    std::uint64_t seq;
    std::uint32_t a, tag;
    std::uint32_t next;
    EventType type;
  };

  std::int64_t bucket_of(std::int64_t time) const { return time >> shift_; }

  void place(const Event& e) {
    ++size_;
    const std::int64_t b = bucket_of(e.time);
    if (b <= cur_) return insert_current(e);
    if (b < cur_ + buckets_) return link(b, e);
    far_.push(e);
  }
  // Into the run being popped, at its (time, seq) place: an event due in the bucket of the last
  // event popped (or before it, which only a caller scheduling in the past would do; it is then
  // the earliest).
  void insert_current(const Event& e) {
    const auto from = current_.begin() + std::ptrdiff_t(pos_);
    current_.insert(std::upper_bound(from, current_.end(), e, runs_before), e);
  }
  void link(std::int64_t b, const Event& e) {
    std::uint32_t n;
    if (free_ != kNone) {
      n = free_;
      free_ = nodes_[n].next;
    } else {
      n = std::uint32_t(nodes_.size());
      nodes_.emplace_back();
    }
    const auto i = std::size_t(b & mask_);
    nodes_[n] = Node{e.time, e.seq, e.a, e.tag, heads_[i], e.type};
    heads_[i] = n;
    occupied_[i / 64] |= std::uint64_t{1} << (i % 64);
  }

  // The current run is spent and events remain (the caller checked): move to the earliest bucket holding any, from
  // the wheel or the far tier, take in the far events its horizon now covers, and sort it.
  void advance() {
    current_.clear();
    pos_ = 0;
    std::int64_t next = next_occupied();
    if (!far_.empty()) next = std::min(next, bucket_of(far_.top().time));
    cur_ = next;
    while (!far_.empty() && bucket_of(far_.top().time) < cur_ + buckets_) {
      const Event e = far_.pop();
      if (bucket_of(e.time) == cur_) {
        current_.push_back(e);
      } else {
        link(bucket_of(e.time), e);
      }
    }
    const auto i = std::size_t(cur_ & mask_);
    for (std::uint32_t n = heads_[i]; n != kNone;) {
      const Node& node = nodes_[n];
      current_.push_back(Event{node.time, node.seq, node.a, node.tag, node.type});
      const std::uint32_t next_node = node.next;
      nodes_[n].next = free_;
      free_ = n;
      n = next_node;
    }
    heads_[i] = kNone;
    occupied_[i / 64] &= ~(std::uint64_t{1} << (i % 64));
    sort_run();
  }

  // A bucket holds a handful of events (one or two at one host): insertion sort does that in a
  // few compares where std::sort's set-up costs more than the sorting. (time, seq) is unique, so
  // any correct sort gives the same run.
  void sort_run() {
    if (current_.size() > 24) return std::sort(current_.begin(), current_.end(), runs_before);
    for (std::size_t k = 1; k < current_.size(); ++k) {
      const Event e = current_[k];
      std::size_t j = k;
      for (; j > 0 && runs_before(e, current_[j - 1]); --j) current_[j] = current_[j - 1];
      current_[j] = e;
    }
  }

  // The first bucket after cur_ (within one turn of the wheel) whose list is not empty, or the
  // largest bucket number if none is.
  std::int64_t next_occupied() const {
    const auto words = std::size_t(buckets_ + 63) / 64;
    const auto start = std::size_t((cur_ + 1) & mask_);
    std::size_t w = start / 64;
    std::uint64_t bits = occupied_[w] & (~std::uint64_t{0} << (start % 64));
    for (std::size_t scanned = 0; scanned <= words; ++scanned) {
      if (bits != 0) {
        const std::size_t i = w * 64 + std::size_t(std::countr_zero(bits));
        const std::int64_t ahead = (std::int64_t(i) - ((cur_ + 1) & mask_)) & mask_;
        return cur_ + 1 + ahead;
      }
      if (++w == words) w = 0;  // no division per word scanned
      bits = occupied_[w];
    }
    return std::numeric_limits<std::int64_t>::max();
  }

  unsigned shift_;
  std::int64_t buckets_, mask_;
  std::int64_t cur_ = 0;                // the bucket the current run came from
  std::vector<Event> current_;          // the current bucket's events, sorted; popped from pos_
  std::size_t pos_ = 0;
  std::vector<std::uint32_t> heads_;    // per bucket: its first node, or kNone
  std::vector<std::uint64_t> occupied_; // per bucket: one bit, set while its list is not empty
  std::vector<Node> nodes_;
  std::uint32_t free_ = kNone;          // free nodes, linked through next
  EventHeap far_;
  std::size_t size_ = 0;
  std::uint64_t next_seq_ = 0;
};

}  // namespace mpsim::sim
