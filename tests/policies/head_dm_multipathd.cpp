// dm-multipath's no_path_retry N as multipathd (multipath-tools 0.9.4) counts it: in ticks of its
// checker loop, from when it sees the last path down (its dm-event waiter, or the checker itself),
// with the tick's path checks before the count. The head-level cases replay the layouts of real
// runs (validate/README.md, dm section: reuse13b rep-1, full14 rep-1).
#include <catch2/catch.hpp>

#include "policies/stacks/dm_multipathd.h"
#include "policies/stacks/dm_rules.h"
#include "tests/policies/fake_env.h"

using namespace mpsim::policies;
using namespace mpsim::policies::headtest;

namespace {

// The kernel's side of a map, as multipathd's messages leave it.
struct FakeMap : DmTarget {
  std::vector<bool> failed = std::vector<bool>(2, false);
  bool queueing = true;
  int reinstated = 0;
  bool dm_failed(std::size_t p) const override { return failed[p]; }
  void dm_fail_path(std::size_t p) override { failed[p] = true; }
  void dm_reinstate_path(std::size_t p) override {
    reinstated += failed[p] ? 1 : 0;
    failed[p] = false;
  }
  void dm_queue_if_no_path(bool q) override { queueing = q; }
};

// Loops (retry_count_tick after the path checks) until queueing is disabled; how many it took.
int loops_until_disabled(Multipathd& d, FakeMap& map, bool checks_paths_first) {
  for (int loop = 1; loop < 100; ++loop) {
    if (checks_paths_first)
      for (std::size_t p = 0; p < 2; ++p) d.check_path(p, false, map);
    d.retry_count_tick(map);
    if (!map.queueing) return loop;
  }
  return -1;
}

constexpr NvmeStatus kOk{};

// Two paths under no_path_retry 2, polling 1 s (the validation scenario dm-fault-all-paths-retry2-st),
// reconnecting every second; a controller reconnects once the test relinks it.
struct Retry2 : Rig {
  Controller& a;
  Controller& b;
  NamespaceHead& h;
  std::set<const Controller*> linked;

  static ControllerConfig reconnect_every_second() {
    ControllerConfig c;
    c.reconnect_delay = 1s;
    return c;
  }
  static HeadConfig config(Duration checker_phase) {
    HeadConfig c;
    c.stack = Stack::DmMultipath;
    c.dm_no_path_retry = 2;
    c.dm_polling_interval = 1s;
    c.dm_checker_phase = checker_phase;
    return c;
  }
  explicit Retry2(Duration checker_phase)
      : a(controller("nvme0", reconnect_every_second())), b(controller("nvme1", reconnect_every_second())),
        h(head(config(checker_phase))) {
    h.add_path(a, 1, AnaState::Optimized);
    h.add_path(b, 1, AnaState::Optimized);
    linked = {&a, &b};
    transport.connect_ok = [this](Controller& c) { return linked.count(&c) > 0; };
    connect_all();
  }
  // The port of `c` goes away at `t`: its in-flight I/O is cancelled, dm fails its path.
  void unlink(Controller& c, TimePoint t) {
    timers.advance_to(t);
    linked.erase(&c);
    c.on_transport_error();
    timers.advance_by(0ms);
  }
};

}  // namespace

