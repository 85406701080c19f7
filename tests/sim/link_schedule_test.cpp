#include <catch2/catch.hpp>

#include "sim/link_schedule.h"

using mpsim::sim::LinkSchedule;

TEST_CASE("link schedule: a busy cable queues the next message FIFO", "[sim][link]") {
  LinkSchedule l;
  CHECK(l.book(100, 10, 0) == 110);
  CHECK(l.book(105, 10, 0) == 120);  // waits for the first to leave
  CHECK(l.book(200, 10, 0) == 210);  // idle by then: no wait
  CHECK(l.held() == 2);              // 100..120 merged, 200..210
}

TEST_CASE("link schedule: an early arrival uses the gap before a later booking", "[sim][link]") {
  LinkSchedule l;
  CHECK(l.book(2'000, 10, 0) == 2'010);  // a reply delayed upstream books the cable ahead
  CHECK(l.book(100, 10, 0) == 110);      // a fast reply arriving first is not held behind it
  CHECK(l.book(1'995, 10, 0) == 2'020);  // does not fit before 2000: served after the booking
  CHECK(l.book(1'980, 10, 0) == 1'990);  // fits exactly in the gap
}

TEST_CASE("link schedule: bookings behind the clock are forgotten", "[sim][link]") {
  LinkSchedule l;
  for (int i = 0; i < 1'000; ++i) l.book(i * 100, 10, i * 100);  // in-order stream with gaps
  CHECK(l.held() == 1);
  CHECK(l.book(50'000, 0, 0) == 50'000);  // zero-length message: no booking
}
