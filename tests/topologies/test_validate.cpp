// Every validation rule: each broken variant of a valid fabric must produce the right problem,
// at the line and column of the offending field (or of its message when the field is missing),
// with the field path.
#include <catch2/catch.hpp>

#include "topologies/topology.h"

using namespace mpsim::topology;

namespace {

const std::string kBase = R"(name: "base"
hosts {
  name: "h0"
  numa_nodes { id: 0 cpus: 4 }
  nics { name: "n0" speed: "25Gbps" numa_node: 0 }
}
switches { name: "sw" }
target_nodes {
  name: "t0"
  cpus: 8
  ports { name: "p0" traddr: "10.0.0.1" trsvcid: 4420 speed: "100Gbps" ana_groups { grpid: 1 state: OPTIMIZED } }
}
links { a: "h0.n0" b: "sw" bandwidth: "25Gbps" latency_us: 1 }
links { a: "sw" b: "t0.p0" bandwidth: "100Gbps" latency_us: 1 }
subsystems { nqn: "nqn.x" ports: "t0.p0" namespaces { nsid: 1 size: "1g" ana_grpid: 1 media: "m" } }
connections { host: "h0" port: "t0.p0" nqn: "nqn.x" }
)";

std::vector<std::string> problems_of(const std::string& text) {
  try {
    parse_topology(text, "v.tp");
  } catch (const InputError& e) {
    return e.problems();
  }
  return {};
}

// "v.tp:LINE:COL" of the first occurrence of `needle`, counted independently of protobuf.
std::string where_is(const std::string& text, const std::string& needle) {
  size_t pos = text.find(needle);
  REQUIRE(pos != std::string::npos);
  size_t line_start = text.rfind('\n', pos);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
  return "v.tp:" + std::to_string(line) + ":" + std::to_string(pos - line_start + 1);
}

std::string edited(const std::string& from, const std::string& to) {
  std::string text = kBase;
  if (from.empty()) return text + to;  // append
  size_t pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  return text.replace(pos, from.size(), to);
}

struct Case {
  std::string from;     // text of kBase to replace ("" = append `to`)
  std::string to;
  std::string at;       // first occurrence of this text in the edited file is where the problem is
  std::string path;     // field path
  std::string message;  // part of the message
};

void check_case(const Case& c) {
  std::string text = edited(c.from, c.to);
  std::string expected = where_is(text, c.at) + ": " + c.path + ": ";
  auto problems = problems_of(text);
  INFO("edit: " << c.from << " -> " << c.to);
  INFO("problems:\n" << Catch::Detail::stringify(problems));
  bool found = false;
  for (const auto& p : problems) {
    found = found || (p.rfind(expected, 0) == 0 && p.find(c.message) != std::string::npos);
  }
  CHECK(found);
}

}  // namespace

TEST_CASE("the base fabric is valid", "[validate]") {
  CHECK(problems_of(kBase).empty());
  Topology topo = parse_topology(kBase, "v.tp");
  CHECK(topo.hosts(0).nics(0).name() == "n0");
}

