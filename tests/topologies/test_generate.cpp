// Parametric fabrics (topologies/generate.h): the library files are expansions of generator
// parameters, every parameter combination validates, and bad parameters are reported at their
// file:line:col.
#include <google/protobuf/util/message_differencer.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "topologies/analysis.h"
#include "topologies/generate.h"
#include "topologies/topology.h"

namespace topo = mpsim::topology;
using google::protobuf::util::MessageDifferencer;

namespace {

std::string library(const std::string& name) { return std::string(MPSIM_SOURCE_DIR) + "/topologies/" + name; }

// Equal as messages; on a difference, says which.
bool same(const topo::Topology& a, const topo::Topology& b, std::string& diff) {
  MessageDifferencer d;
  d.ReportDifferencesToString(&diff);
  return d.Compare(a, b);
}

std::string problems_of(const std::string& text) {
  try {
    topo::parse_topology(text, "gen.textproto");
  } catch (const topo::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("topologies/leaf-spine.textproto is the generator's two-rack expansion") {
  topo::LeafSpine p;
  p.set_name("leaf-spine");
  p.set_hosts(32);
  p.set_hosts_per_rack(16);
  p.set_nics_per_host(2);
  p.set_arrays_at(topo::LeafSpine::RACKS);
  p.set_nodes_per_array(2);
  p.set_namespaces_per_array(8);
  p.set_numa_nodes_per_host(2);
  p.set_cpus_per_numa_node(16);
  p.set_uplink_speed("100Gbps");
  p.set_access_latency_us(2);
  p.set_namespace_size("4TiB");
  topo::Topology file = topo::load_topology_file(library("leaf-spine.textproto"));
  std::string diff;
  CHECK(same(topo::generate_leaf_spine(p), file, diff));
  INFO(diff);
  CHECK(diff.empty());
  topo::Analysis a = topo::analyze(file);
  CHECK(a.ok());
}

TEST_CASE("topologies/dual-fabric.textproto is the dual_fabric generator's default expansion") {
  topo::Topology file = topo::load_topology_file(library("dual-fabric.textproto"));
  topo::Topology generated = topo::generate_dual_fabric(topo::DualFabric());
  generated.set_description(file.description());  // the file describes itself in its own words
  std::string diff;
  CHECK(same(generated, file, diff));
  INFO(diff);
  CHECK(diff.empty());
}

TEST_CASE("a topology file may be just a generator block; name and description written beside it win") {
  topo::Topology t = topo::parse_topology(
      "name: \"mine\"\ngenerator { leaf_spine { hosts: 40 nics_per_host: 2 spines: 3 } }\n", "g.textproto");
  CHECK(t.name() == "mine");
  CHECK(t.hosts_size() == 40);
  CHECK(t.switches_size() == 3 + 2 * 2);  // 2 racks of 32 hosts, 2 leaves each
  CHECK(t.hosts(39).nics_size() == 2);
  CHECK_FALSE(t.has_generator());
  CHECK(t.connections_size() == 40 * 4 * 3);  // 4 nodes, one port per spine
}

TEST_CASE("every combination of the families' shape parameters validates and has no failing check") {
  for (std::uint32_t hosts : {1u, 5u, 70u}) {
    for (std::uint32_t nics : {1u, 2u}) {
      for (auto at : {topo::LeafSpine::SPINES, topo::LeafSpine::RACKS}) {
        for (auto layout : {topo::OWNED, topo::ALL_OPTIMIZED, topo::ACTIVE_PASSIVE}) {
          topo::Generator g;
          topo::LeafSpine* p = g.mutable_leaf_spine();
          p->set_hosts(hosts);
          p->set_hosts_per_rack(16);
          p->set_nics_per_host(nics);
          p->set_arrays_at(at);
          p->set_nodes_per_array(3);
          p->set_ports_per_node(at == topo::LeafSpine::SPINES ? 4 : 2 * nics);
          p->set_ana_layout(layout);
          INFO(g.ShortDebugString());
          topo::Diagnostics diag;
          topo::check_generator(g, topo::SourceMap("gen"), diag);
          REQUIRE(diag.empty());
          topo::Topology t = topo::generate(g);
          topo::validate_topology(t, topo::SourceMap("gen"), diag);
          INFO((diag.empty() ? std::string() : diag.problems().front()));
          CHECK(diag.empty());
          CHECK(topo::analyze(t).ok());
        }
      }
    }
  }
  for (std::uint32_t nodes : {1u, 3u, 26u}) {
    topo::DualFabric p;
    p.set_target_nodes(nodes);
    p.set_namespaces(5);
    topo::Diagnostics diag;
    topo::validate_topology(topo::generate_dual_fabric(p), topo::SourceMap("gen"), diag);
    CHECK(diag.empty());
  }
}

TEST_CASE("bad generator parameters are reported at file:line:col with the field path") {
  std::string err = problems_of("generator {\n  leaf_spine { hosts: 0 nics_per_host: 9 }\n}\n");
  CHECK_THAT(err, Catch::Contains("gen.textproto:2:16: generator.leaf_spine.hosts: required"));
  CHECK_THAT(err, Catch::Contains("gen.textproto:2:25: generator.leaf_spine.nics_per_host: 9 is out of range: 1..8"));

  err = problems_of("generator { leaf_spine { hosts: 4 ports_per_node: 3 uplink_speed: \"fast\" } }\n");
  CHECK_THAT(err, Catch::Contains("generator.leaf_spine.uplink_speed: \"fast\" is not a bandwidth"));

  err = problems_of("generator { leaf_spine { hosts: 4 ports_per_node: 3 } }\n");
  CHECK_THAT(err, Catch::Contains("generator.leaf_spine.ports_per_node: 3 must be a multiple of the 2 spines"));

  err = problems_of("generator { dual_fabric { target_nodes: 27 } }\nhosts { name: \"h0\" }\n");
  CHECK_THAT(err, Catch::Contains("generator.dual_fabric.target_nodes: 27 is out of range: 1..26"));
  CHECK_THAT(err, Catch::Contains("gen.textproto:2:1: hosts: a topology with a generator lists no hosts of its own"));

  CHECK_THAT(problems_of("generator { }\n"), Catch::Contains("generator: names no family"));
}

TEST_CASE("format_topology prints one line per element and parses back to the same topology") {
  topo::DualFabric p;
  p.set_hosts(2);
  topo::Topology t = topo::generate_dual_fabric(p);
  std::string text = topo::format_topology(t, "first line\nsecond line");
  CHECK(text.rfind("# first line\n# second line\nname: \"dual-fabric\"\n", 0) == 0);
  CHECK_THAT(text, Catch::Contains("\nconnections { host: \"h1\" port: \"node-b.p1\" nqn: \"nqn.2026-11.io.mpsim:dual-fabric\" }\n"));
  std::string diff;
  CHECK(same(topo::parse_topology(text, "printed"), t, diff));
  INFO(diff);
}
