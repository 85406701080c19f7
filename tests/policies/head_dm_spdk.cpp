// NamespaceHead under dm-multipath rules (multipath-behaviour.md §3.2-3.3) and SPDK bdev_nvme
// rules (§4: bdev_retry_count, 1 s no-path retry, ANA transition bounded by ANATT).
#include <set>

#include <catch2/catch.hpp>

#include "tests/policies/fake_env.h"

using namespace mpsim::policies;
using namespace mpsim::policies::headtest;

namespace {
constexpr NvmeStatus kOk{};
NvmeStatus st(std::uint16_t code) { return NvmeStatus{code, false, 0}; }

HeadConfig dm(bool queue_if_no_path, int no_path_retry) {
  HeadConfig c;
  c.stack = Stack::DmMultipath;
  c.dm_queue_if_no_path = queue_if_no_path;
  c.dm_no_path_retry = no_path_retry;
  return c;
}

HeadConfig spdk() {
  HeadConfig c;
  c.stack = Stack::Spdk;
  return c;
}

struct Pair : Rig {
  Controller& a;
  Controller& b;
  NamespaceHead& h;
  Path& pa;
  Path& pb;
  explicit Pair(HeadConfig cfg, ControllerConfig ccfg = {})
      : a(controller("nvme0", ccfg)), b(controller("nvme1", ccfg)), h(head(cfg)),
        pa(h.add_path(a, 1, AnaState::Optimized)), pb(h.add_path(b, 1, AnaState::Optimized)) {
    connect_all();
  }
};
}  // namespace

TEST_CASE("dm fail_path (§3.2): a path error fails the path, retries elsewhere; the checker reinstates it",
          "[head][dm]") {
  Pair r(dm(false, 0));
  r.submit(r.h);
  r.transport.complete_front(st(status::kInternalPathError));
  CHECK(r.h.counters().dm_path_failures == 1);
  r.timers.advance_by(0ms);
  REQUIRE(r.transport.outstanding.size() == 1);
  CHECK(r.transport.outstanding.front().ctrl == &r.b);
  r.transport.complete_all();
  r.submit(r.h);  // pa is usable for the kernel, but dm has it on the invalid list
  CHECK(r.transport.outstanding.front().ctrl == &r.b);
  r.transport.complete_all();
  r.timers.advance_by(5s);  // polling_interval: checker "none" finds the device up
  CHECK(r.h.counters().dm_path_reinstates == 1);
  r.submit(r.h);
  CHECK(r.transport.outstanding.front().ctrl == &r.a);
  CHECK(r.sink.done.size() == 2);
}

TEST_CASE("dm: a reconnected path is reinstated at multipathd's next checker tick, not when it goes live",
          "[head][dm]") {
  ControllerConfig fast;
  fast.reconnect_delay = 2s;
  Pair r(dm(false, 0), fast);
  r.submit(r.h);
  r.submit(r.h);
  r.a.on_transport_error();  // p1's I/O is cancelled: dm fails p1, the checker starts (every 5 s)
  r.timers.advance_by(0ms);
  REQUIRE(r.h.counters().dm_path_failures == 1);
  r.transport.complete_all();
  r.timers.advance_by(3s);
  REQUIRE(r.a.state() == ControllerState::Live);  // reconnected after 2 s
  CHECK(r.h.counters().dm_path_reinstates == 0);
  r.submit(r.h);
  CHECK(r.transport.outstanding.back().ctrl == &r.b);  // still off the selector's list
  r.transport.complete_all();
  r.timers.advance_by(2s);  // the checker's path-checking tick (every 5 s from 0 s) finds p1 up
  CHECK(r.h.counters().dm_path_reinstates == 1);
}

TEST_CASE("dm (§3.2): a medium error goes back to the caller, no nvme-level retries (REQ_FAILFAST_TRANSPORT)",
          "[head][dm]") {
  Pair r(dm(false, 0));
  r.submit(r.h);
  r.transport.complete_front(st(status::kUnrecoveredReadError));
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].result.reason == FailReason::ErrorStatus);
  CHECK(r.h.counters().retries == 0);
}