TEST_CASE("missing required fields", "[validate]") {
  const std::string req = "required field is missing";
  std::vector<Case> cases = {
      {"name: \"base\"\n", "", "hosts {", "name", req},  // root: its start is line 1
      {"  name: \"h0\"\n", "", "hosts {", "hosts[0].name", req},
      {"  numa_nodes { id: 0 cpus: 4 }\n", "", "hosts {", "hosts[0].numa_nodes", "at least one NUMA node"},
      {"cpus: 4", "cpus: 0", "cpus: 0", "hosts[0].numa_nodes[0].cpus", "needs CPUs"},
      {"  nics { name: \"n0\" speed: \"25Gbps\" numa_node: 0 }\n", "", "hosts {", "hosts[0].nics", "at least one NIC"},
      {"speed: \"25Gbps\" numa_node", "numa_node", "nics {", "hosts[0].nics[0].speed", req},
      {"switches { name: \"sw\" }", "switches { name: \"sw\" }\nswitches { }", "switches { }", "switches[1].name", req},
      {"  cpus: 8\n", "", "target_nodes {", "target_nodes[0].cpus", "needs CPUs"},
      {"  ports { name: \"p0\" traddr: \"10.0.0.1\" trsvcid: 4420 speed: \"100Gbps\" ana_groups { grpid: 1 state: "
       "OPTIMIZED } }\n",
       "", "target_nodes {", "target_nodes[0].ports", "at least one port"},
      {"traddr: \"10.0.0.1\" ", "", "ports {", "target_nodes[0].ports[0].traddr", req},
      {"trsvcid: 4420 ", "", "ports {", "target_nodes[0].ports[0].trsvcid", req},
      {"speed: \"100Gbps\" ", "", "ports {", "target_nodes[0].ports[0].speed", req},
      {" state: OPTIMIZED", "", "ana_groups {", "target_nodes[0].ports[0].ana_groups[0].state", req},
      {"a: \"h0.n0\" ", "", "links {", "links[0].a", req},
      {"b: \"sw\" ", "", "links {", "links[0].b", req},
      {"bandwidth: \"25Gbps\" ", "", "links {", "links[0].bandwidth", req},
      {" latency_us: 1 }\nlinks { a: \"sw\"", " }\nlinks { a: \"sw\"", "links {", "links[0].latency_us", req},
      {"subsystems { nqn: \"nqn.x\" ", "subsystems { ", "subsystems {", "subsystems[0].nqn", req},
      {"ports: \"t0.p0\" namespaces", "namespaces", "subsystems {", "subsystems[0].ports", req},
      {"nsid: 1 ", "", "namespaces {", "subsystems[0].namespaces[0].nsid", req},
      {"size: \"1g\" ", "", "namespaces {", "subsystems[0].namespaces[0].size", req},
      {"ana_grpid: 1 ", "", "namespaces {", "subsystems[0].namespaces[0].ana_grpid", req},
      {" media: \"m\"", "", "namespaces {", "subsystems[0].namespaces[0].media", req},
      {"connections { host: \"h0\" ", "connections { ", "connections {", "connections[0].host", req},
      {"port: \"t0.p0\" nqn", "nqn", "connections {", "connections[0].port", req},
      {"port: \"t0.p0\" nqn: \"nqn.x\" }", "port: \"t0.p0\" }", "connections {", "connections[0].nqn", req},
  };
  for (const Case& c : cases) check_case(c);
}

