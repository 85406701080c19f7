// Structural analysis of the library fabrics: routes, ANA states and single points of failure,
// each checked against what the fabric's shape makes true.
#include <catch2/catch.hpp>

#include "topologies/analysis.h"
#include "topologies/topology.h"

using namespace mpsim::topology;

namespace {

Topology library(const std::string& name) {
  return load_topology_file(std::string(MPSIM_SOURCE_DIR) + "/topologies/" + name + ".textproto");
}

const NamespaceReach& reach(const Analysis& a, const std::string& host, uint32_t nsid, const std::string& nqn = "") {
  for (const NamespaceReach& r : a.reach) {
    if (r.host == host && r.nsid == nsid && (nqn.empty() || r.nqn == nqn)) return r;
  }
  FAIL("no reach entry for " << host << " nsid " << nsid);
  throw;
}

Component nic(const std::string& id) { return {ComponentKind::kNic, id}; }
Component link(const std::string& id) { return {ComponentKind::kLink, id}; }
Component sw(const std::string& id) { return {ComponentKind::kSwitch, id}; }
Component port(const std::string& id) { return {ComponentKind::kTargetPort, id}; }
Component node(const std::string& id) { return {ComponentKind::kTargetNode, id}; }

std::vector<Component> sorted(std::vector<Component> cs) {
  std::sort(cs.begin(), cs.end());
  return cs;
}

}  // namespace

namespace Catch {
template <>
struct StringMaker<Component> {
  static std::string convert(const Component& c) { return describe(c); }
};
}  // namespace Catch

TEST_CASE("quickstart: two disjoint paths, only one optimized", "[analysis]") {
  Topology topo = library("quickstart");
  Analysis a = analyze(topo);
  CHECK(a.ok());
  REQUIRE(a.reach.size() == 1);
  const NamespaceReach& r = a.reach[0];
  REQUIRE(r.paths.size() == 2);
  CHECK(r.paths[0].state == OPTIMIZED);
  CHECK(r.paths[1].state == NON_OPTIMIZED);
  REQUIRE(r.paths[0].route);
  CHECK(r.paths[0].route->hops ==
        std::vector<std::string>{"h0.nic0", "h0.nic0--sw-a", "sw-a", "sw-a--node-a.p0", "node-a.p0"});
  CHECK(r.paths[0].route->link_indices == std::vector<int>{0, 1});
  CHECK(r.paths[0].route->latency_us == 4);
  CHECK(r.paths[0].route->bottleneck_bps == 25e9);
  CHECK(r.paths[1].route->nic == "h0.nic1");
  // Two disjoint paths: nothing alone cuts the host off...
  CHECK(r.spof_any.empty());
  // ...but everything on the A side alone removes the only optimized path.
  CHECK(r.spof_optimized == sorted({nic("h0.nic0"), link("h0.nic0--sw-a"), sw("sw-a"), link("sw-a--node-a.p0"),
                                    port("node-a.p0"), node("node-a")}));
  CHECK(a.failures.empty());
  REQUIRE(a.warnings.size() == 1);
  CHECK_THAT(a.warnings[0], Catch::Contains("single point of failure for the optimized paths: nic h0.nic0") && Catch::Contains("(1 host/namespace pair: h0:nqn.2026-11.io.mpsim:quickstart/1)"));
}

TEST_CASE("single-switch: the switch is a single point of failure", "[analysis]") {
  Analysis a = analyze(library("single-switch"));
  CHECK(a.ok());
  for (const std::string host : {"h0", "h1"}) {
    const NamespaceReach& r = reach(a, host, 1);
    CHECK(r.paths.size() == 2);
    CHECK(r.spof_any == std::vector<Component>{sw("sw0")});
    CHECK(r.spof_optimized == sorted({sw("sw0"), port("node-a.p0"), node("node-a"), link("node-a.p0--sw0")}));
  }
}

