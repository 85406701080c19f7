// TCP under NVMe/TCP: Linux's RTO rules, retransmission through a short silent loss, random loss
// as a latency tail, and teardown discarding what TCP still held.
#include <catch2/catch.hpp>

#include <algorithm>

#include "models/transport.h"
#include "scenario_fixture.h"

using namespace mpsim;
using namespace mpsim::sim;
using namespace mpsim::sim::testing;

namespace {

std::uint64_t completions_between(const RunResult& r, Duration from, Duration to) {
  std::uint64_t n = 0;
  r.for_each_timeline_row([&](const TimelineRow& row) {
    if (row.controller.empty() && row.start >= from && row.start < to) n += row.completions;
  });
  return n;
}

const models::TcpParams kTcp;

// When a message lost at the start of a silent loss of `blip` first gets through: the RTO
// (rto_min plus an RTT far below a millisecond here) doubles until a retransmission leaves after
// the route is back, at rto x (2^k - 1) after the loss.
Duration first_retransmission_after(Duration blip) {
  const std::int64_t rto = kTcp.rto_min_ns + 1'000'000;  // srtt well under 1 ms
  std::int64_t interval = rto, at = rto;
  while (at < blip.count()) {
    interval = std::min(interval * 2, kTcp.rto_max_ns);
    at += interval;
  }
  return Duration(at);
}

}  // namespace