TEST_CASE("duplicate names", "[validate]") {
  std::vector<Case> cases = {
      {"", "hosts { name: \"h0\" numa_nodes { id: 0 cpus: 1 } nics { name: \"n9\" speed: \"1Gbps\" } }\n",
       "name: \"h0\" numa_nodes", "hosts[1].name", "duplicate name \"h0\" (already used by a host)"},
      {"switches { name: \"sw\" }", "switches { name: \"sw\" }\nswitches { name: \"t0\" }", "name: \"t0\"\n",
       "target_nodes[0].name", "duplicate name \"t0\" (already used by a switch)"},
      {"numa_nodes { id: 0 cpus: 4 }", "numa_nodes { id: 0 cpus: 4 }\n  numa_nodes { id: 0 cpus: 2 }", "id: 0 cpus: 2",
       "hosts[0].numa_nodes[1].id", "duplicate NUMA node id 0"},
  };
  for (const Case& c : cases) check_case(c);
  {
    // Only the second of two same-named switches is reported.
    std::string text = edited("switches { name: \"sw\" }", "switches { name: \"sw\" }\nswitches { name: \"sw\" }");
    auto problems = problems_of(text);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0] == "v.tp:8:12: switches[1].name: duplicate name \"sw\" (already used by a switch)");
  }
  check_case({"  nics {", "  nics { name: \"n0\" speed: \"1Gbps\" }\n  nics {", "name: \"n0\" speed: \"25Gbps\"",
              "hosts[0].nics[1].name", "duplicate NIC name \"n0\" in host \"h0\""});
  check_case({"  ports {", "  ports { name: \"p0\" traddr: \"10.0.0.2\" trsvcid: 4420 speed: \"1Gbps\" }\n  ports {",
              "name: \"p0\" traddr: \"10.0.0.1\"", "target_nodes[0].ports[1].name",
              "duplicate port name \"p0\" in target node \"t0\""});
  check_case({"", "subsystems { nqn: \"nqn.x\" ports: \"t0.p0\" }\n", "nqn: \"nqn.x\" ports: \"t0.p0\" }",
              "subsystems[1].nqn", "duplicate subsystem \"nqn.x\""});
  check_case({"media: \"m\" }", "media: \"m\" } namespaces { nsid: 1 size: \"2g\" ana_grpid: 1 media: \"m\" }",
              "nsid: 1 size: \"2g\"", "subsystems[0].namespaces[1].nsid", "duplicate nsid 1 in subsystem \"nqn.x\""});
  check_case({"", "links { a: \"sw\" b: \"t0.p0\" bandwidth: \"1Gbps\" latency_us: 1 }\n",
              "a: \"sw\" b: \"t0.p0\" bandwidth: \"1Gbps\"", "links[2].a", "duplicate link name \"sw--t0.p0\""});
  check_case({"links { a: \"sw\"", "links { name: \"up\" a: \"h0.n0\" b: \"sw\" bandwidth: \"1Gbps\" latency_us: 1 }\n"
                                   "links { name: \"up\" a: \"sw\"",
              "name: \"up\" a: \"sw\"", "links[2].name", "duplicate link name \"up\""});
  check_case({"", "connections { host: \"h0\" port: \"t0.p0\" nqn: \"nqn.x\" } # again\n",
              "connections { host: \"h0\" port: \"t0.p0\" nqn: \"nqn.x\" } # again", "connections[1]",
              "duplicate connection"});
  check_case({"ports { name: \"p0\"",
              "ports { name: \"p1\" traddr: \"10.0.0.1\" trsvcid: 4420 speed: \"10Gbps\" }\n  ports { name: \"p0\"",
              "trsvcid: 4420 speed: \"100Gbps\"", "target_nodes[0].ports[1].trsvcid",
              "address 10.0.0.1:4420 is already used by port \"t0.p1\""});
}

