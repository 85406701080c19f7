// Regressions for issue 17's findings on limits: every value outside its stated range (README
// "Limits", topologies/units.h limits::) is refused by the loader with FILE:LINE:COL, the field
// path and the range, before anything runs. Each row of the table names the finding it guards.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "experiments/experiment_loader.h"
#include "tests/experiments/loader_problems.h"
#include "topologies/textproto.h"

namespace ex = mpsim::experiments;
using mpsim::experiments::test::problems_of;
using mpsim::topology::InputError;

namespace {

const std::string kFabric = R"(topology {
  name: "t"
  hosts {
    name: "h0"
    numa_nodes { id: 0 cpus: 4 }
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
  subsystems {
    nqn: "nqn.test"
    ports: "node-a.p0"
    namespaces { nsid: 1 size: "1GiB" ana_grpid: 1 media: "nand-tlc-gen4" }
  }
  connections { host: "h0" port: "node-a.p0" nqn: "nqn.test" }
}
name: "x"
seed: 1
policy { name: "numa" }
jobs { name: "j" host: "h0" nqn: "nqn.test" nsid: 1 rw: "randread" bs: "4k" iodepth: 8 runtime: "2s" }
)";

std::string where_is(const std::string& text, const std::string& needle) {
  const size_t pos = text.find(needle);
  REQUIRE(pos != std::string::npos);
  const size_t line_start = text.rfind('\n', pos) == std::string::npos ? 0 : text.rfind('\n', pos) + 1;
  const long line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n');
  return "exp.textproto:" + std::to_string(line) + ":" + std::to_string(pos - line_start + 1);
}

std::string replaced(const std::string& from, const std::string& to) {
  std::string text = kFabric;
  const size_t pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  return text.replace(pos, from.size(), to);
}

// `text` is refused with a problem at the first occurrence of `at` naming `path` and `message`.
void refused(const std::string& text, const std::string& at, const std::string& path, const std::string& message) {
  const std::vector<std::string> problems = problems_of(text);
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  INFO(all);
  const std::string head = where_is(text, at) + ": " + path + ": ";
  CHECK(std::any_of(problems.begin(), problems.end(), [&](const std::string& p) {
    return p.rfind(head, 0) == 0 && p.find(message) != std::string::npos;
  }));
}

// One row per refused value: the finding of issue 17 it guards, the experiment text, where the
// problem must be reported (the first occurrence of `at`), the field path and the message.
struct Refusal {
  std::string finding;
  std::string text;
  std::string at;
  std::string path;
  std::string message;
};

std::string with_fault(const std::string& fault) { return kFabric + "faults { at: \"1s\" " + fault + " }\n"; }

