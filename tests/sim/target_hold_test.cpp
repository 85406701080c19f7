// The target's side of a connection the host closed (Transport::disconnect): nvmet hears of it
// only from the wire. A FIN on a live route lets the controller go one crossing later; after a
// silent loss the target keeps the controller until its own keep-alive timer expires
// (drivers/nvme/target/core.c nvmet_keep_alive_timer), and commands it had already submitted
// (SPDK QoS holding them before the media included) still reach the media.
#include <catch2/catch.hpp>

#include <algorithm>

#include "scenario_fixture.h"

using namespace mpsim;
using namespace mpsim::sim;
using namespace mpsim::sim::testing;

namespace {

Duration event_at(const RunResult& r, const std::string& kind, const std::string& subject, const std::string& detail) {
  for (const auto& e : r.events) {
    if (e.kind == kind && e.subject == subject && e.detail.find(detail) != std::string::npos) return e.at;
  }
  return Duration(-1);
}

}  // namespace

TEST_CASE("a silent loss: the target keeps the controller until its own keep-alive timer expires", "[sim][target]") {
  Scenario s = scenario(two_path_topology("OPTIMIZED", "options { kato_s: 5 }"), "numa", job(16, 14s));
  s.faults.push_back(fault(faults::Down{Detection::Silent, 12s}, "t0.p0", 1s));
  const RunResult r = run_scenario(s);
  CHECK(r.ledger.balanced());
  // The host notices by keep-alive (kato 5 s, TBKAS) and tears the connection down ...
  const Duration host_gave_up = event_at(r, "ctrl-state", "h0/t0.p0", "live->resetting");
  REQUIRE(host_gave_up > 7s);
  // ... but the target heard nothing. Its timer ran from the connect (microseconds after 0),
  // fired at 5 s with commands seen (re-armed) and at 10 s with none: expired, and only then
  // does the target let the controller go.
  const Duration expired = event_at(r, "nvmet", "h0/t0.p0", "keep-alive timer (5 s) expired");
  REQUIRE(host_gave_up < 10s);
  CHECK(expired >= 10s);
  CHECK(expired < 10s + 10ms);
  CHECK(event_at(r, "nvmet", "h0/t0.p1", "expired") == Duration(-1));  // the healthy path's target kept hearing it
}

TEST_CASE("a host-side reset on a live route: the FIN reaches the target, its timer never expires", "[sim][target]") {
  Scenario s = scenario(two_path_topology("OPTIMIZED", "options { kato_s: 1 reconnect_delay_s: 1 }"), "numa", job(16, 4s));
  s.faults.push_back(fault(faults::ControllerReset{ResetSide::Host}, "h0/t0.p0", 1s));
  const RunResult r = run_scenario(s);
  CHECK(r.ledger.balanced());
  CHECK(r.ledger.failed == 0);
  CHECK(event_at(r, "nvmet", "h0/t0.p0", "expired") == Duration(-1));
}

TEST_CASE("commands SPDK QoS held when the host gave up still reach the media", "[sim][target][qos]") {
  // 2000 IOPS on the namespace: 2 per 1 ms timeslice, so most of QD32 waits in the QoS queue.
  Scenario s = scenario(two_path_topology("OPTIMIZED"), "numa", job(32, 2s));
  s.target_qos.push_back(TargetQosSpec{"nqn.test:s1", 1, "", SpdkQosLimits{2000, 0, 0, 0}});
  s.faults.push_back(fault(faults::ControllerReset{ResetSide::Host}, "h0/t0.p0", 1s));
  const RunResult r = run_scenario(s);
  CHECK(r.ledger.balanced());
  CHECK(r.ledger.failed == 0);
  // The reset cancelled the 32 commands in flight; nvmet had submitted all of them (at most two
  // were past QoS at the media): each lands, after the host gave up on it.
  CHECK(r.abandoned.landed >= 28);
  CHECK(r.abandoned.landed <= 32);
  CHECK(r.abandoned.lost == 0);
  const auto landed_events = std::count_if(r.events.begin(), r.events.end(),
                                           [](const EventRow& e) { return e.kind == "abandoned_command_landed"; });
  CHECK(std::uint64_t(landed_events) == r.abandoned.landed);
}

