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
