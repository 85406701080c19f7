// Experiment loading: the built-in examples load, compare expands, and every validation error
// names file:line:col and the field path.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "experiments/experiment_loader.h"
#include "tests/experiments/loader_problems.h"
#include "topologies/textproto.h"

namespace ex = mpsim::experiments;
using mpsim::topology::InputError;
using namespace mpsim::experiments::test;

namespace {

// A two-path fabric, inline. Lines 1..27 of every experiment built by with_fabric().
const char* kFabric = R"(topology {
  name: "t"
  hosts {
    name: "h0"
    numa_nodes { id: 0 cpus: 4 }
    nics { name: "nic0" speed: "25Gbps" }
    nics { name: "nic1" speed: "25Gbps" }
  }
  switches { name: "sw" }
  target_nodes {
    name: "node-a"
    cpus: 4
    ports { name: "p0" traddr: "10.0.0.1" trsvcid: 4420 speed: "100Gbps" ana_groups { grpid: 1 state: OPTIMIZED } }
    ports { name: "p1" traddr: "10.0.0.2" trsvcid: 4420 speed: "100Gbps" ana_groups { grpid: 1 state: NON_OPTIMIZED } }
  }
  links { name: "l0" a: "h0.nic0" b: "sw" bandwidth: "25Gbps" latency_us: 2 }
  links { name: "l1" a: "h0.nic1" b: "sw" bandwidth: "25Gbps" latency_us: 2 }
  links { name: "l2" a: "sw" b: "node-a.p0" bandwidth: "100Gbps" latency_us: 2 }
  links { name: "l3" a: "sw" b: "node-a.p1" bandwidth: "100Gbps" latency_us: 2 }
  subsystems {
    nqn: "nqn.test"
    ports: "node-a.p0" ports: "node-a.p1"
    namespaces { nsid: 1 size: "1GiB" ana_grpid: 1 media: "nand-tlc-gen4" }
  }
  connections { host: "h0" port: "node-a.p0" nqn: "nqn.test" }
  connections { host: "h0" port: "node-a.p1" nqn: "nqn.test" }
}
)";

std::string with_fabric(const std::string& rest) { return kFabric + rest; }

const char* kGoodJob = R"(jobs { name: "j" host: "h0" nqn: "nqn.test" nsid: 1 rw: "randread" bs: "4k" iodepth: 8 runtime: "2s" }
)";


}  // namespace

TEST_CASE("a valid experiment becomes one scenario with resolved values") {
  auto exp = load(with_fabric(std::string("name: \"x\"\nseed: 0\npolicy { name: \"numa\" }\n") + kGoodJob));
  REQUIRE(exp.runs.size() == 1);
  const auto& s = exp.runs[0].scenario;
  CHECK(s.seed == 0);
  CHECK(s.policy.name == "numa");
  REQUIRE(s.jobs.size() == 1);
  CHECK(s.jobs[0].block_size == 4096);
  CHECK(s.jobs[0].iodepth == 8);
  CHECK(s.jobs[0].numjobs == 1);
  CHECK(s.jobs[0].rw == mpsim::sim::RwMode::RandRead);
  CHECK(s.jobs[0].runtime == std::chrono::seconds(2));
  CHECK(s.duration == std::chrono::seconds(2));
  CHECK(s.topology.hosts_size() == 1);
  CHECK(s.models.media.count("nand-tlc-gen4") == 1);
}

TEST_CASE("compare expands to one scenario per policy, all with the same seed") {
  auto exp = load(with_fabric(std::string("name: \"x\"\nseed: 42\n"
                                          "compare { name: \"numa\" }\ncompare { name: \"round-robin\" }\n"
                                          "compare { name: \"queue-depth\" }\n") + kGoodJob));
  REQUIRE(exp.runs.size() == 3);
  std::vector<std::string> labels;
  for (const auto& r : exp.runs) {
    CHECK(r.scenario.seed == 42);
    CHECK(r.scenario.policy.name == r.label);
    labels.push_back(r.label);
  }
  CHECK(labels == std::vector<std::string>{"numa", "round-robin", "queue-depth"});
}

