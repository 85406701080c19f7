// Controller state machine: error recovery, reset, the reconnect loop, ctrl_loss_tmo,
// fast_io_fail_tmo and the I/O timeout (multipath-behaviour.md §1.7-1.8; tcp.c, fabrics.c).
#include <catch2/catch.hpp>

#include "tests/policies/fake_env.h"

using namespace mpsim::policies;
using namespace mpsim::policies::headtest;

namespace {
constexpr NvmeStatus kOk{};
}

TEST_CASE("nvmf_parse_options: max_reconnects = ceil(ctrl_loss_tmo / reconnect_delay)", "[controller][reconnect]") {
  ControllerConfig c;
  CHECK(max_reconnects(c) == 60);
  c.ctrl_loss_tmo = 25s;
  CHECK(max_reconnects(c) == 3);
  c.ctrl_loss_tmo = 0s;
  CHECK(max_reconnects(c) == 0);
  c.ctrl_loss_tmo = Duration(-1);
  CHECK(max_reconnects(c) == -1);
}

TEST_CASE("lifecycle: NEW -> CONNECTING -> LIVE; a failed first connect deletes the controller", "[controller]") {
  Rig r;
  Controller& a = r.controller("nvme0");
  Controller& b = r.controller("nvme1");
  CHECK(a.state() == ControllerState::New);
  r.transport.connect_ok = [&](Controller& c) { return &c == &a; };
  a.start();
  b.start();
  CHECK(a.state() == ControllerState::Connecting);
  r.timers.advance_by(0ms);
  CHECK(a.state() == ControllerState::Live);
  CHECK(b.state() == ControllerState::Dead);
  CHECK(r.transport.connects[&b] == 1);
}

TEST_CASE("nvme_tcp_error_recovery_work (§1.8): in-flight I/O is cancelled with 0x371 and completes on another path",
          "[controller][recovery]") {
  Rig r;
  Controller& a = r.controller("nvme0");
  Controller& b = r.controller("nvme1");
  NamespaceHead& h = r.head();
  Path& pa = h.add_path(a, 1, AnaState::Optimized);
  Path& pb = h.add_path(b, 1, AnaState::Optimized);
  r.connect_all();
  for (int i = 0; i < 4; ++i) r.submit(h);
  REQUIRE(r.transport.outstanding_on(a) == 4);

  a.on_transport_error();
  CHECK(a.state() == ControllerState::Resetting);
  CHECK(h.inflight() == 4);  // teardown runs from the work queue
  r.timers.advance_by(0ms);
  CHECK(r.transport.disconnects[&a] == 1);
  CHECK(a.counters().cancelled_ios == 4);
  CHECK(a.state() == ControllerState::Connecting);
  CHECK(r.transport.outstanding_on(b) == 4);
  CHECK(pa.counters.failovers == 4);
  r.transport.complete_all(kOk);
  CHECK(r.sink.done.size() == 4);
  for (const Finished& f : r.sink.done) CHECK(f.result.ok());
  CHECK(pb.counters.ios == 4);
  CHECK(a.counters().resets == 1);
  // Reconnect after reconnect_delay (10 s), not before.
  r.timers.advance_by(9999ms);
  CHECK(r.transport.connects[&a] == 1);
  r.timers.advance_by(1ms);
  CHECK(r.transport.connects[&a] == 2);
  CHECK(a.state() == ControllerState::Live);
  CHECK(a.nr_reconnects() == 0);
  CHECK(a.counters().reconnect_attempts == 1);
}

TEST_CASE("nvme_reset_ctrl_work: reset reconnects at once", "[controller][reset]") {
  Rig r;
  Controller& a = r.controller("nvme0");
  r.connect_all();
  r.timers.advance_by(1s);
  a.reset();
  CHECK(a.state() == ControllerState::Resetting);
  r.timers.advance_by(0ms);
  CHECK(r.transport.connects[&a] == 2);
  CHECK(a.state() == ControllerState::Live);
  CHECK(r.observer.first(a, ControllerState::Connecting, at(1s)) == at(1s));
}

TEST_CASE("ctrl_loss_tmo (§1.8): the last controller is deleted after max_reconnects x reconnect_delay; queued I/O fails then",
          "[controller][reconnect][nopath]") {
  Rig r;
  ControllerConfig cfg;
  cfg.ctrl_loss_tmo = 60s;  // max_reconnects = 6
  cfg.reconnect_delay = 10s;
  Controller& a = r.controller("nvme0", cfg);
  NamespaceHead& h = r.head();
  h.add_path(a, 1, AnaState::Optimized);
  r.connect_all();
  r.timers.advance_to(at(100s));
  IoRequest& io = r.submit(h);
  r.transport.connect_ok = [](Controller&) { return false; };
  a.on_transport_error();
  r.timers.advance_by(0ms);
  CHECK(h.queued() == 1);  // CONNECTING counts as an available path

  r.timers.advance_to(at(100s + 60s) - 1ns);
  CHECK(r.sink.done.empty());
  CHECK(a.state() == ControllerState::Connecting);
  CHECK(r.transport.connects[&a] == 1 + 5);
  r.timers.advance_to(at(160s));
  CHECK(r.transport.connects[&a] == 1 + 6);
  CHECK(a.counters().reconnect_attempts == 6);
  CHECK(a.state() == ControllerState::Dead);
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].io == &io);
  CHECK(r.sink.done[0].result.reason == FailReason::NoAvailablePath);
  CHECK(r.sink.done[0].at == at(160s));
  CHECK(h.counters().fail_no_available_path == 1);
}

