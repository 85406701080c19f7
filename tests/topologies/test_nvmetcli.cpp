// nvmetcli save file import: realistic configs convert, reload cleanly, and keep nvmet's ANA
// semantics; malformed files name the file and the JSON field.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "topologies/analysis.h"
#include "topologies/nvmetcli.h"
#include "topologies/topology.h"

using namespace mpsim::topology;

namespace {

std::string data(const std::string& name) { return std::string(MPSIM_SOURCE_DIR) + "/tests/topologies/data/" + name; }

std::string import_error(const std::string& json, const NvmetcliImportOptions& options = {}) {
  try {
    import_nvmetcli(json, "cfg.json", options);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const std::string kPort =
    R"({"portid": 1, "addr": {"adrfam": "ipv4", "traddr": "10.0.0.1", "trsvcid": "4420", "trtype": "tcp"},
        "ana_groups": [{"grpid": 1, "ana": {"state": "optimized"}}], "subsystems": ["nqn.a"]})";
const std::string kSubsys = R"({"nqn": "nqn.a", "namespaces": [{"nsid": 1, "enable": 1, "ana_grpid": 1}]})";

std::string config(const std::string& port, const std::string& subsys = kSubsys) {
  return R"({"hosts": [], "ports": [)" + port + R"(], "subsystems": [)" + subsys + "]}";
}

}  // namespace

TEST_CASE("nvmetcli: two ports, two ANA groups, each port owning one", "[nvmetcli]") {
  std::string text = import_nvmetcli_file(data("nvmetcli-tcp-ana.json"), {});
  CHECK_THAT(text, Catch::StartsWith("# Imported by `mpsim topo import --nvmetcli`") &&
                       Catch::Contains("#   namespace size: 1TiB (nvmetcli does not know it; --ns-size)"));
  Topology topo = parse_topology(text, "imported");
  REQUIRE(topo.target_nodes_size() == 1);
  const TargetNode& node = topo.target_nodes(0);
  REQUIRE(node.ports_size() == 2);
  CHECK(node.ports(0).name() == "port1");
  CHECK(node.ports(0).traddr() == "192.168.10.1");
  CHECK(node.ports(0).trsvcid() == 4420);
  CHECK(port_ana_state(node.ports(0), 1) == OPTIMIZED);
  CHECK(port_ana_state(node.ports(0), 2) == NON_OPTIMIZED);
  CHECK(port_ana_state(node.ports(1), 1) == NON_OPTIMIZED);
  CHECK(port_ana_state(node.ports(1), 2) == OPTIMIZED);
  REQUIRE(topo.subsystems_size() == 1);
  const Subsystem& subsys = topo.subsystems(0);
  CHECK(subsys.nqn() == "nqn.2014-08.org.nvmexpress:NVMf:testnqn");
  REQUIRE(subsys.namespaces_size() == 2);
  CHECK(subsys.namespaces(1).ana_grpid() == 2);
  CHECK(subsys.namespaces(0).size() == "1TiB");
  CHECK(subsys.namespaces(0).media() == "nand-tlc-gen4");
  CHECK(topo.connections_size() == 2);
  Analysis a = analyze(topo);
  CHECK(a.ok());
  for (const NamespaceReach& r : a.reach) CHECK(r.optimized_reachable());
}

