// nvmetcli import (issue 14 item 7, issue 17): several hosts from allowed_hosts, several files
// into one fabric, and the five kinds of bad config that used to produce an invalid topology
// reported against the user's JSON instead.
#include <catch2/catch.hpp>

#include "topologies/nvmetcli.h"
#include "topologies/topology.h"

using namespace mpsim::topology;

namespace {

std::string port(int id, const std::string& addr, const std::string& subsystems, const std::string& groups = "") {
  return R"({"portid": )" + std::to_string(id) + R"(, "addr": {"adrfam": "ipv4", "traddr": ")" + addr +
         R"(", "trsvcid": "4420", "trtype": "tcp"}, "ana_groups": [)" + groups + R"(], "subsystems": [)" + subsystems + "]}";
}

std::string subsys(const std::string& nqn, const std::string& namespaces, const std::string& allowed = "") {
  return R"({"nqn": ")" + nqn + R"(", "namespaces": [)" + namespaces + R"(], "allowed_hosts": [)" + allowed +
         R"(], "attr": {"allow_any_host": ")" + (allowed.empty() ? "1" : "0") + "\"}}";
}

const std::string kNs1 = R"({"nsid": 1, "enable": 1, "ana_grpid": 1})";

std::string config(const std::string& ports, const std::string& subsystems) {
  return R"({"hosts": [], "ports": [)" + ports + R"(], "subsystems": [)" + subsystems + "]}";
}

