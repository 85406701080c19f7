// Faults: who notices, how fast, and that no I/O is ever lost by the books.
#include <catch2/catch.hpp>

#include <algorithm>

#include "scenario_fixture.h"

using namespace mpsim;
using namespace mpsim::sim;
using namespace mpsim::sim::testing;

namespace {

const std::string kFastReconnect = "options { reconnect_delay_s: 1 }";

std::uint64_t completions_after(const RunResult& r, Duration t) {
  std::uint64_t n = 0;
  r.for_each_timeline_row([&](const TimelineRow& row) {
    if (row.controller.empty() && row.start >= t) n += row.completions;
  });
  return n;
}

// When `subject` first logged an event of `kind` whose detail holds `detail`, at or after `from`.
Duration first_event(const RunResult& r, const std::string& kind, const std::string& subject, const std::string& detail,
                     Duration from) {
  for (const auto& e : r.events) {
    if (e.at >= from && e.kind == kind && e.subject == subject && e.detail.find(detail) != std::string::npos) return e.at;
  }
  return Duration(-1);
}

FaultSpec reset_fault(const std::string& controller, Duration at, ResetSide side) {
  return fault(faults::ControllerReset{side}, controller, at);
}

// Two optimized paths, reconnect_delay 1 s, one reset of `side` on p0 at `at`.
Scenario reset_scenario(const std::string& policy, std::uint32_t iodepth, Duration runtime, Duration at, ResetSide side) {
  Scenario s = scenario(two_path_topology("OPTIMIZED", kFastReconnect), policy, job(iodepth, runtime));
  s.faults.push_back(reset_fault("h0/t0.p0", at, side));
  return s;
}

// numa, QD16 for 3 s, p0 reset at 1 s; checks what every reset must keep: the books balance,
// nothing fails, the fault names its side.
RunResult run_numa_reset(ResetSide side) {
  const RunResult r = run_scenario(reset_scenario("numa", 16, 3s, 1s, side));
  CHECK(r.ledger.balanced());
  CHECK(r.ledger.failed == 0);
  CHECK(has_event(r, "fault", "h0/t0.p0", side == ResetSide::Host ? "host controller reset" : "target controller fatal error"));
  return r;
}

}  // namespace

TEST_CASE("all paths down for 3 s: I/O queues, then drains with no failure", "[sim][fault]") {
  Scenario s = scenario(two_path_topology("OPTIMIZED", kFastReconnect), "round-robin", job(32, 6s));
  s.faults.push_back(fault(faults::Down{Detection::Immediate, 3s}, "t0.p0", 1s));
  s.faults.push_back(fault(faults::Down{Detection::Immediate, 3s}, "t0.p1", 1s));
  const RunResult r = run_scenario(s);
  CHECK(r.ledger.failed == 0);
  CHECK(r.ledger.balanced());
  CHECK(r.faults.at(0).stall >= 3s);
  CHECK(r.faults.at(0).stall < 5s);
  CHECK(r.faults.at(0).time_to_detect >= 0s);
  CHECK(r.faults.at(0).time_to_detect < 1ms);
  CHECK(completions_after(r, 5s) > 10000);
  CHECK(has_event(r, "ctrl-state", "h0/t0.p0", "connecting->live"));
}

// kato 5 s against nvmet (TBKAS, checks every kato/4) with I/O on the lost path: the first check
// after the loss still sees completions, the next sends the keep-alive, and the block layer fires
// its timeout kato + roundup_pow_of_two(HZ) jiffies later, at the end of a 64-jiffy wheel bucket.
constexpr Duration kKato = 5s;
struct HostKernel {
  std::uint32_t hz;     // topology host kernel_hz (0 = default, 250)
  Duration jiffy, pad;  // pad = roundup_pow_of_two(HZ) jiffies
  Duration silent_loss_min() const { return kKato + kKato / 4 + pad; }
  Duration silent_loss_max() const { return kKato + kKato / 2 + pad + 64 * jiffy; }
};
constexpr HostKernel kDefaultKernel{0, 4ms, 1024ms};

TEST_CASE("a silent remote loss is noticed by keep-alive within kato + kato/4..kato/2 + block-layer pad",
          "[sim][fault]") {
  for (const HostKernel k : {HostKernel{100, 10ms, 1280ms}, kDefaultKernel}) {
    std::string topo = two_path_topology();
    if (k.hz) replace_all(topo, R"(nics { name: "nic0")", "kernel_hz: " + std::to_string(k.hz) + R"( nics { name: "nic0")");
    Scenario s = scenario(topo, "numa", job(8, 12s));
    s.faults.push_back(fault(faults::Down{Detection::Auto, Duration(-1)}, "sw-a--t0.p0", 1s));
    const RunResult r = run_scenario(s);
    const Duration min = k.silent_loss_min();
    const Duration max = k.silent_loss_max();
    INFO("kernel_hz " << k.hz);
    const auto detect = r.faults.at(0).time_to_detect;
    CHECK(detect > min);
    CHECK(detect <= max);
    CHECK(r.ledger.failed == 0);
    CHECK(path(r, "h0/t0.p1").ios > 1000);  // failed over once noticed
    CHECK(r.faults.at(0).stall >= min);
  }
}