TEST_CASE("multipathd: queueing ends N x polling_interval loops after the tick that saw no path up, one more after "
          "the waiter saw it",
          "[dm][multipathd]") {
  SECTION("the checker sees the last path down: that loop counts too (loop 1 here)") {
    Multipathd d(2, 5);
    FakeMap map;
    d.add_path(0, true);
    d.add_path(1, true);
    CHECK(loops_until_disabled(d, map, true) == 2 * 5 + 1);
    CHECK(d.in_recovery());
    CHECK(map.failed == std::vector<bool>{true, true});  // "checker failed path"
  }
  SECTION("the dm-event waiter sees it between ticks: the +1 of retry_tick shows") {
    Multipathd d(2, 5);
    FakeMap map;
    d.add_path(0, true);
    d.add_path(1, true);
    map.failed = {true, true};  // the kernel failed both on I/O errors
    d.on_dm_event(map);
    REQUIRE(d.in_recovery());
    CHECK(d.retry_tick() == 11);
    CHECK(loops_until_disabled(d, map, false) == 2 * 5 + 1);
  }
  SECTION("a path seen up ends recovery mode and queues again") {
    Multipathd d(2, 1);
    FakeMap map;
    d.add_path(0, true);
    d.add_path(1, true);
    map.failed = {true, true};
    d.on_dm_event(map);
    d.retry_count_tick(map);
    d.retry_count_tick(map);
    d.retry_count_tick(map);
    REQUIRE_FALSE(map.queueing);
    d.check_path(0, true, map);
    CHECK(map.reinstated == 1);
    CHECK(map.queueing);
    CHECK_FALSE(d.in_recovery());
    CHECK(d.retry_tick() == 0);
  }
  SECTION("queue and fail never count") {
    for (int retry : {0, -1}) {
      Multipathd d(retry, 1);
      FakeMap map;
      d.add_path(0, true);
      map.failed = {true, false};
      d.on_dm_event(map);
      CHECK_FALSE(d.in_recovery());
      CHECK(d.retry_tick() == 0);
    }
  }
}

TEST_CASE("dm checker loop: ticks every second from its phase, checks paths every polling_interval ticks",
          "[dm][multipathd]") {
  CHECK(next_checker_tick(at(0s), 0ms) == at(1s));
  CHECK(next_checker_tick(at(100s + 231ms), 232ms) == at(100s + 232ms));
  CHECK(next_checker_tick(at(100s + 232ms), 232ms) == at(101s + 232ms));  // strictly after
  CHECK(next_checker_tick(at(100ms), 2700ms) == at(700ms));               // ticks before the phase too
  CHECK(checker_tick_checks_paths(at(700ms), 2700ms, 5) == false);
  CHECK(checker_tick_checks_paths(at(2700ms), 2700ms, 5));
  CHECK(checker_tick_checks_paths(at(7700ms), 2700ms, 5));
  CHECK(checker_tick_checks_paths(at(3700ms), 2700ms, 1));
}

// reuse13b dm-fault-all-paths-retry2-st rep-1 (kernel uptime): "Failing path" 259:0 at 8.30 and
// 259:1 at 8.65, checker ticks at .23, "Entering recovery mode" at the 9.23 tick, "Disable queueing"
// at 11.24, nvme0 reconnected 11.36, "Reinstating path" at the 12.24 tick.
TEST_CASE("dm no_path_retry 2: queueing ends at the second checker tick after the one that saw no path",
          "[head][dm][nopath][multipathd]") {
  Retry2 r(232ms);
  r.timers.advance_to(at(108s));
  r.submit(r.h);  // on nvme0 (the first usable path); an I/O older than 30 s would time out
  r.unlink(r.a, at(108s + 300ms));
  REQUIRE(r.transport.outstanding_on(r.b) == 1);
  r.unlink(r.b, at(108s + 650ms));
  REQUIRE(r.h.queued() == 1);
  // Not 2 s after the last path failed (110.65 s), as a clock from the failure would end it:
  r.timers.advance_to(at(111s + 231ms));
  CHECK(r.sink.done.empty());
  CHECK(r.h.queued() == 1);
  r.timers.advance_to(at(111s + 232ms));
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].result.reason == FailReason::NoPathRetryExpired);
  // nvme0 reconnects (111.3 s); dm takes it back at the next tick, and queues again.
  r.linked.insert(&r.a);
  r.timers.advance_to(at(112s + 231ms));
  REQUIRE(r.a.state() == ControllerState::Live);
  CHECK(r.h.counters().dm_path_reinstates == 0);
  r.timers.advance_to(at(112s + 232ms));
  CHECK(r.h.counters().dm_path_reinstates == 1);
  CHECK(r.h.available_path());
  r.submit(r.h);
  CHECK(r.transport.outstanding_on(r.a) == 1);
}

