// When one direction of a cable is busy. A message that reaches the cable first is served first,
// even if a message sent earlier booked the cable for a later moment: a reply slowed by a gray
// hop upstream must not hold a shared downstream cable idle while faster replies wait behind it.
#pragma once

#include <cstdint>
#include <vector>

namespace mpsim::sim {

class LinkSchedule {
 public:
  // Occupies the cable for `duration` from the earliest moment >= `arrival` it is idle that long;
  // returns when the message has left it. Bookings ending before `horizon` (the engine's clock:
  // no later message can arrive before it) are forgotten first.
  // Inline: almost every message finds the cable idle from its arrival on (the fast path).
  std::int64_t book(std::int64_t arrival, std::int64_t duration, std::int64_t horizon) {
    if (first_ < busy_.size() && busy_[first_].end <= horizon) {
      // Usually every booking is over (the cable idles from the clock on): drop them at once, so
      // an in-order stream holds one booking and walks no prefix (issue 18: a call per message).
      if (busy_.back().end <= horizon) {
        busy_.clear();
        first_ = 0;
      } else {
        forget_before(horizon);
      }
    }
    if (first_ == busy_.size() || arrival > busy_.back().end) {
      if (duration > 0) busy_.push_back(Busy{arrival, arrival + duration});
      return arrival + duration;
    }
    if (arrival == busy_.back().end) return busy_.back().end += duration;
    return book_behind(arrival, duration);
  }
  // After the run: the bookings' memory back before the result is assembled (an empty schedule
  // is a fresh one, so a later booking still works).
  void release() {
    std::vector<Busy>().swap(busy_);
    first_ = 0;
  }
  // Bookings still held (tests; an in-order stream keeps this at one).
  std::size_t held() const { return busy_.size() - first_; }

 private:
  struct Busy {
    std::int64_t begin, end;
  };
  std::int64_t book_behind(std::int64_t arrival, std::int64_t duration);  // the cable is busy at arrival
  void forget_before(std::int64_t horizon);
  void insert(std::size_t at, std::int64_t begin, std::int64_t end);

  std::vector<Busy> busy_;  // sorted, disjoint; [first_, size) are live
  std::size_t first_ = 0;
};

}  // namespace mpsim::sim