TEST_CASE("single-switch: a second NIC does not help, but a second switch would", "[analysis]") {
  Topology topo = library("single-switch");
  FabricGraph graph(topo);
  const Connection& conn = topo.connections(0);  // h0 -> node-a.p0
  // The route is found from either NIC, so neither NIC is a cut; the switch is.
  CHECK(graph.route(conn, {nic("h0.nic0")}));
  CHECK(graph.route(conn, {nic("h0.nic0"), nic("h0.nic1")}) == std::nullopt);
  CHECK(graph.route(conn, {sw("sw0")}) == std::nullopt);
  CHECK(graph.cut_components(conn) == sorted({sw("sw0"), link("node-a.p0--sw0"), port("node-a.p0"), node("node-a")}));
}

TEST_CASE("dual-fabric: no SPOF for any path; the owning node for optimized", "[analysis]") {
  Analysis a = analyze(library("dual-fabric"));
  CHECK(a.ok());
  CHECK(a.reach.size() == 16);  // 4 hosts x 4 namespaces
  for (const NamespaceReach& r : a.reach) {
    INFO(r.host << " nsid " << r.nsid);
    CHECK(r.paths.size() == 4);
    CHECK(r.spof_any.empty());
    CHECK(r.spof_optimized == std::vector<Component>{node(r.ana_grpid == 1 ? "node-a" : "node-b")});
    int optimized = 0;
    for (const PathInfo& p : r.paths) optimized += p.optimized();
    CHECK(optimized == 2);
  }
}

TEST_CASE("leaf-spine: redundant everywhere, cross-rack routes use a spine", "[analysis]") {
  Topology topo = library("leaf-spine");
  CHECK(topo.hosts_size() == 32);
  CHECK(topo.target_nodes_size() == 4);
  Analysis a = analyze(topo);
  CHECK(a.ok());
  CHECK(a.reach.size() == 32 * 16);
  for (const NamespaceReach& r : a.reach) {
    CHECK(r.spof_any.empty());
    CHECK(r.spof_optimized.size() == 1);
  }
  // h20 is in rack 1; array 0 (node-0, node-1) is in rack 0, so the route crosses a spine.
  const NamespaceReach& far = reach(a, "h20", 1, "nqn.2026-11.io.mpsim:leaf-spine-a0");
  REQUIRE(far.paths[0].route);
  CHECK(far.paths[0].route->hops.size() == 9);  // nic, link, leaf, link, spine, link, leaf, link, port
  CHECK(far.paths[0].route->hops[4].rfind("spine", 0) == 0);
  const NamespaceReach& near = reach(a, "h0", 1, "nqn.2026-11.io.mpsim:leaf-spine-a0");
  CHECK(near.paths[0].route->hops.size() == 5);
}

TEST_CASE("loopback-2port: both ports optimized; the host side is necessarily single", "[analysis]") {
  Analysis a = analyze(library("loopback-2port"));
  CHECK(a.ok());
  REQUIRE(a.reach.size() == 1);
  const NamespaceReach& r = a.reach[0];
  CHECK(r.paths.size() == 2);
  CHECK(r.paths[0].optimized());
  CHECK(r.paths[1].optimized());
  CHECK(r.spof_any == sorted({nic("guest.lo"), link("guest.lo--loopback"), sw("loopback"), node("nvmet")}));
  CHECK(r.spof_optimized == r.spof_any);
}

