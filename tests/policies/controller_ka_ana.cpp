// Keep-alive detection timing (core.c nvme_keep_alive_work, block/blk-timeout.c blk_add_timer,
// §1.7) and ANA log / ANATT handling (multipath.c nvme_update_ana_state, nvme_anatt_timeout, §1.6).
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

// The validation guest's setting: kato 2 s against nvmet (TBKAS), a HZ=100 kernel.
ControllerConfig guest_ka() {
  ControllerConfig cfg;
  cfg.kato = 2s;
  cfg.tbkas = true;
  cfg.request_timer.hz = 100;
  return cfg;
}

}  // namespace

TEST_CASE("block-layer timer arithmetic: blk_round_jiffies pad and timer-wheel buckets", "[controller][keepalive]") {
  CHECK(blk_timeout_pad_jiffies(100) == 128);
  CHECK(blk_timeout_pad_jiffies(250) == 256);
  CHECK(blk_timeout_pad_jiffies(1000) == 1024);
  CHECK(timer_wheel_bucket_jiffies(62) == 1);
  CHECK(timer_wheel_bucket_jiffies(63) == 8);
  CHECK(timer_wheel_bucket_jiffies(503) == 8);
  CHECK(timer_wheel_bucket_jiffies(504) == 64);
  CHECK(timer_wheel_bucket_jiffies(4032) == 512);
}