TEST_CASE("a local link loss is noticed at once", "[sim][fault]") {
  Scenario s = scenario(two_path_topology(), "numa", job(8, 3s));
  s.faults.push_back(fault(faults::Down{Detection::Auto, 1s}, "h0.nic0--sw-a", 1s));
  const RunResult r = run_scenario(s);
  CHECK(r.faults.at(0).time_to_detect >= 0s);
  CHECK(r.faults.at(0).time_to_detect < 1ms);
  CHECK(r.faults.at(0).stall < 10ms);
  CHECK(r.ledger.failed == 0);
  CHECK(path(r, "h0/t0.p1").ios > 1000);
}

TEST_CASE("a port that closes connections while others stay up: refused reconnects, then back", "[sim][fault]") {
  Scenario s = scenario(two_path_topology("OPTIMIZED", kFastReconnect), "numa", job(8, 5s));
  s.faults.push_back(fault(faults::Down{Detection::Immediate, 2s}, "t0.p0", 1s));
  const RunResult r = run_scenario(s);
  CHECK(r.ledger.failed == 0);
  CHECK(has_event(r, "ctrl-state", "h0/t0.p0", "connecting->live"));
  CHECK(r.faults.at(0).time_to_full_throughput >= 0s);
}

TEST_CASE("ANA change with a transition: I/O leaves the path and nothing fails", "[sim][fault]") {
  Scenario s = scenario(two_path_topology(), "numa", job(16, 4s));
  FaultSpec f = fault(faults::AnaChange{1, topology::INACCESSIBLE, 200ms, 2s}, "t0.p0", 1s);
  s.faults.push_back(f);
  const RunResult r = run_scenario(s);
  CHECK(r.ledger.failed == 0);
  CHECK(has_event(r, "ana", "h0/t0.p0", "optimized->change"));
  CHECK(has_event(r, "ana", "h0/t0.p0", "->inaccessible"));
  CHECK(path(r, "h0/t0.p1").ios > 1000);
  CHECK(r.faults.at(0).time_to_detect < 1ms);
}

TEST_CASE("a flapping link keeps the ledger balanced", "[sim][fault]") {
  Scenario s = scenario(two_path_topology("OPTIMIZED", kFastReconnect), "round-robin", job(16, 5s));
  FaultSpec f = fault(faults::Flap{3, 1s, Detection::Immediate}, "sw-a--t0.p0", 1s);
  s.faults.push_back(f);
  const RunResult r = run_scenario(s);
  CHECK(r.ledger.failed == 0);
  CHECK(r.ledger.balanced());
  CHECK(std::count_if(r.events.begin(), r.events.end(), [](const EventRow& e) { return e.kind == "fault"; }) == 3);
  CHECK(path(r, "h0/t0.p0").failed_over_ios > 0);
}

TEST_CASE("a gray link slows its path; queue-depth moves load away, round-robin does not", "[sim][fault]") {
  auto run = [](const std::string& policy) {
    Scenario s = scenario(two_path_topology(), policy, job(32, 3s));
    FaultSpec f = fault(faults::Gray{100, 1}, "sw-a--t0.p0", 0s);  // 2 us -> 200 us each way
    s.faults.push_back(f);
    return run_scenario(s);
  };
  const RunResult rr = run("round-robin");
  const RunResult qd = run("queue-depth");
  CHECK(path(rr, "h0/t0.p0").share == Approx(0.5).margin(0.01));
  CHECK(path(qd, "h0/t0.p0").share < 0.4);
  CHECK(qd.jobs[0].read.clat.mean_ns < rr.jobs[0].read.clat.mean_ns);
  CHECK(rr.ledger.failed == 0);
  CHECK(qd.ledger.failed == 0);
}

TEST_CASE("a controller reset reconnects and loses nothing", "[sim][fault]") {
  Scenario s = scenario(two_path_topology(), "round-robin", job(16, 3s));
  s.faults.push_back(fault(faults::ControllerReset{}, "h0/t0.p0", 1s));
  const RunResult r = run_scenario(s);
  CHECK(r.ledger.failed == 0);
  CHECK(has_event(r, "ctrl-state", "h0/t0.p0", "live->resetting"));
  CHECK(has_event(r, "ctrl-state", "h0/t0.p0", "connecting->live"));
  CHECK(r.faults.at(0).time_to_detect == 0s);
}