TEST_CASE("model overrides merge over the defaults") {
  auto exp = load(with_fabric(std::string("name: \"x\"\nseed: 1\npolicy { name: \"numa\" }\n") + kGoodJob +
                              "models { media { key: \"nand-tlc-gen4\" value { read_latency_us: 100 } }"
                              " host_cpu { per_io_us: 2 } }\n"));
  const auto& m = exp.runs[0].scenario.models;
  auto defaults = mpsim::models::default_models();
  CHECK(m.media.at("nand-tlc-gen4").read_latency_us == 100.0);
  CHECK(m.media.at("nand-tlc-gen4").write_latency_us == defaults.media.at("nand-tlc-gen4").write_latency_us);
  CHECK(m.host_cpu.per_io_us == 2.0);
  CHECK(m.target_cpu.per_io_us == defaults.target_cpu.per_io_us);
}

TEST_CASE("job errors name file:line:col and the field, all together") {
  // Line 28 onward (the fabric takes lines 1..27).
  auto problems = problems_of(with_fabric(
      "name: \"x\"\n"                                                  // 28
      "seed: 1\n"                                                      // 29
      "policy { name: \"numa\" }\n"                                    // 30
      "jobs {\n"                                                       // 31
      "  name: \"bad\"\n"                                              // 32
      "  host: \"nohost\"\n"                                           // 33
      "  nqn: \"nqn.test\" nsid: 9\n"                                  // 34
      "  rw: \"randomread\"\n"                                         // 35
      "  bs: \"4q\"\n"                                                 // 36
      "  iodepth: 0\n"                                                 // 37
      "  rwmixread: 101\n"                                             // 38
      "  runtime: \"2 fortnights\"\n"                                  // 39
      "}\n"));
  INFO(all(problems));
  CHECK(has_problem(problems, "exp.textproto:33:3: jobs[0].host: no host \"nohost\""));
  CHECK(has_problem(problems, "exp.textproto:34:19: jobs[0].nsid: subsystem \"nqn.test\" has no namespace 9"));
  CHECK(has_problem(problems, "exp.textproto:35:3: jobs[0].rw: \"randomread\" is not one of fio's rw values"));
  CHECK(has_problem(problems, "exp.textproto:36:3: jobs[0].bs:"));
  CHECK(has_problem(problems, "exp.textproto:37:3: jobs[0].iodepth: must be at least 1"));
  CHECK(has_problem(problems, "exp.textproto:38:3: jobs[0].rwmixread: 101 is not a percentage"));
  CHECK(has_problem(problems, "exp.textproto:39:3: jobs[0].runtime:"));
  CHECK(problems.size() == 7);
  // In the order of the file.
  CHECK(problems.front().find("exp.textproto:33:3") == 0);
  CHECK(problems.back().find("exp.textproto:39:3") == 0);
}

TEST_CASE("a job's verify names a fio method and needs writes") {
  auto problems = problems_of(with_fabric(
      "name: \"x\"\n"                                                                       // 28
      "seed: 1\n"                                                                           // 29
      "policy { name: \"numa\" }\n"                                                         // 30
      "jobs { name: \"r\" host: \"h0\" nqn: \"nqn.test\" nsid: 1 rw: \"randread\" runtime: \"2s\"\n"  // 31
      "  verify: \"crc32c\" }\n"                                                              // 32
      "jobs { name: \"w\" host: \"h0\" nqn: \"nqn.test\" nsid: 1 rw: \"randwrite\" runtime: \"2s\"\n" // 33
      "  verify: \"xor\" }\n"));                                                              // 34
  INFO(all(problems));
  CHECK(has_problem(problems, "exp.textproto:32:3: jobs[0].verify: a read-only job has nothing to verify"));
  CHECK(has_problem(problems, "exp.textproto:34:3: jobs[1].verify: \"xor\": one of crc32c, md5, sha256"));
  CHECK(problems.size() == 2);
  auto exp = load(with_fabric(std::string("name: \"x\"\nseed: 1\npolicy { name: \"numa\" }\n") +
                              "jobs { name: \"w\" host: \"h0\" nqn: \"nqn.test\" nsid: 1 rw: \"randwrite\" runtime: \"2s\" verify: \"md5\" }\n"));
  CHECK(exp.runs[0].scenario.jobs[0].verify == "md5");
}