TEST_CASE("ctrl_loss_tmo < 0: reconnect forever", "[controller][reconnect]") {
  Rig r;
  ControllerConfig cfg;
  cfg.ctrl_loss_tmo = Duration(-1);
  Controller& a = r.controller("nvme0", cfg);
  r.connect_all();
  r.transport.connect_ok = [](Controller&) { return false; };
  a.on_transport_error();
  r.timers.advance_by(3600s);
  CHECK(a.state() == ControllerState::Connecting);
  CHECK(a.counters().reconnect_attempts == 360);
}

TEST_CASE("fast_io_fail_tmo (§1.8): queued I/O fails when failfast expires on every controller", "[controller][failfast]") {
  Rig r;
  ControllerConfig cfg;
  cfg.fast_io_fail_tmo = 5s;
  Controller& a = r.controller("nvme0", cfg);
  Controller& b = r.controller("nvme1", cfg);
  NamespaceHead& h = r.head();
  h.add_path(a, 1, AnaState::Optimized);
  h.add_path(b, 1, AnaState::Optimized);
  r.connect_all();
  r.transport.connect_ok = [](Controller&) { return false; };
  a.on_transport_error();
  r.timers.advance_by(2s);
  b.on_transport_error();  // failfast on b expires at 7 s
  r.timers.advance_by(0ms);
  r.submit(h);
  r.submit(h);
  CHECK(h.queued() == 2);
  r.timers.advance_to(at(5s));
  CHECK(a.failfast_expired());
  CHECK(h.queued() == 2);  // b may still come back
  r.timers.advance_to(at(7s) - 1ns);
  CHECK(r.sink.done.empty());
  r.timers.advance_to(at(7s));
  REQUIRE(r.sink.done.size() == 2);
  CHECK(r.sink.count(FailReason::FailfastExpired) == 2);
  r.submit(h);
  CHECK(r.sink.count(FailReason::FailfastExpired) == 3);  // new I/O fails at once
  // A reconnect clears failfast and I/O flows again.
  r.transport.connect_ok = [&](Controller& c) { return &c == &b; };
  r.timers.advance_to(at(12s));  // b's reconnect at 2 + 10 s
  CHECK(b.state() == ControllerState::Live);
  CHECK_FALSE(b.failfast_expired());
  CHECK(a.failfast_expired());
  r.submit(h);
  CHECK(r.transport.outstanding_on(b) == 1);
}

TEST_CASE("I/O timeout (§1.8): a request older than io_timeout on a LIVE controller starts error recovery",
          "[controller][timeout]") {
  Rig r;
  Controller& a = r.controller("nvme0");
  Controller& b = r.controller("nvme1");
  NamespaceHead& h = r.head();
  h.add_path(a, 1, AnaState::Optimized);
  h.add_path(b, 1, AnaState::Optimized);
  r.connect_all();
  IoRequest& stuck = r.submit(h);
  r.timers.advance_to(at(10s));
  std::size_t timers_with_one = r.timers.pending();
  std::vector<IoRequest*> quick;
  for (int i = 0; i < 100; ++i) quick.push_back(&r.submit(h));
  CHECK(r.timers.pending() == timers_with_one);  // one timer per controller, not per I/O
  for (IoRequest* io : quick) CHECK(r.transport.complete_io(*io, kOk));
  CHECK(r.transport.outstanding_on(a) == 1);
  r.timers.advance_to(at(30s) - 1ns);
  CHECK(a.state() == ControllerState::Live);
  r.timers.advance_to(at(30s));
  CHECK(a.counters().io_timeouts == 1);
  CHECK(a.state() != ControllerState::Live);
  r.timers.advance_by(0ms);
  CHECK(stuck.path != nullptr);
  CHECK(stuck.path->ctrl == &b);
}

TEST_CASE("admin_timeout: an unanswered reconnect fails after 60 s and the loop goes on", "[controller][reconnect]") {
  Rig r;
  Controller& a = r.controller("nvme0");
  r.connect_all();
  r.transport.silent.insert(&a);
  a.on_transport_error();
  r.timers.advance_by(10s);  // first reconnect goes out and is swallowed
  CHECK(r.transport.connects[&a] == 2);
  r.timers.advance_by(60s - 1ns);
  CHECK(a.counters().admin_timeouts == 0);
  r.timers.advance_by(1ns);
  CHECK(a.counters().admin_timeouts == 1);
  CHECK(r.transport.disconnects[&a] == 2);  // teardown, then the half-open connect
  r.transport.silent.clear();
  r.timers.advance_by(10s);
  CHECK(a.state() == ControllerState::Live);
}

TEST_CASE("admin_timeout: an unanswered ANA log read on a LIVE controller starts error recovery",
          "[controller][ana]") {
  Rig r;
  ControllerConfig cfg;
  cfg.kato = Duration(0);  // keep-alive off, so only the read can notice
  Controller& a = r.controller("nvme0", cfg);
  r.connect_all();
  r.transport.silent.insert(&a);
  a.on_ana_change_notice();
  r.timers.advance_to(at(60s) - 1ns);
  CHECK(a.state() == ControllerState::Live);
  r.timers.advance_to(at(60s));
  CHECK(a.counters().admin_timeouts == 1);
  CHECK(a.state() == ControllerState::Connecting);
}
