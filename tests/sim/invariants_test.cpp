// The per-event invariants (sim/invariants.h): each check catches what it is for, and a run that
// checks them after every event gives the same result as one that does not.
#include <catch2/catch.hpp>

#include "scenario_fixture.h"
#include "sim/engine.h"
#include "sim/invariants.h"

using namespace mpsim;
using namespace mpsim::sim;
using namespace mpsim::sim::testing;

TEST_CASE("invariants: an event before the previous one or outside the run is caught", "[sim][invariants]") {
  CHECK(event_order_problem(100, 100, 1000).empty());
  CHECK(event_order_problem(100, 999, 1000).empty());
  CHECK(event_order_problem(100, 99, 1000).find("event in the past") != std::string::npos);
  CHECK(event_order_problem(0, 1000, 1000).find("outside the run") != std::string::npos);
  CHECK(event_order_problem(-5, -1, 1000).find("outside the run") != std::string::npos);
}

TEST_CASE("invariants: the ledger, each I/O finishing once, per-path sums", "[sim][invariants]") {
  Ledger l;
  l.submitted = 10;
  l.completed = 6;
  l.failed = 1;
  CHECK(ledger_problem(l, 3, 3).empty());
  CHECK(ledger_problem(l, 2, 0).find("does not balance") != std::string::npos);  // an I/O lost
  CHECK(ledger_problem(l, 3, 4).find("held by heads 4") != std::string::npos);    // a head holds a freed slot
  CHECK(finished_once_problem(2, 0, 2, 0).empty());  // two completions
  CHECK(finished_once_problem(3, 2, 2, 1).empty());  // and two submitted, one of them failed at once
  CHECK(finished_once_problem(2, 0, 1, 0).find("finished twice") != std::string::npos);
  CHECK(!finished_once_problem(0, 0, 0, 1).empty());  // a slot in use that nobody submitted
  CHECK(per_path_problem(7, 7, 7).empty());
  CHECK(!per_path_problem(7, 6, 7).empty());  // a completion counted on no controller
  CHECK(!per_path_problem(7, 7, 8).empty());  // a completion the timeline missed
}

TEST_CASE("invariants: a run with failover checked after every event holds them and is unchanged", "[sim][invariants]") {
  Scenario s = scenario(two_path_topology("OPTIMIZED", "options { reconnect_delay_s: 1 }"), "queue-depth",
                        job(32, 2s, 100ms), 7);
  s.jobs[0].rw = RwMode::RandRw;
  s.jobs[0].numjobs = 2;
  FaultSpec f = fault(faults::Down{Detection::Immediate, 600ms}, "sw-a--t0.p0", 700ms);
  s.faults.push_back(f);
  const RunResult plain = run_scenario(s);
  s.check_invariants = true;
  const RunResult checked = run_scenario(s);
  CHECK(checked.ledger.completed > 10000);
  CHECK(checked.ledger.completed == plain.ledger.completed);
  CHECK(checked.ledger.failed == plain.ledger.failed);
  CHECK(checked.simulated_ios == plain.simulated_ios);
  REQUIRE(checked.paths.size() == plain.paths.size());
  for (std::size_t i = 0; i < plain.paths.size(); ++i) CHECK(checked.paths[i].ios == plain.paths[i].ios);
  CHECK(checked.events.size() == plain.events.size());
}