TEST_CASE("a job's continue_on_error takes fio's words") {
  auto problems = problems_of(with_fabric(
      "name: \"x\"\n"                                                                       // 28
      "seed: 1\n"                                                                           // 29
      "policy { name: \"numa\" }\n"                                                         // 30
      "jobs { name: \"r\" host: \"h0\" nqn: \"nqn.test\" nsid: 1 rw: \"randread\" runtime: \"2s\"\n"  // 31
      "  continue_on_error: \"sometimes\" }\n"));                                           // 32
  INFO(all(problems));
  CHECK(has_problem(problems, "exp.textproto:32:3: jobs[0].continue_on_error: \"sometimes\": one of none, read, write, io, verify, all"));
  CHECK(problems.size() == 1);
  for (auto [word, want] : {std::pair{"", mpsim::sim::ContinueOnError::None}, {"0", mpsim::sim::ContinueOnError::None},
                            {"1", mpsim::sim::ContinueOnError::All}, {"io", mpsim::sim::ContinueOnError::Io}, {"read", mpsim::sim::ContinueOnError::Read}}) {
    auto exp = load(with_fabric(std::string("name: \"x\"\nseed: 1\npolicy { name: \"numa\" }\n") +
                                "jobs { name: \"r\" host: \"h0\" nqn: \"nqn.test\" nsid: 1 rw: \"randread\" runtime: \"2s\" "
                                "continue_on_error: \"" + word + "\" }\n"));
    CHECK(exp.runs[0].scenario.jobs[0].continue_on_error == want);
  }
}

TEST_CASE("policy, seed and duration errors are located") {
  auto problems = problems_of(with_fabric(std::string(
      "name: \"x\"\n"                                                  // 28
      "duration: \"1s\"\n"                                             // 29
      "compare { name: \"numa\" }\n"                                   // 30
      "compare { name: \"fastest-path\" }\n"                           // 31
      "compare { name: \"numa\" }\n") +                                // 32
      kGoodJob));                                                      // 33
  INFO(all(problems));
  CHECK(has_problem(problems, "exp.textproto:1:1: seed: required"));  // unwritten: the file's start
  CHECK(has_problem(problems, "exp.textproto:29:1: duration: \"1s\" is shorter than the jobs"));
  CHECK(has_problem(problems, "exp.textproto:31:11: compare[1].name:"));
  CHECK(has_problem(problems, "fastest-path"));
  CHECK(has_problem(problems, "exp.textproto:32:11: compare[2].name: listed twice"));
}

TEST_CASE("neither policy nor compare is an error") {
  auto problems = problems_of(with_fabric(std::string("name: \"x\"\nseed: 1\n") + kGoodJob));
  INFO(all(problems));
  CHECK(has_problem(problems, "policy: required: set `policy` or a `compare` list"));
}

TEST_CASE("an unknown policy parameter is reported at the policy") {
  auto problems = problems_of(with_fabric(std::string("name: \"x\"\nseed: 1\n"
                                                      "policy { name: \"numa\" params { key: \"bogus\" value: \"1\" } }\n") +
                                          kGoodJob));
  INFO(all(problems));
  REQUIRE(problems.size() == 1);
  CHECK(has_problem(problems, "exp.textproto:30:"));
  CHECK(has_problem(problems, "bogus"));
}

TEST_CASE("fault errors name the fault's field") {
  auto problems = problems_of(with_fabric(std::string("name: \"x\"\nseed: 1\npolicy { name: \"numa\" }\n") + kGoodJob +
      "faults { at: \"1s\" down { target: \"no-such-link\" } }\n"                    // 32
      "faults { at: \"1s\" ana { port: \"node-a.p0\" } }\n"                          // 33
      "faults { at: \"1s\" flap { target: \"l0\" } }\n"                              // 34
      "faults { at: \"1s\" gray { target: \"l0\" latency_factor: 0.5 } }\n"          // 35
      "faults { at: \"9s\" reset { controller: \"h0/node-b.p0\" } }\n"               // 36
      "faults { at: \"1s\" }\n"));                                                   // 37
  INFO(all(problems));
  CHECK(has_problem(problems, "exp.textproto:32:26: faults[0].down.target: \"no-such-link\" names nothing in the fabric"));
  CHECK(has_problem(problems, "faults[1].ana.grpid: required"));
  CHECK(has_problem(problems, "faults[1].ana.state: required"));
  CHECK(has_problem(problems, "faults[2].flap.count: required"));
  CHECK(has_problem(problems, "faults[2].flap.period: required"));
  CHECK(has_problem(problems, "exp.textproto:35:39: faults[3].gray.latency_factor: must be >= 1"));
  CHECK(has_problem(problems, "exp.textproto:36:10: faults[4].at: 9s is not before the run ends"));
  CHECK(has_problem(problems, "faults[4].reset.controller: no connection from host \"h0\" to port \"node-b.p0\""));
  CHECK(has_problem(problems, "exp.textproto:37:1: faults[5]: a fault needs a kind"));
  CHECK(problems.size() == 9);
}

