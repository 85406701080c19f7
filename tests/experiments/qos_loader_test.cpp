// Capacity and QoS input: devices, target_qos, cgroups, tenants. Every bad value is reported
// at file:line:col with its field path, and good input reaches the scenario.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "experiments/experiment_loader.h"
#include "tests/experiments/loader_problems.h"
#include "experiments/slo.h"
#include "topologies/textproto.h"

namespace ex = mpsim::experiments;
using mpsim::topology::InputError;
using namespace mpsim::experiments::test;

namespace {

// Lines 1..24: one host per node, two nodes, ssd0 on node-a, nsid 1 and 2 on it.
const char* kFabric = R"(topology {
  name: "t"
  hosts { name: "h0" numa_nodes { id: 0 cpus: 4 } nics { name: "nic0" speed: "25Gbps" } }
  hosts { name: "h1" numa_nodes { id: 0 cpus: 4 } nics { name: "nic0" speed: "25Gbps" } }
  switches { name: "sw" }
  target_nodes {
    name: "node-a"
    cpus: 4
    ports { name: "p0" traddr: "10.0.0.1" trsvcid: 4420 speed: "100Gbps" ana_groups { grpid: 1 state: OPTIMIZED } }
    devices { name: "ssd0" media: "nand-tlc-gen4" }
  }
  links { name: "l0" a: "h0.nic0" b: "sw" bandwidth: "25Gbps" latency_us: 2 }
  links { name: "l1" a: "h1.nic0" b: "sw" bandwidth: "25Gbps" latency_us: 2 }
  links { name: "l2" a: "sw" b: "node-a.p0" bandwidth: "100Gbps" latency_us: 2 }
  subsystems {
    nqn: "nqn.test"
    ports: "node-a.p0"
    namespaces { nsid: 1 size: "1GiB" ana_grpid: 1 device: "node-a.ssd0" }
    namespaces { nsid: 2 size: "1GiB" ana_grpid: 1 device: "node-a.ssd0" }
  }
  connections { host: "h0" port: "node-a.p0" nqn: "nqn.test" }
  connections { host: "h1" port: "node-a.p0" nqn: "nqn.test" }
}
name: "x"
seed: 1
)";

const char* kJobs = R"(jobs { name: "a" tenant: "A" host: "h0" nqn: "nqn.test" nsid: 1 rw: "write" bs: "128k" iodepth: 8 runtime: "1s" }
jobs { name: "b" tenant: "B" host: "h1" nqn: "nqn.test" nsid: 2 rw: "randread" iodepth: 1 runtime: "1s" }
)";


}  // namespace

TEST_CASE("qos: devices, target_qos, cgroups and tenants reach the scenario") {
  auto exp = load(std::string(kFabric) + "policy { name: \"numa\" }\n" + kJobs +
                  "target_qos { namespace: \"nqn.test/1\" rw_ios_per_sec: 5000 w_mbytes_per_sec: 100 }\n"
                  "target_qos { namespace: \"nqn.test/2\" host: \"h1\" r_mbytes_per_sec: 50 enabled: false }\n"
                  "cgroups { name: \"cg\" host: \"h0\" io_max { namespace: \"nqn.test/1\" wbps: 1048576 riops: 10 } }\n");
  const auto& s = exp.runs.at(0).scenario;
  REQUIRE(s.target_qos.size() == 1);  // the disabled one is not applied
  CHECK(s.target_qos[0].limits.rw_ios_per_sec == 5000);
  CHECK(s.target_qos[0].limits.w_bytes_per_sec == 100ull * 1024 * 1024);
  REQUIRE(s.cgroups.size() == 1);
  CHECK(s.cgroups[0].io_max.at(0).wbps == 1048576);
  CHECK(s.cgroups[0].io_max.at(0).riops == 10);
  CHECK(s.jobs.at(0).tenant == "A");
}

TEST_CASE("qos: a limit of 0 or below, and a limit-less entry, are located errors") {
  auto problems = problems_of(std::string(kFabric) + "policy { name: \"numa\" }\n" + kJobs +  // jobs: 27, 28
                              "target_qos {\n"                                                 // 29
                              "  namespace: \"nqn.test/1\"\n"                                  // 30
                              "  rw_ios_per_sec: 0\n"                                          // 31
                              "  w_mbytes_per_sec: -5\n"                                       // 32
                              "}\n"                                                            // 33
                              "target_qos { namespace: \"nqn.test/9\" }\n"                     // 34
                              "cgroups { name: \"cg\" host: \"h0\"\n"                          // 35
                              "  io_max { namespace: \"nqn.test/1\" rbps: -1 } }\n");          // 36
  INFO(all(problems));
  CHECK(has_problem(problems, "exp.textproto:31:3: target_qos[0].rw_ios_per_sec: 0 is not a limit: it must be > 0"));
  CHECK(has_problem(problems, "exp.textproto:32:3: target_qos[0].w_mbytes_per_sec: -5 is not a limit"));
  CHECK(has_problem(problems, "exp.textproto:34:14: target_qos[1].namespace: no namespace \"nqn.test/9\""));
  CHECK(has_problem(problems, "exp.textproto:34:14: target_qos[1].namespace: no limit set"));
  CHECK(has_problem(problems, "exp.textproto:36:36: cgroups[0].io_max[0].rbps: -1 is not a limit"));
}