TEST_CASE("bad values and units", "[validate]") {
  std::vector<Case> cases = {
      {"name: \"n0\"", "name: \"n.0\"", "name: \"n.0\"", "hosts[0].nics[0].name", "not a valid name"},
      {"\"25Gbps\" numa_node", "\"25 furlongs\" numa_node", "speed: \"25 furlongs\"", "hosts[0].nics[0].speed",
       "unknown unit \"furlongs\""},
      {"numa_node: 0", "numa_node: 3", "numa_node: 3", "hosts[0].nics[0].numa_node",
       "NUMA node 3 is not one of host \"h0\"'s numa_nodes"},
      {"ports { name: \"p0\"", "ports { trtype: \"rdma\" name: \"p0\"", "trtype", "target_nodes[0].ports[0].trtype",
       "not modelled"},
      {"ports { name: \"p0\"", "ports { adrfam: \"ib\" name: \"p0\"", "adrfam", "target_nodes[0].ports[0].adrfam",
       "must be \"ipv4\" or \"ipv6\""},
      {"numa_nodes { id: 0 cpus: 4 }", "numa_nodes { id: 0 cpus: 4 } kernel_hz: 200", "kernel_hz", "hosts[0].kernel_hz",
       "must be 100, 250, 300 or 1000"},
      {"trsvcid: 4420", "trsvcid: 70000", "trsvcid", "target_nodes[0].ports[0].trsvcid", "1..65535"},
      {"\"100Gbps\" ana", "\"100\" ana", "speed: \"100\"", "target_nodes[0].ports[0].speed", "needs a unit"},
      {"grpid: 1 state", "grpid: 0 state", "grpid: 0", "target_nodes[0].ports[0].ana_groups[0].grpid",
       "outside 1..128"},
      {"grpid: 1 state", "grpid: 129 state", "grpid: 129", "target_nodes[0].ports[0].ana_groups[0].grpid",
       "outside 1..128"},
      {"state: OPTIMIZED }", "state: OPTIMIZED } ana_groups { grpid: 1 state: INACCESSIBLE }",
       "grpid: 1 state: INACCESSIBLE", "target_nodes[0].ports[0].ana_groups[1].grpid", "duplicate ANA group 1"},
      {"state: OPTIMIZED", "state: ANA_STATE_UNSPECIFIED", "state:", "target_nodes[0].ports[0].ana_groups[0].state",
       "choose the group's ANA state"},
      {"bandwidth: \"25Gbps\"", "bandwidth: \"25\"", "bandwidth: \"25\"", "links[0].bandwidth", "needs a unit"},
      {"latency_us: 1 }\nlinks { a: \"sw\"", "latency_us: -1 }\nlinks { a: \"sw\"", "latency_us: -1",
       "links[0].latency_us", "latency_us must be > 0"},
      {"size: \"1g\"", "size: \"1 zettabyte\"", "size:", "subsystems[0].namespaces[0].size",
       "unknown unit \"zettabyte\""},
      {"size: \"1g\"", "size: \"0\"", "size:", "subsystems[0].namespaces[0].size", "size must be > 0"},
      {"nqn: \"nqn.x\" ports", "nqn: \"" + std::string(224, 'q') + "\" ports", "nqn: \"qq",
       "subsystems[0].nqn", "longer than 223"},
      {"ports: \"t0.p0\" namespaces", "ports: \"t0.p0\" anatt_s: 0 namespaces", "anatt_s", "subsystems[0].anatt_s",
       "ANATT must be 1..255 seconds, not 0"},
      {"ports: \"t0.p0\" namespaces", "ports: \"t0.p0\" anatt_s: -5 namespaces", "anatt_s", "subsystems[0].anatt_s",
       "ANATT must be 1..255 seconds, not -5"},
      {"ports: \"t0.p0\" namespaces", "ports: \"t0.p0\" anatt_s: 256 namespaces", "anatt_s", "subsystems[0].anatt_s",
       "not 256"},
  };
  for (const Case& c : cases) check_case(c);
}

TEST_CASE("references that name nothing", "[validate]") {
  std::vector<Case> cases = {
      {"a: \"h0.n0\"", "a: \"h0.n7\"", "a: \"h0.n7\"", "links[0].a", "\"h0.n7\" names no NIC"},
      {"b: \"sw\" bandwidth", "b: \"sw9\" bandwidth", "b: \"sw9\"", "links[0].b", "\"sw9\" names no NIC"},
      {"b: \"sw\" bandwidth", "b: \"h0.n0\" bandwidth", "b: \"h0.n0\"", "links[0].b",
       "link joins \"h0.n0\" to itself"},
      {"ports: \"t0.p0\" namespaces", "ports: \"t0.p0\" ports: \"t9.p0\" namespaces", "ports: \"t9.p0\"",
       "subsystems[0].ports[1]", "\"t9.p0\" is not a target port"},
      {"ports: \"t0.p0\" namespaces", "ports: \"t0.p0\" ports: \"t0.p0\" namespaces", "ports: \"t0.p0\" namespaces",
       "subsystems[0].ports[1]", "listed twice"},
      {"ana_grpid: 1", "ana_grpid: 2", "ana_grpid: 2", "subsystems[0].namespaces[0].ana_grpid",
       "no port exporting \"nqn.x\" defines ANA group 2"},
      {"host: \"h0\"", "host: \"h9\"", "host: \"h9\"", "connections[0].host", "unknown host \"h9\""},
      {"port: \"t0.p0\" nqn", "port: \"t0.p9\" nqn", "port: \"t0.p9\"", "connections[0].port",
       "unknown target port \"t0.p9\""},
      {"nqn: \"nqn.x\" }", "nqn: \"nqn.y\" }", "nqn: \"nqn.y\"", "connections[0].nqn", "unknown subsystem \"nqn.y\""},
      {"nqn: \"nqn.x\" }", "nqn: \"nqn.x\" host_nic: \"eth9\" }", "host_nic", "connections[0].host_nic",
       "host \"h0\" has no NIC \"eth9\""},
  };
  for (const Case& c : cases) check_case(c);
  // t0.p1 exists but does not export nqn.x.
  std::string text = edited("ports { name: \"p0\"", "ports { name: \"p1\" traddr: \"10.0.0.2\" trsvcid: 4420 speed: "
                                                    "\"1Gbps\" }\n  ports { name: \"p0\"");
  size_t conn = text.find("port: \"t0.p0\" nqn");
  text.replace(conn, 13, "port: \"t0.p1\"");
  auto problems = problems_of(text);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == where_is(text, "port: \"t0.p1\"") +
                           ": connections[0].port: port \"t0.p1\" does not export \"nqn.x\"");
}