TEST_CASE("a reset names its side: HOST unless written, and a bad side is located") {
  const std::string base = with_fabric(std::string("name: \"x\"\nseed: 1\npolicy { name: \"numa\" }\n") + kGoodJob);
  auto exp = load(base + "faults { at: \"1s\" reset { controller: \"h0/node-a.p0\" } }\n"
                         "faults { at: \"1s\" reset { controller: \"h0/node-a.p1\" side: TARGET } }\n");
  const auto& faults = exp.runs.at(0).scenario.faults;
  REQUIRE(faults.size() == 2);
  CHECK(std::get<mpsim::sim::faults::ControllerReset>(faults[0].kind).side == mpsim::sim::ResetSide::Host);
  CHECK(faults[0].label.find("host reset") != std::string::npos);
  CHECK(std::get<mpsim::sim::faults::ControllerReset>(faults[1].kind).side == mpsim::sim::ResetSide::Target);
  CHECK(faults[1].label.find("target reset") != std::string::npos);

  auto numbered = problems_of(base + "faults { at: \"1s\" reset { controller: \"h0/node-a.p0\" side: 7 } }\n");  // 32
  INFO(all(numbered));
  REQUIRE(numbered.size() == 1);
  CHECK(has_problem(numbered, "exp.textproto:32:54: faults[0].reset.side: 7 is not a side"));

  auto named = problems_of(base + "faults { at: \"1s\" reset { controller: \"h0/node-a.p0\" side: SIDEWAYS } }\n");
  INFO(all(named));
  REQUIRE(named.size() == 1);
  CHECK(has_problem(named, "exp.textproto:32:"));
  CHECK(has_problem(named, "SIDEWAYS"));
  CHECK(has_problem(named, "side"));
}

TEST_CASE("an inline topology is validated with the experiment's own locations") {
  std::string text = kFabric;
  text.replace(text.find("latency_us: 2 }"), 15, "latency_us: 0 }");  // l0, line 16
  auto problems = problems_of(text + "name: \"x\"\nseed: 1\npolicy { name: \"numa\" }\n" + kGoodJob);
  INFO(all(problems));
  CHECK(has_problem(problems, "exp.textproto:16:"));
  CHECK(has_problem(problems, "topology.links[0].latency_us"));
}

TEST_CASE("a syntax error is reported at its position") {
  auto problems = problems_of("name: \"x\"\nseed: 1\njobz { }\n");
  INFO(all(problems));
  REQUIRE(problems.size() == 1);
  CHECK(has_problem(problems, "exp.textproto:3:"));
}

TEST_CASE("topology_file is read relative to the experiment file") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "mpsim-loader-test";
  fs::create_directories(dir / "exps");
  std::string fabric = kFabric;
  // The file holds the Topology message itself: strip "topology {" and the closing brace.
  fabric = fabric.substr(fabric.find('\n') + 1);
  fabric = fabric.substr(0, fabric.rfind('}'));
  std::ofstream(dir / "fabric.textproto") << fabric;
  std::ofstream(dir / "exps" / "e.textproto")
      << "name: \"x\"\nseed: 1\npolicy { name: \"numa\" }\ntopology_file: \"../fabric.textproto\"\n" << kGoodJob;
  auto exp = ex::load_experiment_file((dir / "exps" / "e.textproto").string());
  CHECK(exp.runs.at(0).scenario.topology.name() == "t");

  std::ofstream(dir / "exps" / "missing.textproto")
      << "name: \"x\"\nseed: 1\npolicy { name: \"numa\" }\ntopology_file: \"nope.textproto\"\n" << kGoodJob;
  try {
    ex::load_experiment_file((dir / "exps" / "missing.textproto").string());
    FAIL("a missing topology file loaded");
  } catch (const InputError& e) {
    CHECK(has_problem(e.problems(), "missing.textproto:4:1: topology_file: cannot read"));
  }
  fs::remove_all(dir);
}

TEST_CASE("every built-in example loads") {
  namespace fs = std::filesystem;
  int examples = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(MPSIM_SOURCE_DIR) / "experiments")) {
    if (entry.path().extension() != ".textproto") continue;
    INFO(entry.path().string());
    ex::LoadedExperiment exp;
    REQUIRE_NOTHROW(exp = ex::load_experiment_file(entry.path().string()));
    CHECK(!exp.runs.empty());
    ++examples;
  }
  CHECK(examples >= 4);
}