// The text-format parser rejects it before any field is checked: its message names the exact
// column of the value, not the field path.
TEST_CASE("qos: a non-numeric limit is a syntax error at its position") {
  auto problems = problems_of(std::string(kFabric) + "policy { name: \"numa\" }\n" + kJobs +
                              "target_qos { namespace: \"nqn.test/1\" rw_ios_per_sec: lots }\n");  // 29
  INFO(all(problems));
  REQUIRE(problems.size() == 1);
  CHECK(has_problem(problems, "exp.textproto:29:54: Expected integer, got: lots"));
}

TEST_CASE("qos: a job's cgroup must exist on its host; a tenant must be some job's") {
  std::string jobs = kJobs;
  jobs.replace(jobs.find("runtime: \"1s\" }"), 15, "runtime: \"1s\" cgroup: \"cg\" }");  // job a, h0
  jobs.replace(jobs.rfind("runtime: \"1s\" }"), 15, "runtime: \"1s\" cgroup: \"nope\" }");  // job b, h1
  auto problems = problems_of(std::string(kFabric) + "policy { name: \"numa\" }\n" + jobs +
                              "cgroups { name: \"cg\" host: \"h1\" }\n"                                   // 29
                              "slo { metric: P99_LATENCY scope: TENANT tenant: \"C\" comparator: LE threshold: \"1ms\" }\n");  // 30
  INFO(all(problems));
  CHECK(has_problem(problems, "exp.textproto:27:"));
  CHECK(has_problem(problems, "jobs[0].cgroup: cgroup \"cg\" is on host \"h1\", the job on \"h0\""));
  CHECK(has_problem(problems, "jobs[1].cgroup: no cgroup \"nope\" (cgroups: cg)"));
  CHECK(has_problem(problems, "exp.textproto:30:"));
  CHECK(has_problem(problems, "slo[0].tenant: no job has tenant \"C\" (tenants: A, B)"));
}

TEST_CASE("qos: a device shared across nodes, or named nowhere, is a located topology error") {
  std::string text = kFabric;
  // A second node exporting the same subsystem: its namespaces' device would span two nodes.
  text.replace(text.find("  links {"), 0,
               "  target_nodes { name: \"node-b\" cpus: 4 ports { name: \"p0\" traddr: \"10.0.0.2\" trsvcid: 4420 "
               "speed: \"100Gbps\" ana_groups { grpid: 1 state: OPTIMIZED } } }\n");
  text.replace(text.find("ports: \"node-a.p0\"\n"), 0, "ports: \"node-b.p0\" ");
  text.replace(text.find("device: \"node-a.ssd0\" }\n  }"), 21, "device: \"node-a.ssd9\"");
  auto problems = problems_of(text + "policy { name: \"numa\" }\n" + kJobs);
  INFO(all(problems));
  CHECK(has_problem(problems, "topology.subsystems[0].namespaces[0].device: device \"node-a.ssd0\" is local to target node "
                      "\"node-a\" but subsystem \"nqn.test\" is also exported through port \"node-b.p0\""));
  CHECK(has_problem(problems, "topology.subsystems[0].namespaces[1].device: \"node-a.ssd9\" names no device"));
}

TEST_CASE("qos: tenant is an SLO scope, from the file and from --slo") {
  auto slo = ex::parse_slo("tenant=B:p99<=1ms");
  CHECK(slo.scope() == mpsim::experiment::Slo::TENANT);
  CHECK(slo.tenant() == "B");
  CHECK(ex::slo_text(slo) == "tenant=B:p99<=1ms");
  auto exp = load(std::string(kFabric) + "policy { name: \"numa\" }\n" + kJobs);
  CHECK_THROWS_WITH(ex::check_run_slos(exp, {"tenant=Z:p99<=1ms"}), Catch::Contains("no job has tenant \"Z\""));
  CHECK_NOTHROW(ex::check_run_slos(exp, {"tenant=A:iops>=1"}));
}