TEST_CASE("the RTO follows Linux: srtt + rttvar with rttvar never below tcp_rto_min", "[sim][tcp]") {
  models::RttEstimator e;
  CHECK(e.rto_ns(kTcp) == 1'000'000'000);  // TCP_TIMEOUT_INIT before any sample
  e.sample(100'000, 0, kTcp);              // 100 us
  CHECK(e.srtt_ns() == 100'000);
  CHECK(e.rto_ns(kTcp) == 100'000 + kTcp.rto_min_ns);
  for (int i = 1; i <= 50; ++i) e.sample(100'000, i * 100'000, kTcp);
  CHECK(e.rto_ns(kTcp) == 100'000 + kTcp.rto_min_ns);
  // A slow network: the estimate follows (7/8 old + 1/8 new) and rttvar rises above the floor.
  models::RttEstimator slow;
  slow.sample(500'000'000, 0, kTcp);  // 500 ms: the first sample sets rto = 3 x rtt
  CHECK(slow.rto_ns(kTcp) == 1'500'000'000);
  slow.sample(100'000'000, 1, kTcp);
  CHECK(slow.srtt_ns() == 450'000'000);
}

TEST_CASE("tcp_retries2 = 15 gives up 924.6 s after the first transmission from a 200 ms RTO", "[sim][tcp]") {
  CHECK(models::tcp_give_up_ns(kTcp, 15) == 924'600'000'000);
  CHECK(models::tcp_give_up_ns(kTcp, 3) == 3'000'000'000);  // 0.2 + 0.4 + 0.8 + 1.6
}

TEST_CASE("a 1 s silent flap on a remote link costs the blip plus the backoff remainder, not keep-alive", "[sim][tcp]") {
  const Duration blip = 1s;
  const Duration bound = first_retransmission_after(blip);  // 1.4 s from the loss
  CHECK(bound >= 1'400ms);  // 0.2 + 0.4 + 0.8 s and three round trips
  CHECK(bound < 1'410ms);
  for (const std::string policy : {"numa", "round-robin", "queue-depth"}) {
    INFO(policy);
    Scenario s = scenario(two_path_topology(), policy, job(32, 6s));
    s.faults.push_back(fault(faults::Down{Detection::Silent, blip}, "sw-a--t0.p0", 1s));
    const RunResult r = run_scenario(s);
    CHECK(r.ledger.balanced());
    CHECK(r.ledger.failed == 0);
    CHECK(r.faults.at(0).stall <= bound + 5ms);
    if (policy != "queue-depth") CHECK(r.faults.at(0).stall >= blip);  // queue-depth keeps p1 busy meanwhile
    // Keep-alive never noticed: the path stays live and carries I/O again after the blip.
    CHECK_FALSE(has_event(r, "ctrl-state", "h0/t0.p0", "live->resetting"));
    CHECK(has_event(r, "tcp", "h0/t0.p0", "retransmission after 2 backoffs gets through"));
    CHECK(completions_between(r, 3s, 6s) > 100000);
    CHECK(r.ledger.inflight_at_end <= 32);
    // numa stays on p0 after the blip (its one I/O queue runs on one nvmet core: ~885k I/Os)
    if (policy == "numa") CHECK(path(r, "h0/t0.p0").ios > 20 * path(r, "h0/t0.p1").ios + 500'000);
  }
}

TEST_CASE("the gray-failure shape with a 1 s silent down no longer waits for the I/O timeout", "[sim][tcp]") {
  // round-robin, QD32, 14 s: every I/O ends up on the blipped path within microseconds.
  Scenario s = scenario(two_path_topology(), "round-robin", job(32, 14s));
  s.faults.push_back(fault(faults::Down{Detection::Silent, 1s}, "sw-a--t0.p0", 4s));
  const RunResult r = run_scenario(s);
  CHECK(r.faults.at(0).stall >= 1s);
  CHECK(r.faults.at(0).stall <= first_retransmission_after(1s) + 5ms);
  CHECK(completions_between(r, 7s, 14s) > 1'000'000);
  CHECK(r.ledger.failed == 0);
}

TEST_CASE("a loss longer than keep-alive: the teardown discards what TCP still held", "[sim][tcp]") {
  Scenario s = scenario(two_path_topology("OPTIMIZED", "options { reconnect_delay_s: 1 }"), "numa", job(32, 14s));
  s.faults.push_back(fault(faults::Down{Detection::Silent, 8s}, "sw-a--t0.p0", 1s));
  const RunResult r = run_scenario(s);
  CHECK(has_event(r, "ctrl-state", "h0/t0.p0", "live->resetting"));
  CHECK(has_event(r, "tcp", "h0/t0.p0", "discarded: teardown"));
  CHECK(r.ledger.failed == 0);
  CHECK(r.ledger.balanced());
  CHECK(path(r, "h0/t0.p1").ios > 100000);  // failed over, nothing retransmitted into the old connection
}

std::int64_t percentile(const LatencyStats& lat, double p) {
  for (const auto& [q, ns] : lat.percentiles) {
    if (q == p) return ns;
  }
  throw std::runtime_error("no percentile " + std::to_string(p));
}

TEST_CASE("random loss of 5 % under load: an RTO-sized tail in p99.9, not in p50", "[sim][tcp]") {
  auto run = [](std::uint64_t seed) {
    Scenario s = scenario(two_path_topology(), "round-robin", job(16, 4s), seed);
    s.faults.push_back(fault(faults::Loss{0.05, Duration(-1)}, "sw-a--t0.p0", 500ms));
    return run_scenario(s);
  };
  const RunResult r = run(1);
  REQUIRE(r.jobs.size() == 1);
  const LatencyStats& lat = r.jobs[0].read.clat;
  // Most losses are followed by a later message whose SACK lets RACK resend within a round trip;
  // a lost retransmission waits for the RTO (about 14 % of lost 3-segment responses), and with
  // in-order delivery every I/O on that direction waits with it.
  CHECK(percentile(lat, 50.0) < 200'000);
  CHECK(percentile(lat, 99.0) < 1'000'000);
  CHECK(percentile(lat, 99.9) >= kTcp.rto_min_ns * 99 / 100);  // histogram buckets are within 0.8 %
  CHECK(r.ledger.failed == 0);
  CHECK(has_event(r, "fault", "sw-a--t0.p0", "loss"));
  // Deterministic: the same seed gives the same latencies, another seed other draws.
  const RunResult again = run(1);
  CHECK(again.jobs[0].read.clat.percentiles == lat.percentiles);
  CHECK(again.jobs[0].read.clat.max_ns == lat.max_ns);
  CHECK(run(2).jobs[0].read.clat.max_ns != lat.max_ns);
}

TEST_CASE("random loss at QD1: a lost message is a tail, so it waits for the RTO (p99, not p50)", "[sim][tcp]") {
  Scenario s = scenario(two_path_topology(), "numa", job(1, 3s));
  s.faults.push_back(fault(faults::Loss{0.01, Duration(-1)}, "sw-a--t0.p0", 0s));  // ~4 % of I/Os lose a segment
  const RunResult r = run_scenario(s);
  const LatencyStats& lat = r.jobs[0].read.clat;
  CHECK(percentile(lat, 50.0) < 200'000);
  CHECK(percentile(lat, 99.0) >= kTcp.rto_min_ns * 99 / 100);  // histogram buckets are within 0.8 %
  CHECK(percentile(lat, 99.0) < kTcp.rto_min_ns + 5'000'000);  // one RTO: the route is up, the retransmission gets through
  CHECK(r.ledger.failed == 0);
}