TEST_CASE("a host-side reset under numa reconnects at once and keeps I/O on its path", "[sim][fault]") {
  const RunResult r = run_numa_reset(ResetSide::Host);
  const Duration back = first_event(r, "ctrl-state", "h0/t0.p0", "connecting->live", 1s);
  REQUIRE(back >= 1s);
  CHECK(back < 1s + 10ms);  // no reconnect_delay
  CHECK(path(r, "h0/t0.p1").share < 0.01);
}

TEST_CASE("a target-side reset takes the path away until reconnect_delay; numa fails over", "[sim][fault]") {
  const RunResult r = run_numa_reset(ResetSide::Target);
  // The target's FIN reaches the host one crossing later: error recovery, not a host reset.
  const Duration down = first_event(r, "ctrl-state", "h0/t0.p0", "live->resetting", 1s);
  REQUIRE(down >= 1s);
  CHECK(down < 1s + 1ms);
  CHECK(has_event(r, "ctrl-state", "h0/t0.p0", "error recovery"));
  const Duration back = first_event(r, "ctrl-state", "h0/t0.p0", "connecting->live", 1s);
  CHECK(back >= 2s);  // reconnect_delay_s: 1
  CHECK(back < 2s + 10ms);
  // About one of the three seconds ran on p1; numa returns to p0 once it is back.
  CHECK(path(r, "h0/t0.p1").share > 0.25);
  CHECK(path(r, "h0/t0.p1").share < 0.42);
  CHECK(path(r, "h0/t0.p0").failed_over_ios > 0);
}

TEST_CASE("a target-side reset of a controller with I/O in flight: every I/O ends with a reason", "[sim][fault]") {
  Scenario s = reset_scenario("round-robin", 64, 2s, 500ms, ResetSide::Target);
  s.faults.push_back(reset_fault("h0/t0.p1", 500ms, ResetSide::Target));
  const RunResult r = run_scenario(s);
  CHECK(r.ledger.balanced());
  std::uint64_t by_reason = 0;
  for (const auto& [reason, n] : r.ledger.failed_by_reason) by_reason += n;
  CHECK(by_reason == r.ledger.failed);
  // Both paths gone for reconnect_delay: I/O waits in the head's requeue list and drains after.
  CHECK(r.faults.at(0).stall >= 1s);
  CHECK(completions_after(r, 1600ms) > 10000);
}

TEST_CASE("a target node reboot: connections reset, hosts reconnect", "[sim][fault]") {
  Scenario s = scenario(two_path_topology("OPTIMIZED", kFastReconnect), "numa", job(16, 4s));
  s.faults.push_back(fault(faults::Down{Detection::Immediate, 500ms}, "t0", 1s));
  const RunResult r = run_scenario(s);
  CHECK(r.ledger.failed == 0);
  CHECK(r.faults.at(0).stall >= 500ms);
  CHECK(completions_after(r, 3s) > 10000);
}

TEST_CASE("a silent node crash: the returning node answers with RST", "[sim][fault]") {
  Scenario s = scenario(two_path_topology("OPTIMIZED", kFastReconnect), "numa", job(16, 4s));
  s.faults.push_back(fault(faults::Down{Detection::Auto, 500ms}, "t0", 1s));
  const RunResult r = run_scenario(s);
  CHECK(r.ledger.balanced());
  CHECK(r.ledger.failed == 0);
  // The first keep-alive after the reboot meets a target that forgot the connection.
  CHECK(r.faults.at(0).time_to_detect > 500ms);
  CHECK(r.faults.at(0).time_to_detect < 5s);
}

TEST_CASE("fast_io_fail_tmo fails queued I/O when every path is gone; the books still balance", "[sim][fault]") {
  Scenario s = scenario(two_path_topology("OPTIMIZED", "options { reconnect_delay_s: 1 fast_io_fail_tmo_s: 0.5 }"),
                        "round-robin", job(16, 3s));
  s.faults.push_back(fault(faults::Down{Detection::Immediate, Duration(-1)}, "t0.p0", 1s));
  s.faults.push_back(fault(faults::Down{Detection::Immediate, Duration(-1)}, "t0.p1", 1s));
  const RunResult r = run_scenario(s);
  CHECK(r.ledger.failed > 0);
  CHECK(r.ledger.balanced());
  std::uint64_t by_reason = 0;
  for (const auto& [reason, n] : r.ledger.failed_by_reason) by_reason += n;
  CHECK(by_reason == r.ledger.failed);
  CHECK(has_event(r, "job-error", "j", "status"));
  // fio stops a job at its first error: nothing is submitted after it.
  CHECK(completions_after(r, 2s) == 0);
}