TEST_CASE("connect options out of range", "[validate]") {
  auto with = [](const std::string& options) { return "nqn: \"nqn.x\" options { " + options + " } }"; };
  std::vector<Case> cases = {
      {"nqn: \"nqn.x\" }", with("kato_s: 0"), "kato_s", "connections[0].options.kato_s", "must be > 0"},
      {"nqn: \"nqn.x\" }", with("reconnect_delay_s: -1"), "reconnect_delay_s", "connections[0].options.reconnect_delay_s",
       "must be > 0"},
      {"nqn: \"nqn.x\" }", with("queue_size: 8"), "queue_size", "connections[0].options.queue_size",
       "queue_size 8 is outside 16..1024"},
      {"nqn: \"nqn.x\" }", with("queue_size: 2048"), "queue_size", "connections[0].options.queue_size", "16..1024"},
      {"nqn: \"nqn.x\" }", with("nr_io_queues: 0"), "nr_io_queues", "connections[0].options.nr_io_queues", ">= 1"},
      {"nqn: \"nqn.x\" }", with("ctrl_loss_tmo_s: inf"), "ctrl_loss_tmo_s", "connections[0].options.ctrl_loss_tmo_s",
       "finite"},
  };
  for (const Case& c : cases) check_case(c);
  // In-range options and the kernel's "forever" / "off" values are accepted.
  CHECK(problems_of(edited("nqn: \"nqn.x\" }", with("kato_s: 1 ctrl_loss_tmo_s: -1 fast_io_fail_tmo_s: -1 "
                                                     "queue_size: 16 nr_io_queues: 4")))
            .empty());
}

TEST_CASE("every problem is reported, in file order, and no fabric comes back", "[validate]") {
  std::string text = edited("numa_node: 0", "numa_node: 3");
  text = text.replace(text.find("latency_us: 1"), 13, "latency_us: 0");
  text = text.replace(text.find("host: \"h0\""), 10, "host: \"hx\"");
  auto problems = problems_of(text);
  REQUIRE(problems.size() == 3);
  CHECK_THAT(problems[0], Catch::StartsWith("v.tp:5:37: hosts[0].nics[0].numa_node: "));
  CHECK_THAT(problems[1], Catch::StartsWith("v.tp:13:48: links[0].latency_us: "));
  CHECK_THAT(problems[2], Catch::StartsWith("v.tp:16:15: connections[0].host: "));
  Topology topo;
  CHECK_THROWS_AS(parse_topology(text, "v.tp"), InputError);
}

TEST_CASE("effective connect options fill the kernel's defaults", "[validate]") {
  Topology topo = parse_topology(edited("nqn: \"nqn.x\" }", "nqn: \"nqn.x\" options { queue_size: 64 } }"), "v.tp");
  EffectiveConnectOptions o = effective_options(topo, topo.connections(0));
  CHECK(o.kato_s == 5);
  CHECK(o.reconnect_delay_s == 10);
  CHECK(o.ctrl_loss_tmo_s == 600);
  CHECK(o.fast_io_fail_tmo_s == -1);
  CHECK(o.nr_io_queues == 4);  // the host's CPUs
  CHECK(o.queue_size == 64);
}