TEST_CASE("failing checks: no optimized path, unreachable port, unconnected subsystem", "[analysis]") {
  Topology topo = library("quickstart");
  SECTION("no optimized path") {
    topo.mutable_target_nodes(0)->mutable_ports(0)->mutable_ana_groups(0)->set_state(NON_OPTIMIZED);
    Analysis a = analyze(topo);
    CHECK_FALSE(a.ok());
    REQUIRE(a.failures.size() == 1);
    CHECK_THAT(a.failures[0], Catch::Contains("host h0 -> nqn.2026-11.io.mpsim:quickstart nsid 1: no optimized path"));
  }
  SECTION("port unreachable: its only link is gone") {
    topo.mutable_links()->DeleteSubrange(1, 1);  // sw-a -- node-a.p0
    Analysis a = analyze(topo);
    CHECK_FALSE(a.ok());
    CHECK(a.reach[0].paths[0].route == std::nullopt);
    CHECK_THAT(a.failures[0], Catch::Contains("no optimized path"));
    CHECK_THAT(a.failures[1], Catch::Contains("port node-a.p0 is unreachable from host h0"));
  }
  SECTION("pinned NIC cannot reach the port") {
    topo.mutable_connections(0)->set_host_nic("nic1");  // nic1 is cabled to sw-b only
    Analysis a = analyze(topo);
    CHECK_FALSE(a.ok());
    CHECK_THAT(a.failures.back(), Catch::Contains("unreachable from NIC h0.nic1"));
  }
  SECTION("no usable path at all") {
    for (int n = 0; n < 2; ++n) topo.mutable_target_nodes(n)->mutable_ports(0)->mutable_ana_groups(0)->set_state(INACCESSIBLE);
    Analysis a = analyze(topo);
    REQUIRE(a.failures.size() == 1);
    CHECK_THAT(a.failures[0], Catch::Contains("no usable path"));
  }
  SECTION("a subsystem nobody connects to is a warning") {
    topo.mutable_connections()->Clear();
    Analysis a = analyze(topo);
    CHECK(a.ok());
    CHECK(a.reach.empty());
    CHECK_THAT(a.warnings.back(), Catch::Contains("no host connects to it"));
  }
}

TEST_CASE("routes prefer lower latency and honour host_nic", "[analysis]") {
  Topology topo = parse_topology(R"(name: "tri"
hosts { name: "h" numa_nodes { id: 0 cpus: 1 }
        nics { name: "a" speed: "10Gbps" } nics { name: "b" speed: "40Gbps" } }
switches { name: "s1" } switches { name: "s2" }
target_nodes { name: "t" cpus: 1 ports { name: "p" traddr: "1.1.1.1" trsvcid: 4420 speed: "100Gbps"
                                          ana_groups { grpid: 1 state: OPTIMIZED } } }
links { a: "h.a" b: "s1" bandwidth: "10Gbps" latency_us: 5 }
links { a: "s1" b: "t.p" bandwidth: "100Gbps" latency_us: 5 }
links { a: "h.b" b: "s2" bandwidth: "40Gbps" latency_us: 1 }
links { a: "s2" b: "s1" bandwidth: "40Gbps" latency_us: 1 }
subsystems { nqn: "q" ports: "t.p" namespaces { nsid: 1 size: "1g" ana_grpid: 1 media: "m" } }
connections { host: "h" port: "t.p" nqn: "q" }
)", "tri");
  auto best = route_for(topo, topo.connections(0));
  REQUIRE(best);
  CHECK(best->nic == "h.b");
  CHECK(best->hops == std::vector<std::string>{"h.b", "h.b--s2", "s2", "s2--s1", "s1", "s1--t.p", "t.p"});
  CHECK(best->latency_us == 7);
  CHECK(best->bottleneck_bps == 40e9);
  Connection pinned = topo.connections(0);
  pinned.set_host_nic("a");
  auto slow = route_for(topo, pinned);
  REQUIRE(slow);
  CHECK(slow->hops == std::vector<std::string>{"h.a", "h.a--s1", "s1", "s1--t.p", "t.p"});
  CHECK(slow->latency_us == 10);
  CHECK(slow->bottleneck_bps == 10e9);
  // Losing s2 moves the unpinned route to NIC a; losing s1 leaves none.
  FabricGraph graph(topo);
  CHECK(graph.route(topo.connections(0), {{ComponentKind::kSwitch, "s2"}})->nic == "h.a");
  CHECK(graph.route(topo.connections(0), {{ComponentKind::kSwitch, "s1"}}) == std::nullopt);
}