std::vector<Refusal> refusals() {
  const std::string media = "models { media { key: \"nand-tlc-gen4\" value { read_latency_us: inf write_latency_us: 1e300 "
                            "parallelism: 4294967295 latency_cv: nan } } }\n";
  const std::string media_path = "models.media[\"nand-tlc-gen4\"].";
  return {
      {"gray bandwidth_divisor inf made the link faster", with_fault("gray { target: \"l0\" bandwidth_divisor: inf }"),
       "bandwidth_divisor", "faults[0].gray.bandwidth_divisor", "at most 10000"},
      {"gray latency_factor 1e300 ended in vector::_M_fill_insert", with_fault("gray { target: \"l0\" latency_factor: 1e300 }"),
       "latency_factor", "faults[0].gray.latency_factor", "at most 10000"},
      {"a link of 1e-9 bps made the link faster", replaced("bandwidth: \"25Gbps\"", "bandwidth: \"0.000000001bps\""),
       "bandwidth: \"0.0", "topology.links[0].bandwidth", "outside 1Kbps..10Tbps"},
      {"ANA state 77 was accepted (proto3 enums are open)", with_fault("ana { port: \"node-a.p0\" grpid: 1 state: 77 }"),
       "state: 77", "faults[0].ana.state", "77 is not a state (AnaState): use one of"},
      {"detection 9 was accepted", with_fault("down { target: \"l0\" detection: 9 }"), "detection: 9",
       "faults[0].down.detection", "9 is not a detection"},
      {"a flap's detection 9 was accepted", with_fault("flap { target: \"l0\" count: 2 period: \"1s\" detection: 9 }"),
       "detection: 9", "faults[0].flap.detection", "9 is not a detection"},
      {"a port's ANA state 77 was accepted", replaced("state: OPTIMIZED", "state: 77"), "state: 77",
       "topology.target_nodes[0].ports[0].ana_groups[0].state", "77 is not a state"},
      {"flap count x period overflowed 64 bits of ns (experiment_faults)",
       with_fault("flap { target: \"l0\" count: 4000000000 period: \"366d\" }"), "count:", "faults[0].flap.count",
       "at most 10000"},
      {"flap count x period past 366d", with_fault("flap { target: \"l0\" count: 10000 period: \"366d\" }"), "count:",
       "faults[0].flap.count", "count x period is longer than 366d"},
      {"a flap count of 1e5 spun forever", with_fault("flap { target: \"l0\" count: 100000 period: \"10ms\" }"), "count:",
       "faults[0].flap.count", "at most 10000"},
      {"a 1 ns flap period spun forever", with_fault("flap { target: \"l0\" count: 10 period: \"1ns\" }"), "period:",
       "faults[0].flap.period", "at least 1ms"},
      {"start_delay of 106751 days overflowed longest_job", replaced("runtime: \"2s\"", "runtime: \"2s\" start_delay: \"106751d\""),
       "start_delay", "jobs[0].start_delay", "too long (at most 366d)"},
      {"a runtime of INT64_MAX ns", replaced("runtime: \"2s\"", "runtime: \"9223372036854775807ns\""), "runtime:",
       "jobs[0].runtime", "too long"},
      {"numjobs 100000 grew memory until it ran out", replaced("iodepth: 8", "iodepth: 8 numjobs: 100000"), "numjobs",
       "jobs[0].numjobs", "at most 4096"},
      {"rate_iops beyond 1e8", replaced("iodepth: 8", "iodepth: 8 rate_iops: 1000000000000"), "rate_iops",
       "jobs[0].rate_iops", "at most 100000000"},
      {"a 1 ns timeline interval grew memory until it ran out", kFabric + "timeline_interval: \"1ns\"\n",
       "timeline_interval", "timeline_interval", "at least 1ms"},
      {"media read latency inf", kFabric + media, "read_latency_us", media_path + "read_latency_us", "at most 1000000"},
      {"media write latency 1e300", kFabric + media, "write_latency_us", media_path + "write_latency_us", "at most 1000000"},
      {"media parallelism 2^32-1", kFabric + media, "parallelism", media_path + "parallelism", "1..65536"},
      {"media latency_cv nan", kFabric + media, "latency_cv", media_path + "latency_cv", "0..100"},
      {"a media bandwidth without a unit had no field path",
       kFabric + "models { media { key: \"fast\" value { read_bandwidth: \"7\" } } }\n", "read_bandwidth",
       "models.media[\"fast\"].read_bandwidth", "needs a unit"},
      {"per_io_us inf spun forever", kFabric + "models { host_cpu { per_io_us: inf } }\n", "per_io_us",
       "models.host_cpu.per_io_us", "0..1000000"},
      {"pause_rate_per_s 1e-300", kFabric + "models { target_cpu { pause_rate_per_s: 1e-300 pause_mean_us: 5 } }\n",
       "pause_rate_per_s", "models.target_cpu.pause_rate_per_s", "0.001..1000000"},
      {"inline_data_size 2^32-1", kFabric + "models { transport { inline_data_size: 4294967295 } }\n", "inline_data_size",
       "models.transport.inline_data_size", "at most 1048576"},
      {"a media name of an inline topology had no location", replaced("media: \"nand-tlc-gen4\"", "media: \"no-such\""),
       "media: \"no-such\"", "topology.subsystems[0].namespaces[0].media", "no media model \"no-such\""},
      {"target node cpus >= 2^31 aborted inside SimGrid", replaced("cpus: 4\n    ports", "cpus: 2147483648\n    ports"),
       "cpus: 2147483648", "topology.target_nodes[0].cpus", "at most 65536"},
      {"link latency >= 1e16 us spun forever",
       replaced("latency_us: 2 }\n  links { name: \"l2\"", "latency_us: 1e16 }\n  links { name: \"l2\""), "latency_us: 1e16",
       "topology.links[0].latency_us", "at most 1000000"},
      {"kato_s 1e300 overflowed jiffies", replaced("nqn: \"nqn.test\" }\n}", "nqn: \"nqn.test\" options { kato_s: 1e300 } }\n}"),
       "kato_s", "topology.connections[0].options.kato_s", "at most 10000000"},
  };
}

}  // namespace