TEST_CASE("dm features 0 / no_path_retry fail: no path fails at once, even while a controller reconnects",
          "[head][dm][nopath]") {
  Rig r;
  Controller& a = r.controller("nvme0");
  NamespaceHead& h = r.head(dm(false, 0));
  h.add_path(a, 1, AnaState::Optimized);
  r.connect_all();
  r.submit(h);
  a.on_transport_error();
  r.timers.advance_by(0ms);
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].result.reason == FailReason::NoAvailablePath);
}

TEST_CASE("dm queue_if_no_path (§3.2): queue while no path, flush when the path comes back", "[head][dm][nopath]") {
  Rig r;
  Controller& a = r.controller("nvme0");
  NamespaceHead& h = r.head(dm(true, 0));
  h.add_path(a, 1, AnaState::Optimized);
  r.connect_all();
  r.submit(h);
  r.transport.connect_ok = [](Controller&) { return false; };
  a.on_transport_error();
  r.timers.advance_by(0ms);
  r.submit(h);
  CHECK(h.queued() == 2);
  r.timers.advance_by(300s);
  CHECK(r.sink.done.empty());
  r.transport.connect_ok = [](Controller&) { return true; };
  r.timers.advance_by(10s);
  CHECK(a.state() == ControllerState::Live);
  r.timers.advance_by(5s);  // multipathd's next checker tick reinstates the path
  CHECK(r.transport.outstanding.size() == 2);
  CHECK(h.counters().dm_path_reinstates == 1);
}

TEST_CASE("dm no_path_retry N (§3.3): queue N polling intervals (in multipathd's loop ticks) after the last path "
          "failed, then fail",
          "[head][dm][nopath]") {
  Rig r;
  Controller& a = r.controller("nvme0");
  NamespaceHead& h = r.head(dm(false, 3));  // 3 x 5 s
  h.add_path(a, 1, AnaState::Optimized);
  r.connect_all();
  r.timers.advance_to(at(100s));
  r.submit(h);
  r.transport.connect_ok = [](Controller&) { return false; };
  a.on_transport_error();
  r.timers.advance_by(0ms);
  CHECK(h.queued() == 1);
  // multipathd's dm-event waiter sees the path down at 100 s, between two ticks of its checker
  // loop (every second from 0 s): retry_tick = 3 x 5 + 1 loops, the last at 116 s.
  r.timers.advance_to(at(116s) - 1ns);
  CHECK(r.sink.done.empty());
  r.timers.advance_to(at(116s));
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].result.reason == FailReason::NoPathRetryExpired);
  r.submit(h);
  CHECK(r.sink.count(FailReason::NoPathRetryExpired) == 2);
  // The path returns: queueing is enabled again.
  r.transport.connect_ok = [](Controller&) { return true; };
  r.timers.advance_to(at(120s));
  REQUIRE(a.state() == ControllerState::Live);
  r.timers.advance_to(at(125s));  // reinstated at the next checker tick ("queue_if_no_path enabled")
  CHECK(h.counters().dm_path_reinstates == 1);
  r.transport.connect_ok = [](Controller&) { return false; };
  a.on_transport_error();
  r.timers.advance_by(0ms);
  r.submit(h);
  CHECK(h.queued() == 1);
}

TEST_CASE("SPDK bdev_retry_count (§4): non-path errors retry 3 times then fail", "[head][spdk]") {
  Pair r(spdk());
  IoRequest& io = r.submit(r.h);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(r.transport.outstanding.size() == 1);
    r.transport.complete_front(st(status::kUnrecoveredReadError));
    r.timers.advance_by(0ms);
  }
  REQUIRE(r.transport.outstanding.size() == 1);
  r.transport.complete_front(st(status::kUnrecoveredReadError));
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].result.reason == FailReason::ErrorStatus);
  CHECK(io.attempt == 4);
  CHECK(r.h.counters().retries == 3);
}