// nvme-tcp shuts the socket down before it frees it: a command already on the wire reaches nvmet
// ahead of the FIN and runs (drivers/nvme/target/tcp.c: nvmet_tcp_release_queue_work waits for
// io_work and nvmet_sq_destroy for what it submitted), though the host has failed it over.
namespace {

// 32 in-capsule 4 KiB writes on p0, whose links take `p0_us` each way; target CPU free, media 5 us.
Scenario writes_on_a_long_path(int p0_us, int p1_us) {
  std::string topo = two_path_topology("OPTIMIZED", "options { kato_s: 5 reconnect_delay_s: 1 }");
  replace_all(topo, "b: \"sw-a\" bandwidth: \"25Gbps\" latency_us: 2", "b: \"sw-a\" bandwidth: \"25Gbps\" latency_us: P0");
  replace_all(topo, "b: \"t0.p0\" bandwidth: \"100Gbps\" latency_us: 2", "b: \"t0.p0\" bandwidth: \"100Gbps\" latency_us: P0");
  replace_all(topo, "latency_us: 2", "latency_us: " + std::to_string(p1_us));
  replace_all(topo, "latency_us: P0", "latency_us: " + std::to_string(p0_us));
  Scenario s = scenario(topo, "numa", job(32, 2s));
  s.jobs[0].rw = RwMode::RandWrite;
  instant_target(s, 5);
  return s;
}

RunResult reset_p0_at(Scenario s, Duration at) {
  s.faults.push_back(fault(faults::ControllerReset{ResetSide::Host}, "h0/t0.p0", at));
  return run_scenario(s);
}

}  // namespace

TEST_CASE("a host-side reset: commands already on the wire still reach the media", "[sim][target]") {
  // 4 ms each way on both paths: the 32 writes go round in one train, 4 ms out, 5 us at the
  // media, 4 ms back. A reset during the outbound leg leaves all 32 on the wire; each reaches
  // the media within 4 ms, after the host failed it over. On the return leg none is left.
  const Scenario s = writes_on_a_long_path(2000, 2000);
  int outbound = 0;
  for (int ms = 1000; ms < 1009; ++ms) {
    const Duration at = std::chrono::milliseconds(ms);
    const RunResult r = reset_p0_at(s, at);
    INFO("reset at " << ms << " ms: " << r.abandoned.landed << " landed");
    CHECK(r.ledger.balanced());
    CHECK(r.ledger.failed == 0);
    CHECK((r.abandoned.landed == 0 || r.abandoned.landed == 32));
    CHECK(r.abandoned.landed_writes == r.abandoned.landed);
    CHECK(r.abandoned.lost == 0);
    const auto landed = std::count_if(r.events.begin(), r.events.end(),
                                      [](const EventRow& e) { return e.kind == "abandoned_command_landed"; });
    CHECK(std::uint64_t(landed) == r.abandoned.landed);
    for (const auto& e : r.events) {
      if (e.kind == "abandoned_command_landed") CHECK(e.at <= at + 4100us);
    }
    if (r.abandoned.landed == 32) ++outbound;
  }
  CHECK(outbound >= 3);  // 4 of every 8 ms
}

TEST_CASE("a write left on the wire by a reset lands after its retry was acknowledged: a ghost write", "[sim][target][ghost]") {
  // p0 4 ms each way, p1 4 us: the retries on p1 are acknowledged long before the old copies
  // reach the media over p0, and fio's next writes to those blocks (a 64 KiB region: 16 blocks)
  // are newer writes the old copies overwrite.
  Scenario s = writes_on_a_long_path(2000, 2);
  s.jobs[0].size = 64 * 1024;
  std::uint64_t ghosts = 0;
  for (int ms = 1000; ms < 1009; ++ms) {
    const RunResult r = reset_p0_at(s, std::chrono::milliseconds(ms));
    CHECK(r.ledger.balanced());
    CHECK(r.ghost_writes.count <= r.abandoned.landed_writes);
    if (r.abandoned.landed == 0) CHECK(r.ghost_writes.count == 0);
    ghosts += r.ghost_writes.count;
  }
  CHECK(ghosts > 0);
}