TEST_CASE("keep-alive with exact timeouts (hz 0): a silent loss is detected between kato and 1.5 x kato",
          "[controller][keepalive]") {
  for (Duration rtt : {Duration(0), Duration(10ms)}) {
    ControllerConfig cfg;  // kato 5 s: a keep-alive every 2.5 s, each with a 5 s timeout
    cfg.request_timer.hz = 0;
    Duration lo = Duration::max(), hi = Duration::min();
    for (Duration loss = 20s; loss <= 20s + 2600ms; loss += 50ms) {
      Duration d = ka_detection(at(loss), cfg, rtt);
      CHECK(d >= cfg.kato);
      CHECK(d <= cfg.kato + cfg.kato / 2);
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    CHECK(lo < cfg.kato + 100ms);
    CHECK(hi >= cfg.kato + cfg.kato / 2 - 100ms);
  }
}

// With the block layer's rounding a loss costs kato after the lost keep-alive when the queue
// timer was already pending (re-armed at the exact deadline), and up to the pad plus one 64-jiffy
// bucket more when the lost keep-alive armed it afresh.
TEST_CASE("keep-alive (§1.7, HZ 250): a silent loss is detected between kato and period + kato + pad + bucket",
          "[controller][keepalive]") {
  ControllerConfig cfg;  // kato 5 s, no TBKAS: a keep-alive every 2.5 s
  const Duration pad_and_bucket = 1024ms + 256ms;  // 256 + 64 jiffies at HZ 250
  Duration lo = Duration::max(), hi = Duration::min();
  for (Duration loss = 20s; loss <= 20s + 7600ms; loss += 50ms) {
    Duration d = ka_detection(at(loss), cfg, Duration(0));
    CHECK(d >= cfg.kato);
    CHECK(d <= cfg.kato / 2 + cfg.kato + pad_and_bucket);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  CHECK(lo < cfg.kato + 100ms);             // a loss just before a keep-alive, queue timer pending
  CHECK(hi > cfg.kato / 2 + cfg.kato + 1s);  // a loss just after an exchange, timer armed afresh
}

TEST_CASE("keep-alive: timeouts are counted and the controller recovers through the reconnect loop",
          "[controller][keepalive]") {
  Rig r;
  Controller& a = r.controller("nvme0");  // kato 5 s, HZ 250
  r.connect_all();
  r.timers.advance_to(at(10s) + 1ms);  // the 10 s exchange is done; it armed the queue timer for 16.128 s
  r.transport.silent.insert(&a);
  // The 12.5 s keep-alive is lost. The pending timer fires at 16.128 s, finds it running and
  // re-arms for its deadline, jiffy 4375, whose 8-jiffy bucket ends at jiffy 4376.
  r.timers.advance_to(at(17504ms) - 1ns);
  CHECK(a.state() == ControllerState::Live);
  r.timers.advance_to(at(17504ms));
  CHECK(a.counters().keep_alive_timeouts == 1);
  CHECK(a.state() == ControllerState::Connecting);
  r.transport.silent.clear();
  r.timers.advance_to(at(27504ms));  // reconnect_delay later
  CHECK(a.state() == ControllerState::Live);
  // 2.5, 5, 7.5, 10, the lost one at 12.5 s, and one at once on reconnect: the last check
  // (ka_last_check_time, 12.5 s) is more than a period ago.
  CHECK(a.counters().keep_alives_sent == 6);
}

TEST_CASE("TBKAS: completions since the last check postpone the keep-alive; a lost link sends it one tick later",
          "[controller][keepalive]") {
  Rig r;
  const ControllerConfig cfg = guest_ka();
  Controller& a = r.controller("nvme0", cfg);
  NamespaceHead& h = r.head();
  h.add_path(a, 1, AnaState::Optimized);
  r.connect_all();
  for (Duration t = 50ms; t <= 10050ms; t += 100ms) {
    r.timers.advance_to(at(t));
    r.submit(h);
    r.transport.complete_all();
  }
  CHECK(a.counters().keep_alives_sent == 0);
  // An I/O hangs and the link goes silent. The 10.5 s check still sees the 10.05 s completion;
  // the 11 s check sees none and sends.
  r.submit(h);
  r.transport.silent.insert(&a);
  r.timers.advance_to(at(11s) - 1ns);
  CHECK(a.counters().keep_alives_sent == 0);
  r.timers.advance_to(at(11s));
  CHECK(a.counters().keep_alives_sent == 1);
  // Sent at jiffy 1100: deadline 1300, padded 1428, fired at the end of its 64-jiffy bucket.
  r.timers.advance_to(at(14720ms) - 1ns);
  CHECK(a.state() == ControllerState::Live);
  r.timers.advance_to(at(14720ms));
  CHECK(a.state() == ControllerState::Connecting);
  CHECK(a.counters().keep_alive_timeouts == 1);

  Rig idle;
  Controller& b = idle.controller("nvme1", cfg);
  idle.connect_all();
  idle.timers.advance_to(at(10s));
  CHECK(b.counters().keep_alives_sent == 20);  // every 0.5 s without traffic
}

TEST_CASE("TBKAS: only a command sent after the last check proves the link (nvme_complete_rq)",
          "[controller][keepalive]") {
  auto sent_by_1600ms = [](Duration dispatch) {
    Rig r;
    Controller& a = r.controller("nvme0", guest_ka());
    NamespaceHead& h = r.head();
    h.add_path(a, 1, AnaState::Optimized);
    r.connect_all();
    r.timers.advance_to(at(dispatch));
    r.submit(h);
    r.timers.advance_to(at(1300ms));
    r.transport.complete_all();
    r.timers.advance_to(at(1600ms));
    return a.counters().keep_alives_sent;
  };
  // Checks at 0.5, 1.0 and 1.5 s. Sent at 1.2 s and done at 1.3 s: the 1.5 s check skips.
  // Sent at 0.7 s (before the 1 s check) and done at 1.3 s: the 1.5 s check sends.
  CHECK(sent_by_1600ms(1200ms) == 2);
  CHECK(sent_by_1600ms(700ms) == 3);
}

TEST_CASE("keep-alive timeout: a pending queue timer re-arms at the deadline, a fresh one pads and rounds",
          "[controller][keepalive]") {
  // Idle TBKAS controller: keep-alives every 0.5 s. The 0.5 s one arms the timer for jiffy
  // 250 + 128, ending its bucket at 3.84 s; later ones leave it alone; it then goes idle until
  // the 4 s keep-alive arms it for jiffy 728, bucket end 7.68 s.
  auto detected = [](Duration loss) {
    Rig r;
    Controller& a = r.controller("nvme0", guest_ka());
    r.connect_all();
    r.timers.advance_to(at(loss));
    r.transport.silent.insert(&a);
    r.timers.advance_to(at(loss + 20s));
    return r.observer.first(a, ControllerState::Resetting, at(loss));
  };
  CHECK(detected(2600ms) == at(5040ms));  // lost at 3 s; the 3.84 s fire re-arms for jiffy 500 -> 504
  CHECK(detected(3600ms) == at(7680ms));  // lost at 4 s, armed afresh: 400 + 200 + 128 -> 768
  CHECK(detected(4100ms) == at(7680ms));  // lost at 4.5 s: the 4 s timer fires after its deadline
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

namespace {

ControllerConfig exact_timers() {
  ControllerConfig cfg;
  cfg.request_timer.hz = 0;  // no jiffies: the ANATT timer fires at exactly 2 x ANATT
  return cfg;
}

// When an ANATT timer armed at `armed` resets the controller, on a host kernel of `hz`.
TimePoint anatt_reset_at(std::uint32_t hz, TimePoint armed) {
  ControllerConfig cfg;
  cfg.request_timer.hz = hz;
  Rig r;
  Controller& a = r.controller("nvme0", cfg);  // anatt 10 s, as nvmet reports
  r.connect_all();
  r.timers.advance_to(armed);
  r.transport.ana_log[&a] = {{1, AnaState::Change}};
  a.on_ana_change_notice();
  r.timers.advance_by(0ms);
  r.transport.ana_log[&a] = {{1, AnaState::Optimized}};
  r.timers.advance_to(armed + 30s);
  return r.observer.first(a, ControllerState::Resetting);
}

}  // namespace

TEST_CASE("ANATT is a timer-wheel timer: it fires at the end of its bucket, after 2 x ANATT", "[controller][ana][anatt]") {
  // HZ 100: 2000 jiffies away is level 2 (64-jiffy buckets): the guest's resets came 0.4-0.6 s late.
  // Armed at 1.000 s (jiffy 100): expires 2100, runs at the bucket end 2112 = 21.12 s.
  CHECK(anatt_reset_at(100, at(1s)) == at(21120ms));
  // Armed at 1.27 s (jiffy 127): expires 2127, bucket end 2176 = 21.76 s, 0.49 s late.
  CHECK(anatt_reset_at(100, at(1270ms)) == at(21760ms));
  // Late by (0, 64] jiffies whatever the phase.
  for (int ms = 0; ms < 1000; ms += 37) {
    const Duration late = anatt_reset_at(100, at(2s) + std::chrono::milliseconds(ms)) - (at(22s) + std::chrono::milliseconds(ms));
    CHECK(late > 0ms);
    CHECK(late <= 640ms);
  }
  // HZ 250: 5000 jiffies is level 3 (512-jiffy buckets, 2.048 s): armed at jiffy 250, expires
  // 5250, runs at 5632 = 22.528 s.
  CHECK(anatt_reset_at(250, at(1s)) == at(22528ms));
  // No jiffies: exactly 2 x ANATT.
  CHECK(anatt_reset_at(0, at(1s)) == at(21s));
}

TEST_CASE("ANATT (§1.6): CHANGE arms one timer for 2 x ANATT; expiry resets the controller", "[controller][ana][anatt]") {
  Rig r;
  Controller& a = r.controller("nvme0", exact_timers());  // anatt 10 s, as nvmet reports
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
  Controller& a = r.controller("nvme0", exact_timers());
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