TEST_CASE("quickstart compares the three Linux policies with one seed") {
  auto exp = ex::load_experiment_file(MPSIM_SOURCE_DIR "/experiments/quickstart.textproto");
  REQUIRE(exp.runs.size() == 3);
  CHECK(exp.runs[0].policy_text == "numa");
  CHECK(exp.runs[1].policy_text == "round-robin");
  CHECK(exp.runs[2].policy_text == "queue-depth");
  for (const auto& r : exp.runs) CHECK(r.scenario.seed == exp.runs[0].scenario.seed);
  REQUIRE(exp.runs[0].scenario.faults.size() == 1);
  CHECK(exp.runs[0].scenario.faults[0].at == std::chrono::seconds(2));
  CHECK(std::get<mpsim::sim::faults::Down>(exp.runs[0].scenario.faults[0].kind).duration == std::chrono::seconds(2));
  CHECK(exp.runs[0].scenario.duration == std::chrono::seconds(6));
}

TEST_CASE("one policy with different parameters gets distinct labels") {
  auto exp = load(with_fabric(std::string("name: \"x\"\nseed: 1\n"
                                          "compare { name: \"spdk-round-robin\" }\n"
                                          "compare { name: \"spdk-round-robin\" params { key: \"rr_min_io\" value: \"16\" } }\n") +
                              kGoodJob));
  REQUIRE(exp.runs.size() == 2);
  CHECK(exp.runs[0].label == "spdk-round-robin");
  CHECK(exp.runs[1].label == "spdk-round-robin_rr_min_io-16");
  CHECK(exp.runs[1].policy_text == "spdk-round-robin(rr_min_io=16)");
  CHECK(exp.runs[1].scenario.policy.params.at("rr_min_io") == "16");
}

TEST_CASE("a bad parameter value is reported at the params entry") {
  auto problems = problems_of(with_fabric(std::string("name: \"x\"\nseed: 1\n"
                                                      "policy { name: \"spdk-round-robin\"\n"   // 30
                                                      "  params { key: \"rr_min_io\" value: \"many\" } }\n") +  // 31
                                          kGoodJob));
  INFO(all(problems));
  REQUIRE(problems.size() == 1);
  CHECK(has_problem(problems, "exp.textproto:31:3: policy.params[0]:"));
}

TEST_CASE("a loss fault takes a probability in [0, 1] on a link, and a negative duration is refused") {
  const std::string base = with_fabric(std::string("name: \"x\"\nseed: 1\npolicy { name: \"numa\" }\n") + kGoodJob);
  auto exp = load(base + "faults { at: \"1s\" duration: \"500ms\" loss { target: \"l2\" probability: 0.05 } }\n");
  const auto& faults = exp.runs.at(0).scenario.faults;
  REQUIRE(faults.size() == 1);
  CHECK(std::get<mpsim::sim::faults::Loss>(faults[0].kind).probability == 0.05);
  CHECK(std::get<mpsim::sim::faults::Loss>(faults[0].kind).duration == std::chrono::milliseconds(500));
  CHECK(faults[0].label.find("l2 loss 5%") != std::string::npos);

  auto problems = problems_of(base +
      "faults { at: \"1s\" loss { target: \"l2\" probability: 1.5 } }\n"               // 32
      "faults { at: \"1s\" loss { target: \"l2\" probability: -0.1 } }\n"              // 33
      "faults { at: \"1s\" loss { target: \"l2\" probability: nan } }\n"               // 34
      "faults { at: \"1s\" loss { target: \"l2\" probability: inf } }\n"               // 35
      "faults { at: \"1s\" loss { target: \"node-a\" probability: 0.1 } }\n"           // 36
      "faults { at: \"1s\" duration: \"-1s\" loss { target: \"l2\" probability: 0.1 } }\n"  // 37
      "faults { at: \"1s\" loss { target: \"l2\" } }\n");                              // 38
  INFO(all(problems));
  CHECK(has_problem(problems, "exp.textproto:32:39: faults[0].loss.probability: must be a number in [0, 1]"));
  CHECK(has_problem(problems, "exp.textproto:33:39: faults[1].loss.probability: must be a number in [0, 1]"));
  CHECK(has_problem(problems, "exp.textproto:34:39: faults[2].loss.probability: must be a number in [0, 1]"));
  CHECK(has_problem(problems, "exp.textproto:35:39: faults[3].loss.probability: must be a number in [0, 1]"));
  CHECK(has_problem(problems, "exp.textproto:36:26: faults[4].loss.target: no link \"node-a\""));
  CHECK(has_problem(problems, "exp.textproto:37:19: faults[5].duration: \"-1s\" is not a duration"));
  CHECK(has_problem(problems, "faults[6].loss.probability: required"));
  CHECK(problems.size() == 7);
}
