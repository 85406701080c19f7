// The generated leaf-spine fabrics (benchmark input) are valid topologies of the stated shape.
#include <catch2/catch.hpp>

#include "experiments/leaf_spine.h"
#include "topologies/topology.h"

namespace ex = mpsim::experiments;

TEST_CASE("generated leaf-spine fabrics validate and have the stated shape") {
  for (std::uint32_t hosts : {1u, 33u, 256u}) {
    INFO(hosts << " hosts");
    auto topo = ex::make_leaf_spine(hosts);
    mpsim::topology::Diagnostics diag;
    mpsim::topology::validate_topology(topo, mpsim::topology::SourceMap("generated"), diag);
    INFO((diag.empty() ? std::string() : diag.problems().front()));
    CHECK(diag.empty());
    std::uint32_t leaves = (hosts + 31) / 32;
    CHECK(topo.hosts_size() == static_cast<int>(hosts));
    CHECK(topo.switches_size() == static_cast<int>(2 + leaves));
    CHECK(topo.target_nodes_size() == 4);
    CHECK(topo.connections_size() == static_cast<int>(hosts * 8));
    CHECK(topo.links_size() == static_cast<int>(hosts + 2 * leaves + 8));
  }
}

TEST_CASE("each target node is optimized for its own namespace only") {
  auto topo = ex::make_leaf_spine(4);
  for (int n = 0; n < topo.target_nodes_size(); ++n) {
    for (const auto& port : topo.target_nodes(n).ports()) {
      for (std::uint32_t g = 1; g <= 4; ++g) {
        auto expected = g == static_cast<std::uint32_t>(n + 1) ? mpsim::topology::OPTIMIZED : mpsim::topology::NON_OPTIMIZED;
        CHECK(mpsim::topology::port_ana_state(port, g) == expected);
      }
    }
  }
}

TEST_CASE("the leaf-spine scenario gives every host one job") {
  auto s = ex::make_leaf_spine_scenario(8, 16, std::chrono::milliseconds(100), "round-robin", 5);
  REQUIRE(s.jobs.size() == 8);
  CHECK(s.jobs[5].host == "h5");
  CHECK(s.jobs[5].nsid == 2);
  CHECK(s.jobs[5].iodepth == 16);
  CHECK(s.seed == 5);
  CHECK(s.duration == std::chrono::milliseconds(110));  // start_delay 10 ms + runtime
}
