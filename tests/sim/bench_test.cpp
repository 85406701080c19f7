// Engine speed on the quickstart fabric at QD128 (hidden: a measurement, not a check).
// Run: build/tests/sim/test_sim "[bench]"
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <iostream>

#include "sim/engine.h"
#include "topologies/topology.h"

using namespace mpsim;
using namespace mpsim::sim;

TEST_CASE("quickstart QD128 engine speed", "[.][bench]") {
  Scenario s;
  s.name = "quickstart-qd128";
  s.topology = topology::load_topology_file(MPSIM_SOURCE_DIR "/topologies/quickstart.textproto");
  JobSpec& j = s.jobs.emplace_back();
  j.name = "bench";
  j.host = "h0";
  j.nqn = "nqn.2026-11.io.mpsim:quickstart";
  j.iodepth = 128;
  j.runtime = std::chrono::seconds(4);
  j.start_delay = std::chrono::milliseconds(10);
  s.policy.name = "numa";
  s.models = models::default_models();
  s.seed = 42;
  const std::clock_t cpu0 = std::clock();
  const auto wall0 = std::chrono::steady_clock::now();
  const RunResult r = run_scenario(s);
  const double cpu = double(std::clock() - cpu0) / CLOCKS_PER_SEC;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  std::cout << "quickstart QD128 numa 4 s: simulated_ios=" << r.simulated_ios
            << " sim_iops=" << r.jobs[0].read.iops() << " cpu_s=" << cpu << " wall_s=" << wall
            << " ios_per_cpu_s=" << double(r.simulated_ios) / cpu << " ios_per_wall_s=" << double(r.simulated_ios) / wall
            << "\n";
  CHECK(r.simulated_ios > 1'000'000);
}
