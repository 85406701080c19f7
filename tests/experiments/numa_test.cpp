// Jobs on a host's NUMA nodes: numa_node / cpus_allowed (and fio's numa_cpu_nodes) resolve to
// a node or to none, bad ones are located, and the numa-neighbours example shows two tenants
// contending on one node's cores and not once they are on different nodes.
#include <catch2/catch.hpp>

#include <algorithm>

#include "experiments/experiment_loader.h"
#include "experiments/fio_workload.h"
#include "experiments/runner.h"
#include "tests/experiments/loader_problems.h"

namespace ex = mpsim::experiments;
namespace sim = mpsim::sim;
using namespace mpsim::experiments::test;

namespace {

// One host with NUMA nodes 0 (4 CPUs: 0-3) and 1 (2 CPUs: 4-5). Lines 1..19.
const char* kFabric = R"(topology {
  name: "t"
  hosts {
    name: "h0"
    numa_nodes { id: 0 cpus: 4 }
    numa_nodes { id: 1 cpus: 2 }
    nics { name: "nic0" speed: "25Gbps" }
  }
  switches { name: "sw" }
  target_nodes {
    name: "node-a"
    cpus: 4
    ports { name: "p0" traddr: "10.0.0.1" trsvcid: 4420 speed: "100Gbps" ana_groups { grpid: 1 state: OPTIMIZED } }
  }
  links { name: "l0" a: "h0.nic0" b: "sw" bandwidth: "25Gbps" latency_us: 2 }
  links { name: "l2" a: "sw" b: "node-a.p0" bandwidth: "100Gbps" latency_us: 2 }
  subsystems { nqn: "nqn.test" ports: "node-a.p0" namespaces { nsid: 1 size: "1GiB" ana_grpid: 1 media: "nand-tlc-gen4" } }
  connections { host: "h0" port: "node-a.p0" nqn: "nqn.test" }
}
name: "x"
seed: 1
policy { name: "numa" }
)";

// The experiment with one job whose extra fields are `placement` (line 23).
std::string with_job(const std::string& placement) {
  return std::string(kFabric) + "jobs { name: \"j\" host: \"h0\" nqn: \"nqn.test\" nsid: 1 runtime: \"1s\" " +
         placement + " }\n";
}

const sim::JobSpec& only_job(const ex::LoadedExperiment& exp) { return exp.runs.at(0).scenario.jobs.at(0); }

}  // namespace

TEST_CASE("a job without numa_node or cpus_allowed is unpinned and chooses paths as the first node", "[numa]") {
  const auto exp = load(with_job(""));
  CHECK_FALSE(only_job(exp).numa_pinned);
  CHECK(only_job(exp).numa_node == 0);
}

TEST_CASE("numa_node pins a job to that node", "[numa]") {
  const auto exp = load(with_job("numa_node: 1"));
  CHECK(only_job(exp).numa_pinned);
  CHECK(only_job(exp).numa_node == 1);
  const ex::JobOptions& options = exp.runs.at(0).job_options.at(0);  // fio.json shows it as fio's option
  CHECK(std::find(options.begin(), options.end(), ex::JobOptions::value_type{"numa_cpu_nodes", "1"}) != options.end());
}

TEST_CASE("cpus_allowed naming one whole node pins the job there; every CPU leaves it unpinned", "[numa]") {
  CHECK(only_job(load(with_job("cpus_allowed: \"4-5\""))).numa_pinned);
  CHECK(only_job(load(with_job("cpus_allowed: \"5,4\""))).numa_node == 1);
  CHECK(only_job(load(with_job("cpus_allowed: \"0-3\""))).numa_node == 0);
  CHECK(only_job(load(with_job("cpus_allowed: \"0-3\""))).numa_pinned);
  CHECK_FALSE(only_job(load(with_job("cpus_allowed: \"0-5\""))).numa_pinned);
}

TEST_CASE("a job pinned to a node its host does not have is located", "[numa]") {
  auto problems = problems_of(with_job("numa_node: 3"));
  INFO(all(problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("exp.textproto:23:67: jobs[0].numa_node: host \"h0\" has no NUMA node 3 (its numa_nodes: 0, 1)") ==
        0);
}

TEST_CASE("cpus_allowed must name whole nodes of the host, one or all", "[numa]") {
  const auto problem = [](const std::string& placement) {
    auto problems = problems_of(with_job(placement));
    INFO(all(problems));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("exp.textproto:23:67: jobs[0].cpus_allowed: ") == 0);
    return problems[0];
  };
  CHECK_THAT(problem("cpus_allowed: \"0-1\""), Catch::Contains("names 2 of NUMA node 0's 4 CPUs (0-3)"));
  CHECK_THAT(problem("cpus_allowed: \"0-3,4\""), Catch::Contains("names 1 of NUMA node 1's 2 CPUs (4-5)"));
  CHECK_THAT(problem("cpus_allowed: \"0-6\""), Catch::Contains("the host has CPUs 0-5"));
  CHECK_THAT(problem("cpus_allowed: \"3-1\""), Catch::Contains("runs backwards"));
  CHECK_THAT(problem("cpus_allowed: \"a-b\""), Catch::Contains("a list of CPU numbers"));
  CHECK_THAT(problem("cpus_allowed: \"0,,1\""), Catch::Contains("a list of CPU numbers"));
  CHECK_THAT(problem("cpus_allowed: \"4-5\" numa_node: 1"), Catch::Contains("not both"));
}