TEST_CASE("nvmetcli: several subsystems, defaults and skipped parts", "[nvmetcli]") {
  NvmetcliImportOptions options;
  options.ns_size = "512GiB";
  options.media = "nand-qlc";
  options.host_cpus = 32;
  std::string text = import_nvmetcli_file(data("nvmetcli-multi-subsys.json"), options);
  CHECK_THAT(text, Catch::Contains("# NOTE: port 3 skipped: transport \"rdma\" is not modelled"));
  CHECK_THAT(text, Catch::Contains("# NOTE: namespace 2 of nqn.2026-01.com.example:db skipped: disabled"));
  CHECK_THAT(text, Catch::Contains("# NOTE: subsystem nqn.2026-01.com.example:archive skipped"));
  Topology topo = parse_topology(text, "imported");
  const TargetNode& node = topo.target_nodes(0);
  REQUIRE(node.ports_size() == 2);  // the rdma port is gone
  // Port 1 listed no ANA groups: nvmet's group 1 is optimized there, and group 3 (used by the
  // logs namespace) was never configured on it, so it is inaccessible.
  CHECK(port_ana_state(node.ports(0), 1) == OPTIMIZED);
  CHECK(node.ports(0).ana_groups_size() == 2);
  CHECK(port_ana_state(node.ports(0), 3) == INACCESSIBLE);
  CHECK(node.ports(1).adrfam() == "ipv6");
  CHECK(node.ports(1).trsvcid() == 4421);
  CHECK(port_ana_state(node.ports(1), 3) == NON_OPTIMIZED);
  REQUIRE(topo.subsystems_size() == 2);
  const Subsystem& db = topo.subsystems(0);
  REQUIRE(db.namespaces_size() == 2);
  CHECK(db.namespaces(0).nsid() == 1);
  CHECK(db.namespaces(0).ana_grpid() == 1);  // absent in the file: nvmet's default group
  CHECK(db.namespaces(1).nsid() == 3);
  CHECK(db.namespaces(0).size() == "512GiB");
  CHECK(db.namespaces(0).media() == "nand-qlc");
  CHECK(topo.hosts(0).numa_nodes(0).cpus() == 32);
  CHECK(topo.connections_size() == 4);  // 2 subsystems x 2 ports
  // The logs namespace is only non-optimized anywhere: the check says so.
  Analysis a = analyze(topo);
  REQUIRE(a.failures.size() == 1);
  CHECK_THAT(a.failures[0], Catch::Contains("nqn.2026-01.com.example:logs nsid 1: no optimized path"));
}

TEST_CASE("nvmetcli: the output reloads from a file", "[nvmetcli]") {
  std::string path = "topo-nvmetcli-reload.textproto";
  {
    std::ofstream out(path);
    out << import_nvmetcli_file(data("nvmetcli-multi-subsys.json"), {});
  }
  Topology topo;
  CHECK_NOTHROW(topo = load_topology_file(path));
  CHECK(topo.name() == "nvmetcli-import");
  std::remove(path.c_str());
}

TEST_CASE("nvmetcli: errors name the file and the JSON field", "[nvmetcli]") {
  CHECK_THAT(import_error("{\"ports\": ["), Catch::StartsWith("cfg.json: not a valid nvmetcli save file"));
  CHECK_THAT(import_error(R"({"ports": [{"portid": "one"}]})"),
             Catch::StartsWith("cfg.json: not a valid nvmetcli save file") && Catch::Contains("portid"));
  std::string bad_state = kPort;
  bad_state.replace(bad_state.find("\"optimized\""), 11, "\"optimised\"");
  CHECK(import_error(config(bad_state)) ==
        "cfg.json: ports[0].ana_groups[0].ana.state: unknown ANA state \"optimised\"");
  std::string no_addr = kPort;
  no_addr.replace(no_addr.find("\"traddr\": \"10.0.0.1\", "), 22, "");
  CHECK(import_error(config(no_addr)) == "cfg.json: ports[0].addr.traddr: required field is missing");
  std::string bad_svc = kPort;
  bad_svc.replace(bad_svc.find("\"4420\""), 6, "\"http\"");
  CHECK(import_error(config(bad_svc)) ==
        "cfg.json: ports[0].addr.trsvcid: \"http\" is not a TCP port number (1..65535)");
  CHECK(import_error(config(kPort, R"({"nqn": "nqn.b"})")) ==
        "cfg.json: ports[0].subsystems: port exports unknown subsystem \"nqn.a\"");
  CHECK(import_error(config(kPort, R"({"nqn": "nqn.a", "namespaces": [{"enable": 1}]})")) ==
        "cfg.json: subsystems[0].namespaces[0].nsid: required field is missing");
  NvmetcliImportOptions bad_size;
  bad_size.ns_size = "lots";
  CHECK_THAT(import_error(config(kPort), bad_size), Catch::StartsWith("--ns-size: \"lots\" is not a size"));
  CHECK(import_error(config(kPort)).empty());
  CHECK_THAT(import_error("", {}), Catch::StartsWith("cfg.json: not a valid nvmetcli save file"));
  try {
    import_nvmetcli_file("/nonexistent/config.json", {});
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("/nonexistent/config.json: cannot read"));
  }
}