TEST_CASE("Detection SILENT hides even a local link loss until keep-alive", "[sim][fault]") {
  Scenario s = scenario(two_path_topology(), "numa", job(8, 12s));
  s.faults.push_back(fault(faults::Down{Detection::Silent, Duration(-1)}, "h0.nic0--sw-a", 1s));
  const RunResult r = run_scenario(s);
  CHECK(r.faults.at(0).time_to_detect > kDefaultKernel.silent_loss_min());
  CHECK(r.faults.at(0).time_to_detect <= kDefaultKernel.silent_loss_max());
  CHECK(r.ledger.failed == 0);
}

TEST_CASE("fault actions happen at their virtual times, run after run", "[sim][fault]") {
  for (int run = 0; run < 2; ++run) {  // SimGrid's clock carries over between runs in a process
    Scenario s = scenario(two_path_topology(), "numa", job(4, 1s));
    s.faults.push_back(fault(faults::Down{Detection::Auto, 200ms}, "sw-b--t0.p1", 300ms));
    const RunResult r = run_scenario(s);
    std::vector<Duration> at;
    for (const auto& e : r.events) {
      if (e.kind == "fault" || e.kind == "fault-end") at.push_back(e.at);
    }
    CHECK(at == std::vector<Duration>{300ms, 500ms});
  }
}

TEST_CASE("a gray hop slows only its own path's replies on a shared cable", "[sim][fault][link]") {
  // Both ports reach the host through one switch and one host cable, as in the loopback guest.
  std::string shared = two_path_topology();
  replace_all(shared, R"(links { a: "h0.nic1" b: "sw-b" bandwidth: "25Gbps" latency_us: 2 })", "");
  replace_all(shared, R"(a: "sw-b" b: "t0.p1")", R"(a: "sw-a" b: "t0.p1")");
  auto run = [&](bool gray) {
    Scenario s = scenario(shared, "round-robin", job(32, 2s));
    if (gray) {
      FaultSpec f = fault(faults::Gray{100, 1}, "sw-a--t0.p0", 0s);  // 2 us -> 200 us each way on p0 only
      s.faults.push_back(f);
    }
    return run_scenario(s);
  };
  auto p1_p50 = [](const RunResult& r) {
    std::vector<std::int64_t> p50s;
    r.for_each_timeline_row([&](const TimelineRow& row) {
      if (row.controller == "h0/t0.p1" && row.completions > 0) p50s.push_back(row.p50_ns);
    });
    REQUIRE(!p50s.empty());
    std::sort(p50s.begin(), p50s.end());
    return p50s[p50s.size() / 2];
  };
  const RunResult healthy = run(false);
  const RunResult gray = run(true);
  REQUIRE(gray.ledger.failed == 0);
  // A slow p0 reply booked on the shared host cable for later must not hold p1's replies back;
  // p1 still waits for its round-robin turn (half the queue sits on p0), so allow some rise.
  CHECK(p1_p50(gray) < 1.5 * double(p1_p50(healthy)));
}

TEST_CASE("a silently dead port answers no connect: the SYN retry or the connect timeout decides", "[sim][fault]") {
  // kato 1 s: keep-alive notices the loss at about 3.3 s; the first reconnect (1 s later) goes
  // out while the port is still dead, so its SYN is lost, not refused. TCP sends it once more
  // 1 s later; if the port is back by then the retry connects, else the attempt times out (3 s).
  auto run = [](Duration outage) {
    Scenario s = scenario(two_path_topology("OPTIMIZED", "options { reconnect_delay_s: 1 kato_s: 1 }"), "numa", job(8, 10s));
    s.faults.push_back(fault(faults::Down{Detection::Silent, outage}, "t0.p0", 1s));
    const RunResult r = run_scenario(s);
    CHECK(r.ledger.failed == 0);
    const Duration recovery = first_event(r, "ctrl-state", "h0/t0.p0", "live->resetting", 1s);
    REQUIRE(recovery > 3s);
    REQUIRE(recovery < 4s);
    return std::make_pair(recovery, first_event(r, "ctrl-state", "h0/t0.p0", "connecting->live", 1s));
  };
  const auto [recovery, back] = run(4s);  // the port returns at 5 s, between the SYN and its retry
  CHECK(back >= recovery + 1s + 1s);
  CHECK(back < recovery + 1s + 1s + 10ms);
  const auto [recovery_late, back_late] = run(4500ms);  // returns after the retry too
  CHECK(back_late >= recovery_late + 1s + 3s + 1s);  // reconnect_delay, timeout, reconnect_delay
}