TEST_CASE("fio's numa_cpu_nodes and cpus_allowed become the job's numa_node and cpus_allowed", "[numa][fio]") {
  const std::vector<ex::FioTarget> targets = {{"", "h0", "nqn.test", 1}};
  auto jobs = ex::fio_workload(ex::parse_fio_job_file("[a]\nruntime=1s\nnuma_cpu_nodes=1\n[b]\nruntime=1s\n"
                                                      "cpus_allowed=0-3\n[c]\nruntime=1s\nnuma_cpu_nodes=all\n",
                                                      "j.fio"),
                               targets)
                  .jobs;
  REQUIRE(jobs.size() == 3);
  CHECK(jobs[0].has_numa_node());
  CHECK(jobs[0].numa_node() == 1);
  CHECK(jobs[1].cpus_allowed() == "0-3");
  CHECK_FALSE(jobs[1].has_numa_node());
  CHECK_FALSE(jobs[2].has_numa_node());
  try {
    ex::fio_workload(ex::parse_fio_job_file("[a]\nruntime=1s\nnuma_cpu_nodes=0,1\n", "j.fio"), targets);
    FAIL("numa_cpu_nodes=0,1 was accepted");
  } catch (const mpsim::topology::InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("j.fio:3: numa_cpu_nodes: \"0,1\": mpsim pins a job to one NUMA node"));
  }
}

namespace {

struct Tenants {
  double a_iops = 0, b_iops = 0;
  std::int64_t b_p99 = 0, b_mean = 0;
};

// The example, shortened, with B on `b_node` (-1: both tenants unpinned).
Tenants run_example(int b_node) {
  auto exp = ex::load_experiment_file(MPSIM_SOURCE_DIR "/experiments/numa-neighbours.textproto");
  sim::Scenario& s = exp.runs.at(0).scenario;
  for (sim::JobSpec& j : s.jobs) {
    j.runtime = std::chrono::milliseconds(500);
    if (j.name == "b-reader") j.numa_node = b_node < 0 ? 0 : b_node;
    if (b_node < 0) j.numa_pinned = false;
  }
  s.duration = std::chrono::milliseconds(700);
  const sim::RunResult r = ex::run_experiment(exp).at(0);
  Tenants t;
  for (const auto& tenant : r.tenants) {
    if (tenant.name == "A") t.a_iops = tenant.read.iops();
    if (tenant.name != "B") continue;
    t.b_iops = tenant.read.iops();
    t.b_mean = std::int64_t(tenant.read.clat.mean_ns);
    for (const auto& [pct, ns] : tenant.read.clat.percentiles)
      if (pct == 99.0) t.b_p99 = ns;
  }
  return t;
}

}  // namespace

TEST_CASE("numa neighbours: tenants on one node share its cores, on two nodes they do not", "[numa]") {
  const Tenants shared = run_example(0), apart = run_example(1), unpinned = run_example(-1);
  INFO("shared: A " << shared.a_iops << " B " << shared.b_iops << " p99 " << shared.b_p99);
  INFO("apart: A " << apart.a_iops << " B " << apart.b_iops << " p99 " << apart.b_p99);
  INFO("unpinned: A " << unpinned.a_iops << " B " << unpinned.b_iops << " p99 " << unpinned.b_p99);
  // Node 0's two cores at 5.2 us per 4 KiB I/O do at most ~385k IOPS between both tenants.
  CHECK(shared.a_iops + shared.b_iops < 400'000);
  // On its own node B's I/O waits for no one's CPU work: its mean latency drops several-fold.
  CHECK(apart.b_mean * 3 < shared.b_mean);
  CHECK(apart.b_p99 * 3 < shared.b_p99);
  CHECK(apart.b_iops > 3 * shared.b_iops);
  // Unpinned, the threads spread over all four cores: B is no longer starved by A's CPU work. (A
  // itself gains little: its ceiling is then the target's, one nvmet-tcp queue per fio job on one
  // core at 5.2 us per I/O, 2 x 192k, about what node 0's two host cores give it.)
  CHECK(unpinned.b_iops > 3 * shared.b_iops);
  CHECK(unpinned.a_iops >= shared.a_iops);
}
