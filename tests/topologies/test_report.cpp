// The check/paths renderings: content and determinism (JSON escaping: test_json.cpp).
#include <catch2/catch.hpp>

#include "topologies/analysis.h"
#include "topologies/report.h"
#include "topologies/textproto.h"
#include "topologies/topology.h"

using namespace mpsim::topology;

namespace {

Topology library(const std::string& name) {
  return load_topology_file(std::string(MPSIM_SOURCE_DIR) + "/topologies/" + name + ".textproto");
}

}  // namespace

TEST_CASE("check table: one row per host/namespace, findings, verdict", "[report]") {
  Topology topo = library("single-switch");
  std::string out = check_table("ss.textproto", topo, analyze(topo));
  CHECK_THAT(out, Catch::StartsWith("single-switch (ss.textproto): hosts 2, switches 1, target nodes 2, links 6, "
                                    "subsystems 1, namespaces 1, connections 4\n"));
  CHECK_THAT(out, Catch::Contains("\nh0    nqn.2026-11.io.mpsim:single-switch  1     2      2       1          switch sw0"));
  CHECK_THAT(out, Catch::Contains("warning: single point of failure for all paths: switch sw0 (2 host/namespace pairs"));
  CHECK_THAT(out, Catch::EndsWith("result: ok\n"));
}

TEST_CASE("check output says FAILED when a check fails", "[report]") {
  Topology topo = library("quickstart");
  topo.mutable_target_nodes(0)->mutable_ports(0)->mutable_ana_groups(0)->set_state(INACCESSIBLE);
  Analysis a = analyze(topo);
  CHECK_THAT(check_table("q", topo, a), Catch::Contains("FAIL: host h0 -> ") && Catch::EndsWith("result: FAILED\n"));
  CHECK_THAT(check_json("q", topo, a), Catch::Contains("\"ok\":false"));
}

TEST_CASE("paths: every path with route, latency, bottleneck and state", "[report]") {
  Topology topo = library("quickstart");
  Analysis a = analyze(topo);
  std::string table = paths_table("q", topo, a);
  CHECK_THAT(table, Catch::Contains("node-b.p0  non-optimized  4           25Gbps      h0.nic1 > h0.nic1--sw-b > sw-b > "
                                    "sw-b--node-b.p0 > node-b.p0\n"));
  std::string json = paths_json("q", topo, a);
  CHECK_THAT(json, Catch::StartsWith("{\"file\":\"q\",\"topology\":\"quickstart\",\"ok\":true,\"reach\":[{\"host\":\"h0\","
                                     "\"nqn\":\"nqn.2026-11.io.mpsim:quickstart\",\"nsid\":1,\"ana_grpid\":1,\"paths\":2,"));
  CHECK_THAT(json, Catch::Contains("\"route\":{\"nic\":\"h0.nic0\",\"hops\":[\"h0.nic0\",\"h0.nic0--sw-a\",\"sw-a\","
                                   "\"sw-a--node-a.p0\",\"node-a.p0\"],\"latency_us\":4,\"bottleneck_bps\":2.5e+10}"));
  CHECK_THAT(json, Catch::EndsWith("]}\n"));
}

TEST_CASE("outputs are byte-identical across runs", "[report]") {
  Topology topo = library("leaf-spine");
  std::string first = paths_json("ls", topo, analyze(topo));
  Topology again = library("leaf-spine");
  CHECK(paths_json("ls", again, analyze(again)) == first);
  CHECK(check_table("ls", again, analyze(again)) == check_table("ls", topo, analyze(topo)));
}

TEST_CASE("syntax error at end of input says so", "[report]") {
  Topology topo;
  CHECK_THROWS_WITH(parse_textproto("name: \"b\"\nhosts {\n", "e.tp", topo),
                    Catch::StartsWith("e.tp:3:1: ") && Catch::EndsWith("got: end of file"));
}