TEST_CASE("SPDK (§4): a path error retries at once on another path without spending the retry count",
          "[head][spdk]") {
  Pair r(spdk());
  IoRequest& io = r.submit(r.h);
  r.transport.ana_log[&r.a] = {{1, AnaState::Inaccessible}};
  r.transport.complete_front(st(status::kAnaInaccessible));
  CHECK(r.pa.ana_pending);  // ana_state_updating + log read
  r.timers.advance_by(0ms);
  REQUIRE(r.transport.outstanding.size() == 1);
  CHECK(r.transport.outstanding.front().ctrl == &r.b);
  CHECK(io.retries == 0);
  r.transport.complete_all();
  CHECK(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].result.ok());
}

TEST_CASE("SPDK (§4): no path while a controller may recover retries every second", "[head][spdk][nopath]") {
  Rig r;
  Controller& a = r.controller("nvme0");
  NamespaceHead& h = r.head(spdk());
  h.add_path(a, 1, AnaState::Optimized);
  r.connect_all();
  r.transport.connect_ok = [](Controller&) { return false; };
  a.on_transport_error();
  r.timers.advance_by(0ms);
  r.timers.advance_to(at(500ms));
  r.submit(h);
  CHECK(h.delayed() == 1);
  r.transport.connect_ok = [](Controller&) { return true; };
  r.timers.advance_to(at(10s));  // reconnected at 10 s
  CHECK(a.state() == ControllerState::Live);
  CHECK(r.transport.outstanding.empty());
  r.timers.advance_to(at(10500ms));  // the retry at 10.5 s finds the path
  REQUIRE(r.transport.outstanding.size() == 1);
  CHECK(r.transport.outstanding.front().at == at(10500ms));
  CHECK(h.counters().requeue_no_usable_path == 10);  // the passes at 0.5, 1.5, ... 9.5 s
}

TEST_CASE("SPDK (§4): ANA inaccessible queues until ANATT elapses, then fails", "[head][spdk][ana]") {
  Rig r;
  Controller& a = r.controller("nvme0", {}, {{1, AnaState::Inaccessible}});
  NamespaceHead& h = r.head(spdk());
  h.add_path(a, 1, AnaState::Inaccessible);
  r.connect_all();
  r.submit(h);
  r.timers.advance_to(at(9s));
  CHECK(r.sink.done.empty());
  r.timers.advance_to(at(10s));  // ANATT 10 s
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].result.reason == FailReason::NoPathRetryExpired);
}

TEST_CASE("SPDK (§4): nothing may recover -> fail at once", "[head][spdk][nopath]") {
  Rig r;
  Controller& a = r.controller("nvme0");
  NamespaceHead& h = r.head(spdk());
  h.add_path(a, 1, AnaState::Optimized);
  r.connect_all();
  a.remove();
  r.submit(h);
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].result.reason == FailReason::NoAvailablePath);
}

TEST_CASE("iopolicy change: rules stay within a stack, a change of stack brings the other stack's rules",
          "[head][dm][rules]") {
  Pair r(dm(false, 0));
  r.submit(r.h);
  r.transport.complete_front(st(status::kInternalPathError));
  r.timers.advance_by(0ms);
  r.transport.complete_all();
  REQUIRE(r.h.counters().dm_path_failures == 1);
  // Another dm selector: pa stays failed (dm's state lives in its rules, which stay).
  r.h.set_selector(make_selector({"dm-round-robin", {}}), Stack::DmMultipath);
  for (int i = 0; i < 3; ++i) {
    r.submit(r.h);
    CHECK(r.transport.outstanding.back().ctrl == &r.b);
  }
  r.transport.complete_all();
  // Linux rules: every usable path is offered again, and a path error fails over without
  // failing the path.
  r.h.set_selector(make_selector({"round-robin", {}}), Stack::LinuxNative);
  std::set<const Controller*> used;
  for (int i = 0; i < 4; ++i) {
    r.submit(r.h);
    used.insert(r.transport.outstanding.back().ctrl);
  }
  CHECK(used.size() == 2);
  r.transport.complete_all();
  r.submit(r.h);
  r.transport.complete_front(st(status::kInternalPathError));
  r.timers.advance_by(0ms);
  CHECK(r.h.counters().dm_path_failures == 1);
  CHECK(r.h.counters().failovers == 2);
  CHECK(r.transport.outstanding.size() == 1);
}
