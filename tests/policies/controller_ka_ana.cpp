// Keep-alive detection timing (core.c nvme_keep_alive_work, §1.7) and ANA log / ANATT handling
// (multipath.c nvme_update_ana_state, nvme_anatt_timeout, §1.6).
#include <algorithm>

#include <catch2/catch.hpp>

#include "tests/policies/fake_env.h"

using namespace mpsim::policies;
using namespace mpsim::policies::headtest;

namespace {

// Time from a silent loss at `loss` (the transport swallows everything from then on) to the
// controller leaving LIVE.
Duration ka_detection(TimePoint loss, ControllerConfig cfg, Duration rtt) {
  Rig r;
  r.transport.rtt = rtt;
  Controller& a = r.controller("nvme0", cfg);
  r.connect_all();
  r.timers.advance_to(loss);
  r.transport.silent.insert(&a);
  r.timers.advance_to(loss + 60s);
  return r.observer.first(a, ControllerState::Resetting, loss) - loss;
}

}  // namespace

TEST_CASE("keep-alive (§1.7): a silent loss is detected between kato and 1.5 x kato", "[controller][keepalive]") {
  for (Duration rtt : {Duration(0), Duration(10ms)}) {
    ControllerConfig cfg;  // kato 5 s: a keep-alive every 2.5 s, each with a 5 s timeout
    Duration lo = Duration::max(), hi = Duration::min();
    for (Duration loss = 20s; loss <= 20s + 2600ms; loss += 50ms) {
      Duration d = ka_detection(at(loss), cfg, rtt);
      CHECK(d >= cfg.kato);
      CHECK(d <= cfg.kato + cfg.kato / 2);
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    CHECK(lo < cfg.kato + 100ms);        // a loss just before a keep-alive goes out
    CHECK(hi >= cfg.kato + cfg.kato / 2 - 100ms);  // a loss just after an exchange
  }
}

TEST_CASE("keep-alive: timeouts are counted and the controller recovers through the reconnect loop",
          "[controller][keepalive]") {
  Rig r;
  Controller& a = r.controller("nvme0");
  r.connect_all();
  r.timers.advance_to(at(10s) + 1ms);  // the 10 s exchange is done
  r.transport.silent.insert(&a);
  r.timers.advance_to(at(17500ms));
  CHECK(a.counters().keep_alive_timeouts == 1);
  CHECK(a.state() == ControllerState::Connecting);
  r.transport.silent.clear();
  r.timers.advance_to(at(27500ms));  // reconnect_delay later
  CHECK(a.state() == ControllerState::Live);
  CHECK(a.counters().keep_alives_sent == 5);  // 2.5, 5, 7.5, 10 and the lost one at 12.5 s
}

TEST_CASE("keep-alive with TBKAS: kato/4 checks, completions suppress the command, loss still within 1.5 x kato",
          "[controller][keepalive]") {
  Rig r;
  ControllerConfig cfg;
  cfg.tbkas = true;
  Controller& a = r.controller("nvme0", cfg);
  NamespaceHead& h = r.head();
  h.add_path(a, 1, AnaState::Optimized);
  r.connect_all();
  for (Duration t = 100ms; t <= 10s; t += 100ms) {
    r.timers.advance_to(at(t));
    r.submit(h);
    r.transport.complete_all();
  }
  CHECK(a.counters().keep_alives_sent == 0);
  // Traffic stops (an I/O hangs in flight) and the link goes silent right after a completion.
  r.submit(h);
  r.transport.silent.insert(&a);
  TimePoint loss = r.timers.now();
  r.timers.advance_by(20s);
  Duration d = r.observer.first(a, ControllerState::Resetting, loss) - loss;
  CHECK(d >= cfg.kato);
  CHECK(d <= cfg.kato + cfg.kato / 2);
  CHECK(a.counters().keep_alive_timeouts == 1);

  Rig idle;
  Controller& b = idle.controller("nvme1", cfg);
  idle.connect_all();
  idle.timers.advance_to(at(10s));
  CHECK(b.counters().keep_alives_sent == 8);  // every 1.25 s without traffic
}

TEST_CASE("nvme_update_ana_state (§1.6): a log applies to every path of the group and clears ANA-pending",
          "[controller][ana]") {
  Rig r;
  Controller& a = r.controller("nvme0", {}, {{1, AnaState::Optimized}, {2, AnaState::NonOptimized}});
  NamespaceHead& h1 = r.head();
  NamespaceHead& h2 = r.head();
  NamespaceHead& h3 = r.head();
  Path& p1 = h1.add_path(a, 1, AnaState::Optimized);
  Path& p2 = h2.add_path(a, 2, AnaState::Optimized);
  Path& p3 = h3.add_path(a, 1, AnaState::Optimized);
  r.connect_all();
  CHECK(p2.ana_state == AnaState::NonOptimized);
  p1.ana_pending = true;
  r.transport.ana_log[&a] = {{1, AnaState::Inaccessible}};
  a.on_ana_change_notice();
  r.timers.advance_by(0ms);
  CHECK(p1.ana_state == AnaState::Inaccessible);
  CHECK(p3.ana_state == AnaState::Inaccessible);
  CHECK_FALSE(p1.ana_pending);
  CHECK(p2.ana_state == AnaState::NonOptimized);
  CHECK(a.counters().ana_log_reads == 1);
}

TEST_CASE("ANA log re-read: a burst of ANA errors asks once, plus once more if asked while reading",
          "[controller][ana]") {
  Rig r;
  r.transport.rtt = 1ms;
  Controller& a = r.controller("nvme0");
  Controller& b = r.controller("nvme1");
  NamespaceHead& h = r.head();
  h.add_path(a, 1, AnaState::Optimized);
  h.add_path(b, 1, AnaState::Optimized);
  r.connect_all();
  for (int i = 0; i < 8; ++i) r.submit(h);
  REQUIRE(r.transport.outstanding_on(a) == 8);
  for (int i = 0; i < 8; ++i) r.transport.complete_front(NvmeStatus{status::kAnaTransition, false, 0}, &a);
  CHECK(r.transport.ana_reads[&a] == 1);
  r.timers.advance_by(1ms);
  CHECK(r.transport.ana_reads[&a] == 2);
  r.timers.advance_by(1ms);
  CHECK(r.transport.ana_reads[&a] == 2);
  CHECK(r.transport.outstanding_on(b) == 8);
}

TEST_CASE("ANATT (§1.6): CHANGE arms one timer for 2 x ANATT; expiry resets the controller", "[controller][ana][anatt]") {
  Rig r;
  Controller& a = r.controller("nvme0");  // anatt 10 s, as nvmet reports
  NamespaceHead& h = r.head();
  Path& p = h.add_path(a, 1, AnaState::Optimized);
  r.connect_all();
  r.timers.advance_to(at(1s));
  r.transport.ana_log[&a] = {{1, AnaState::Change}};
  a.on_ana_change_notice();
  r.timers.advance_by(0ms);
  CHECK(a.anatt_timer_armed());
  CHECK_FALSE(path_usable(p));
  IoRequest& io = r.submit(h);
  CHECK(h.queued() == 1);
  r.timers.advance_to(at(21s) - 1ns);
  CHECK(a.state() == ControllerState::Live);
  CHECK(a.counters().anatt_expiries == 0);
  r.transport.ana_log[&a] = {{1, AnaState::Optimized}};  // what the reconnect will read
  r.timers.advance_to(at(21s));
  CHECK(a.counters().anatt_expiries == 1);
  CHECK(a.counters().resets == 1);
  CHECK(r.observer.first(a, ControllerState::Resetting) == at(21s));
  bool logged = false;
  for (const auto& e : r.observer.events) logged = logged || (e.why == "ANATT timeout, resetting controller" && e.at == at(21s));
  CHECK(logged);
  CHECK(a.state() == ControllerState::Live);  // reset reconnects at once
  CHECK(r.transport.connects[&a] == 2);
  REQUIRE(r.transport.outstanding.size() == 1);
  CHECK(r.transport.outstanding.front().io == &io);
}

TEST_CASE("ANATT: another CHANGE log pushes the deadline, a log without CHANGE cancels it", "[controller][ana][anatt]") {
  Rig r;
  Controller& a = r.controller("nvme0");
  r.controller("nvme1");
  r.connect_all();
  r.transport.ana_log[&a] = {{1, AnaState::Change}};
  a.on_ana_change_notice();
  r.timers.advance_by(5s);
  a.on_ana_change_notice();  // still CHANGE at 5 s: expiry moves to 25 s
  r.timers.advance_to(at(25s) - 1ns);
  CHECK(a.counters().anatt_expiries == 0);
  r.timers.advance_to(at(25s));
  CHECK(a.counters().anatt_expiries == 1);

  r.timers.advance_to(at(30s));
  a.on_ana_change_notice();  // CHANGE again (the log still says so)
  r.timers.advance_by(1s);
  r.transport.ana_log[&a] = {{1, AnaState::Optimized}};
  a.on_ana_change_notice();
  r.timers.advance_by(0ms);
  CHECK_FALSE(a.anatt_timer_armed());
  r.timers.advance_to(at(200s));
  CHECK(a.counters().anatt_expiries == 1);
}

TEST_CASE("ANA change notice is ignored unless LIVE (nvme_ana_work)", "[controller][ana]") {
  Rig r;
  r.transport.connect_ok = [](Controller&) { return false; };
  Controller& a = r.controller("nvme0");
  a.start();
  a.on_ana_change_notice();
  CHECK(r.transport.ana_reads[&a] == 0);
}