std::string import_error(const std::vector<NvmetcliInput>& inputs) {
  try {
    import_nvmetcli(inputs, {});
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string import_error(const std::string& json) { return import_error({{json, "cfg.json"}}); }

bool connected(const Topology& t, const std::string& host, const std::string& port, const std::string& nqn) {
  for (const Connection& c : t.connections()) {
    if (c.host() == host && c.port() == port && c.nqn() == nqn) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("nvmetcli: the five bad configs are reported at their JSON field, not in generated text", "[nvmetcli][limits]") {
  const std::string p1 = port(1, "10.0.0.1", R"("nqn.a")");
  const std::string a = subsys("nqn.a", kNs1);
  CHECK(import_error(config(port(1, "10.0.0.1", R"("nqn.a")",
                                 R"({"grpid": 1, "ana": {"state": "optimized"}}, {"grpid": 1, "ana": {"state": "inaccessible"}})"),
                            a)) == "cfg.json: ports[0].ana_groups[1].grpid: duplicate ANA group 1 on this port");
  CHECK(import_error(config(p1 + "," + port(2, "10.0.0.1", R"("nqn.a")"), a)) ==
        "cfg.json: ports[1].addr: address 10.0.0.1:4420 is already used by cfg.json ports[0]");
  CHECK(import_error(config(p1, subsys("nqn.a", kNs1 + "," + kNs1))) ==
        "cfg.json: subsystems[0].namespaces[1].nsid: duplicate nsid 1 in this subsystem");
  CHECK(import_error(config(port(1, "10.0.0.1", R"("nqn.a", "nqn.a")"), a)) ==
        "cfg.json: ports[0].subsystems[1]: subsystem \"nqn.a\" is listed twice on this port");
  const std::string long_nqn = "nqn.2026-01.com.example:" + std::string(200, 'x');
  CHECK(import_error(config(port(1, "10.0.0.1", "\"" + long_nqn + "\""), subsys(long_nqn, kNs1))) ==
        "cfg.json: subsystems[0].nqn: NQN is longer than 223 bytes");
}

TEST_CASE("nvmetcli: one host per allowed host NQN, connected only where allowed", "[nvmetcli]") {
  const std::string json =
      config(port(1, "10.0.0.1", R"("nqn.db", "nqn.logs", "nqn.shared")"),
             subsys("nqn.db", kNs1, R"("nqn.host:db")") + "," + subsys("nqn.logs", kNs1, R"("nqn.host:logs")") + "," +
                 subsys("nqn.shared", kNs1));
  const std::string text = import_nvmetcli(json, "cfg.json", {});
  CHECK_THAT(text, Catch::Contains("#     host0 = nqn.host:db\n#     host1 = nqn.host:logs\n"));
  const Topology t = parse_topology(text, "imported");
  REQUIRE(t.hosts_size() == 2);
  CHECK(connected(t, "host0", "nvmet.port1", "nqn.db"));
  CHECK_FALSE(connected(t, "host1", "nvmet.port1", "nqn.db"));
  CHECK(connected(t, "host1", "nvmet.port1", "nqn.logs"));
  CHECK_FALSE(connected(t, "host0", "nvmet.port1", "nqn.logs"));
  CHECK(connected(t, "host0", "nvmet.port1", "nqn.shared"));  // allow_any_host
  CHECK(connected(t, "host1", "nvmet.port1", "nqn.shared"));
  CHECK(t.connections_size() == 4);
}

TEST_CASE("nvmetcli: two files make one fabric, a shared subsystem exported by both nodes", "[nvmetcli]") {
  const std::string a = config(port(1, "10.0.0.1", R"("nqn.aa")", R"({"grpid": 2, "ana": {"state": "optimized"}})"),
                               subsys("nqn.aa", R"({"nsid": 1, "ana_grpid": 2})"));
  const std::string b = config(port(1, "10.0.0.2", R"("nqn.aa")", R"({"grpid": 2, "ana": {"state": "non-optimized"}})"),
                               subsys("nqn.aa", R"({"nsid": 1, "ana_grpid": 2})"));
  const std::string text = import_nvmetcli({{a, "a.json"}, {b, "b.json"}}, {});
  const Topology t = parse_topology(text, "imported");
  REQUIRE(t.target_nodes_size() == 2);
  CHECK(t.target_nodes(0).name() == "nvmet0");
  CHECK(t.target_nodes(1).name() == "nvmet1");
  REQUIRE(t.subsystems_size() == 1);
  CHECK(t.subsystems(0).ports_size() == 2);
  CHECK(t.subsystems(0).namespaces_size() == 1);
  CHECK(port_ana_state(t.target_nodes(0).ports(0), 2) == OPTIMIZED);
  CHECK(port_ana_state(t.target_nodes(1).ports(0), 2) == NON_OPTIMIZED);
  CHECK(t.connections_size() == 2);

  const std::string b_same_address = config(port(1, "10.0.0.1", R"("nqn.aa")"), subsys("nqn.aa", R"({"nsid": 1, "ana_grpid": 2})"));
  CHECK(import_error({{a, "a.json"}, {b_same_address, "b.json"}}) ==
        "b.json: ports[0].addr: address 10.0.0.1:4420 is already used by a.json ports[0]");
  const std::string b_other_group = config(port(1, "10.0.0.2", R"("nqn.aa")"), subsys("nqn.aa", R"({"nsid": 1, "ana_grpid": 1})"));
  CHECK(import_error({{a, "a.json"}, {b_other_group, "b.json"}}) ==
        "b.json: subsystems[0].namespaces[0].ana_grpid: nsid 1 is in ANA group 1 here but in group 2 in a.json "
        "subsystems[0].namespaces[0]");
}

// Found by the nvmetcli fuzz target once it treated "the import made a topology that does not
// load" as a crash (issue 17): 89 of its 534 corpus inputs did.
TEST_CASE("nvmetcli: control characters in a host NQN or a file name stay inside the header comment", "[nvmetcli][limits]") {
  const std::string json = config(port(1, "10.0.0.1", R"("nqn.db")"),
                                  subsys("nqn.db", kNs1, R"("nqn.host:a\nhosts { name: \"injected\" }\u0001")"));
  const std::string text = import_nvmetcli({{json, "odd\nname.json"}}, {});
  CHECK_THAT(text, Catch::Contains("#     host0 = nqn.host:a\\x0ahosts { name: \"injected\" }\\x01\n"));
  CHECK_THAT(text, Catch::Contains("from odd\\x0aname.json."));
  const Topology t = parse_topology(text, "imported");
  REQUIRE(t.hosts_size() == 1);
  CHECK(t.hosts(0).name() == "host0");
}

TEST_CASE("nvmetcli: a file without a TCP port is refused at its ports field", "[nvmetcli][limits]") {
  CHECK(import_error(R"({"hosts": [], "subsystems": [)" + subsys("nqn.a", kNs1) + "]}") ==
        "cfg.json: ports: no port: the file needs at least one TCP port");
  const std::string rdma = R"({"portid": 1, "addr": {"traddr": "10.0.0.1", "trsvcid": "4420", "trtype": "rdma"}, "subsystems": ["nqn.a"]})";
  CHECK(import_error(config(rdma, subsys("nqn.a", kNs1))) ==
        "cfg.json: ports: no TCP port: every port was skipped (only TCP is modelled)");
}