TEST_CASE("limits: the fabric used by these tests loads") { CHECK(problems_of(kFabric).empty()); }

TEST_CASE("limits: every value outside its range is refused at its location, with its field path") {
  for (const Refusal& r : refusals()) {
    INFO("finding: " << r.finding);
    refused(r.text, r.at, r.path, r.message);
  }
}

TEST_CASE("limits: a --set override cannot write an enum number without a name") {
  ex::Override o{"faults[0].down.detection", "9"};
  std::vector<std::string> problems;
  try {
    ex::load_experiment_text(kFabric + "faults { at: \"1s\" down { target: \"l0\" } }\n", "exp.textproto", ".", {o});
  } catch (const InputError& e) {
    problems = e.problems();
  }
  bool refused_enum = std::any_of(problems.begin(), problems.end(), [](const std::string& p) {
    return p.find("detection") != std::string::npos && p.find("9") != std::string::npos;
  });
  CHECK(refused_enum);
}

TEST_CASE("limits: /dev/zero and a directory as the experiment file are refused, not read forever") {
  for (const std::string& path : std::vector<std::string>{"/dev/zero", std::filesystem::temp_directory_path().string()}) {
    INFO(path);
    try {
      ex::load_experiment_file(path);
      FAIL("accepted " << path);
    } catch (const InputError& e) {
      const std::string what = e.what();
      CHECK(what.rfind(path + ": cannot read: ", 0) == 0);
      CHECK(what.find("required") == std::string::npos);
    }
  }
}

// A --set that makes a message the file did not have (here: switches the fault's kind to a flap)
// used to report its problems as "FILE: count: ..." with no field path.
TEST_CASE("limits: problems in a message a --set created name its full field path") {
  std::vector<std::string> problems;
  try {
    ex::load_experiment_text(kFabric + "faults { at: \"1s\" down { target: \"l0\" } }\n", "exp.textproto", ".",
                             {ex::Override{"faults[0].flap.count", "100000"}});
  } catch (const InputError& e) {
    problems = e.problems();
  }
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  INFO(all);
  CHECK_THAT(all, Catch::Contains("exp.textproto: faults[0].flap.count: must be at most 10000\n"));
  CHECK_THAT(all, Catch::Contains("exp.textproto: faults[0].flap.target: required"));
  CHECK_THAT(all, Catch::Contains("exp.textproto: faults[0].flap.period: required"));
}

// A bad connection_defaults value is the experiment's: it used to be checked only once copied into each
// connection, and reported there ("topology.connections[0].options.kato_s", or against a topology_file
// with no line), once per connection.
TEST_CASE("limits: a bad connection_defaults value is reported once, at connection_defaults") {
  const std::string text = kFabric + "connection_defaults { kato_s: 1e300 }\n";
  std::vector<std::string> problems;
  try {
    ex::load_experiment_text(text, "exp.textproto", ".");
  } catch (const InputError& e) {
    problems = e.problems();
  }
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == where_is(text, "connection_defaults") +
                           ": connection_defaults.kato_s: must be a finite number of seconds, at most 10000000 in size");
}