// full14 dm-fault-all-paths-retry2-st rep-1: failing 14.97 / 15.78, ticks at .12, nvme0 reconnected
// 18.08 and reinstated at the 18.13 tick, the tick that would have disabled queueing: no error.
TEST_CASE("dm no_path_retry 2: a path back by the tick that would end queueing is reinstated first",
          "[head][dm][nopath][multipathd]") {
  Retry2 r(124ms);
  r.timers.advance_to(at(114s));
  r.submit(r.h);
  r.unlink(r.a, at(114s + 970ms));
  r.unlink(r.b, at(115s + 780ms));
  REQUIRE(r.h.queued() == 1);
  r.timers.advance_to(at(117s + 500ms));
  r.linked.insert(&r.a);  // reconnects at 117.97 s
  r.timers.advance_to(at(118s + 124ms));
  CHECK(r.h.counters().dm_path_reinstates == 1);
  CHECK(r.sink.done.empty());
  r.timers.advance_by(0ms);  // the requeue work
  REQUIRE(r.transport.outstanding_on(r.a) == 1);
  r.transport.complete_front(kOk, &r.a);
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].result.reason == FailReason::None);
  r.timers.advance_to(at(125s));
  CHECK(r.h.available_path());  // queueing was never disabled
}

// polling 5 s: the waiter handles the first failure and sleeps 1 s, so the second (0.5 s later)
// reaches multipathd only when the sleep ends, 0.3 s after a tick that does not check paths.
TEST_CASE("dm: an event during the dm-event waiter's 1 s sleep waits for its end", "[head][dm][nopath][multipathd]") {
  HeadConfig cfg = Retry2::config(2700ms);
  cfg.dm_no_path_retry = 1;
  cfg.dm_polling_interval = 5s;
  Rig r;
  ControllerConfig slow;
  slow.reconnect_delay = 60s;
  Controller& a = r.controller("nvme0", slow);
  Controller& b = r.controller("nvme1", slow);
  NamespaceHead& h = r.head(cfg);
  h.add_path(a, 1, AnaState::Optimized);
  h.add_path(b, 1, AnaState::Optimized);
  r.connect_all();
  r.transport.connect_ok = [](Controller&) { return false; };
  r.timers.advance_to(at(100s));
  r.submit(h);
  a.on_transport_error();
  r.timers.advance_to(at(100s + 500ms));
  b.on_transport_error();
  r.timers.advance_by(0ms);
  REQUIRE(h.queued() == 1);
  // Recovery from 101.0 s (the sleep's end): 1 x 5 + 1 loops, the ticks at x.7 -> 106.7 s. Had
  // the waiter seen it at 100.5 s, the 6th tick would be 105.7 s.
  r.timers.advance_to(at(106s + 699ms));
  CHECK(r.sink.done.empty());
  r.timers.advance_to(at(106s + 700ms));
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].result.reason == FailReason::NoPathRetryExpired);
}

TEST_CASE("dm policy parameter checker_phase_ms: the head's checker phase, below one polling interval",
          "[dm][multipathd][registry]") {
  HeadConfig c;
  apply_policy_options({"dm-service-time", {}}, c);
  CHECK(c.dm_checker_phase == Duration(0));
  apply_policy_options({"dm-service-time", {{"polling_interval", "2"}, {"checker_phase_ms", "1999"}}}, c);
  CHECK(c.dm_checker_phase == 1999ms);
  CHECK_NOTHROW(make_selector({"dm-round-robin", {{"checker_phase_ms", "4999"}}}));  // polling 5 s by default
  CHECK_THROWS_WITH(make_selector({"dm-round-robin", {{"polling_interval", "1"}, {"checker_phase_ms", "1000"}}}),
                    Catch::Contains("checker_phase_ms"));
}
