#include "sim/link_schedule.h"

#include <algorithm>

namespace mpsim::sim {

void LinkSchedule::forget_before(std::int64_t horizon) {
  while (first_ < busy_.size() && busy_[first_].end <= horizon) ++first_;
  // Compact only when the dead prefix dominates: the common in-order stream never copies.
  if (first_ > 32 && 2 * first_ > busy_.size()) {
    busy_.erase(busy_.begin(), busy_.begin() + std::ptrdiff_t(first_));
    first_ = 0;
  }
}

// Touching bookings merge, so a stream of back-to-back messages is one booking.
void LinkSchedule::insert(std::size_t at, std::int64_t begin, std::int64_t end) {
  const bool joins_prev = at > first_ && busy_[at - 1].end == begin;
  const bool joins_next = at < busy_.size() && busy_[at].begin == end;
  if (joins_prev && joins_next) {
    busy_[at - 1].end = busy_[at].end;
    busy_.erase(busy_.begin() + std::ptrdiff_t(at));
  } else if (joins_prev) {
    busy_[at - 1].end = end;
  } else if (joins_next) {
    busy_[at].begin = begin;
  } else {
    busy_.insert(busy_.begin() + std::ptrdiff_t(at), Busy{begin, end});
  }
}

std::int64_t LinkSchedule::book_behind(std::int64_t arrival, std::int64_t duration) {
  // Bookings are disjoint and sorted, so their ends are too: skip those over at arrival.
  std::size_t i = std::size_t(
      std::partition_point(busy_.begin() + std::ptrdiff_t(first_), busy_.end(),
                           [arrival](const Busy& b) { return b.end <= arrival; }) -
      busy_.begin());
  std::int64_t start = arrival;
  for (; i < busy_.size(); ++i) {
    if (start + duration <= busy_[i].begin) break;  // fits in the gap before booking i
    start = std::max(start, busy_[i].end);
  }
  if (duration > 0) insert(i, start, start + duration);
  return start + duration;
}

}  // namespace mpsim::sim
