// The two-tier calendar (sim/calendar.h) pops in exactly the order of a plain (time, seq)
// priority queue, on random streams shaped like the engine's: near events, ties, far timers.
#include <catch2/catch.hpp>

#include <cstdint>
#include <queue>
#include <random>
#include <utility>
#include <vector>

#include "sim/calendar.h"
#include "sim/scheduler.h"

namespace {

using mpsim::sim::Calendar;
using mpsim::sim::Event;

struct Later {  // std::priority_queue pops the largest: invert (time, seq)
  bool operator()(const Event& x, const Event& y) const {
    return x.time > y.time || (x.time == y.time && x.seq > y.seq);
  }
};

struct Stream {
  std::uint64_t seed;
  int pushes_per_pop;         // while filling; the stream then drains
  std::int64_t near_span_ns;  // I/O path: now + [0, near_span)
  int far_percent;            // timers: now + [1 s, 30 s)
  int tie_percent;            // exactly now, or exactly the previous push's time
};

// Pushes and pops the same stream into both queues; returns how many events were compared.
std::size_t compare(const Stream& st, Calendar& cal, int steps) {
  std::priority_queue<Event, std::vector<Event>, Later> ref;
  std::mt19937_64 rng(st.seed);
  std::uint64_t seq = 0;
  std::int64_t now = 0, last_push = 0;
  std::size_t compared = 0;
  auto push = [&] {
    std::int64_t t;
    const int kind = int(rng() % 100);
    if (kind < st.tie_percent) {
      t = rng() % 2 ? now : std::max(now, last_push);
    } else if (kind < st.tie_percent + st.far_percent) {
      t = now + 1'000'000'000 + std::int64_t(rng() % 29'000'000'000ull);
    } else {
      t = now + std::int64_t(rng() % std::uint64_t(st.near_span_ns));
    }
    last_push = t;
    const auto a = std::uint32_t(rng()), tag = std::uint32_t(seq);
    cal.push(t, mpsim::sim::EventType(seq % 7), a, tag);
    ref.push(Event{t, seq, a, tag, mpsim::sim::EventType(seq % 7)});
    ++seq;
  };
  auto pop = [&] {
    REQUIRE(cal.size() == ref.size());
    REQUIRE(cal.top_time() == ref.top().time);
    const Event got = cal.pop(), want = ref.top();
    ref.pop();
    REQUIRE(got.time == want.time);
    REQUIRE(got.seq == want.seq);
    REQUIRE(got.a == want.a);
    REQUIRE(got.tag == want.tag);
    REQUIRE(got.type == want.type);
    REQUIRE(got.time >= now);
    now = got.time;
    ++compared;
  };
  for (int i = 0; i < steps; ++i) {
    for (int k = 0; k < st.pushes_per_pop; ++k) push();
    pop();
    if (rng() % 3 == 0) push();  // the handler of a popped event schedules the next one
  }
  while (!ref.empty()) pop();
  REQUIRE(cal.empty());
  return compared;
}

}  // namespace

TEST_CASE("calendar pops in (time, seq) order like a reference heap, default wheel", "[calendar]") {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    Calendar cal;
    // An I/O path 200 µs deep, 10% ties, 5% timers seconds ahead.
    CHECK(compare(Stream{seed, 1, 200'000, 5, 10}, cal, 200'000) > 200'000);
  }
}

TEST_CASE("calendar matches the reference across wrap-around and the far tier (tiny wheel)", "[calendar]") {
  for (std::uint64_t seed = 10; seed <= 13; ++seed) {
    Calendar cal(4, 3);  // 16 ns buckets, 8 of them: most near events are beyond the 128 ns horizon
    CHECK(compare(Stream{seed, 1, 5'000, 20, 30}, cal, 50'000) > 50'000);
  }
}

TEST_CASE("calendar keeps equal times in push order, and empties and restarts cleanly", "[calendar]") {
  Calendar cal(6, 4);
  for (int round = 0; round < 3; ++round) {
    const std::int64_t base = std::int64_t(round) * 5'000'000'000;  // far beyond any horizon
    for (std::uint32_t i = 0; i < 100; ++i) cal.push(base + 42, 0, i, 0);
    cal.push(base + 10'000'000'000 + 1, 1, 7, 0);  // a timer, then equal-time I/O events around it
    for (std::uint32_t i = 100; i < 200; ++i) cal.push(base + 42, 0, i, 0);
    REQUIRE(cal.far_size() == 1);  // the timer waits beyond the horizon, not in the wheel
    for (std::uint32_t i = 0; i < 200; ++i) {
      const Event e = cal.pop();
      REQUIRE(e.time == base + 42);
      REQUIRE(e.a == i);
    }
    REQUIRE(cal.size() == 1);
    const Event timer = cal.pop();
    CHECK(timer.time == base + 10'000'000'001);
    CHECK(timer.type == 1);
    CHECK(cal.empty());
  }
}

TEST_CASE("an event scheduled before the current bucket runs first, as in a heap", "[calendar]") {
  Calendar cal(10, 4);
  cal.push(5'000, 0, 1, 0);
  cal.push(5'000, 0, 2, 0);
  CHECK(cal.pop().a == 1);
  cal.push(100, 0, 3, 0);  // in the past of the clock: earliest, so next
  CHECK(cal.top_time() == 100);
  CHECK(cal.pop().a == 3);
  CHECK(cal.pop().a == 2);
  CHECK(cal.empty());
}
