// Regressions for issue 17's findings on limits: every value outside its stated range (README
// "Limits", topologies/units.h limits::) is refused by the loader with FILE:LINE:COL, the field
// path and the range, before anything runs. Each TEST_CASE names the finding it guards.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "experiments/experiment_loader.h"
#include "topologies/textproto.h"

namespace ex = mpsim::experiments;
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

std::vector<std::string> problems_of(const std::string& text) {
  try {
    ex::load_experiment_text(text, "exp.textproto", ".");
  } catch (const InputError& e) {
    return e.problems();
  }
  return {};
}

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

}  // namespace

TEST_CASE("limits: the fabric used by these tests loads") { CHECK(problems_of(kFabric).empty()); }

TEST_CASE("limits: gray bandwidth_divisor inf is refused (it made the link faster)") {
  refused(kFabric + "faults { at: \"1s\" gray { target: \"l0\" bandwidth_divisor: inf } }\n", "bandwidth_divisor",
          "faults[0].gray.bandwidth_divisor", "at most 10000");
  refused(kFabric + "faults { at: \"1s\" gray { target: \"l0\" latency_factor: 1e300 } }\n", "latency_factor",
          "faults[0].gray.latency_factor", "at most 10000");
}

TEST_CASE("limits: a link of 1e-9 bps is refused (it made the link faster)") {
  refused(replaced("bandwidth: \"25Gbps\"", "bandwidth: \"0.000000001bps\""), "bandwidth: \"0.0",
          "topology.links[0].bandwidth", "outside 1Kbps..10Tbps");
}

TEST_CASE("limits: ANA state 77 and detection 9 are refused (proto3 enums are open)") {
  refused(kFabric + "faults { at: \"1s\" ana { port: \"node-a.p0\" grpid: 1 state: 77 } }\n", "state: 77",
          "faults[0].ana.state", "77 is not a state (AnaState): use one of");
  refused(kFabric + "faults { at: \"1s\" down { target: \"l0\" detection: 9 } }\n", "detection: 9",
          "faults[0].down.detection", "9 is not a detection");
  refused(kFabric + "faults { at: \"1s\" flap { target: \"l0\" count: 2 period: \"1s\" detection: 9 } }\n",
          "detection: 9", "faults[0].flap.detection", "9 is not a detection");
  refused(replaced("state: OPTIMIZED", "state: 77"), "state: 77", "topology.target_nodes[0].ports[0].ana_groups[0].state",
          "77 is not a state");
}

TEST_CASE("limits: a flap whose count x period passes 64 bits of ns is refused (experiment_faults overflow)") {
  refused(kFabric + "faults { at: \"1s\" flap { target: \"l0\" count: 4000000000 period: \"366d\" } }\n", "count:",
          "faults[0].flap.count", "at most 10000");
  refused(kFabric + "faults { at: \"1s\" flap { target: \"l0\" count: 10000 period: \"366d\" } }\n", "count:",
          "faults[0].flap.count", "count x period is longer than 366d");
}

TEST_CASE("limits: a flap count of 1e5 and a sub-millisecond period are refused (runaway)") {
  refused(kFabric + "faults { at: \"1s\" flap { target: \"l0\" count: 100000 period: \"10ms\" } }\n", "count:",
          "faults[0].flap.count", "at most 10000");
  refused(kFabric + "faults { at: \"1s\" flap { target: \"l0\" count: 10 period: \"1ns\" } }\n", "period:",
          "faults[0].flap.period", "at least 1ms");
}

TEST_CASE("limits: start_delay of 106751 days is refused (longest_job overflow, runaway)") {
  refused(replaced("runtime: \"2s\"", "runtime: \"2s\" start_delay: \"106751d\""), "start_delay",
          "jobs[0].start_delay", "too long (at most 366d)");
  refused(replaced("runtime: \"2s\"", "runtime: \"9223372036854775807ns\""), "runtime:", "jobs[0].runtime",
          "too long");
}

TEST_CASE("limits: numjobs 100000 and rate_iops beyond 1e8 are refused (runaway)") {
  refused(replaced("iodepth: 8", "iodepth: 8 numjobs: 100000"), "numjobs", "jobs[0].numjobs", "at most 4096");
  refused(replaced("iodepth: 8", "iodepth: 8 rate_iops: 1000000000000"), "rate_iops", "jobs[0].rate_iops",
          "at most 100000000");
}

TEST_CASE("limits: a 1 ns timeline interval is refused (memory runaway)") {
  refused(kFabric + "timeline_interval: \"1ns\"\n", "timeline_interval", "timeline_interval", "at least 1ms");
}

TEST_CASE("limits: media latency inf/1e300 and parallelism 2^32-1 are refused with the models.media path") {
  const std::string media = "models { media { key: \"nand-tlc-gen4\" value { read_latency_us: inf write_latency_us: 1e300 "
                            "parallelism: 4294967295 latency_cv: nan } } }\n";
  refused(kFabric + media, "read_latency_us", "models.media[\"nand-tlc-gen4\"].read_latency_us", "at most 1000000");
  refused(kFabric + media, "write_latency_us", "models.media[\"nand-tlc-gen4\"].write_latency_us", "at most 1000000");
  refused(kFabric + media, "parallelism", "models.media[\"nand-tlc-gen4\"].parallelism", "1..65536");
  refused(kFabric + media, "latency_cv", "models.media[\"nand-tlc-gen4\"].latency_cv", "0..100");
  refused(kFabric + "models { media { key: \"fast\" value { read_bandwidth: \"7\" } } }\n", "read_bandwidth",
          "models.media[\"fast\"].read_bandwidth", "needs a unit");
}

TEST_CASE("limits: per_io_us inf and other CPU costs out of range are refused (runaway)") {
  refused(kFabric + "models { host_cpu { per_io_us: inf } }\n", "per_io_us", "models.host_cpu.per_io_us", "0..1000000");
  refused(kFabric + "models { target_cpu { pause_rate_per_s: 1e-300 pause_mean_us: 5 } }\n", "pause_rate_per_s",
          "models.target_cpu.pause_rate_per_s", "0.001..1000000");
  refused(kFabric + "models { transport { inline_data_size: 4294967295 } }\n", "inline_data_size",
          "models.transport.inline_data_size", "at most 1048576");
}

TEST_CASE("limits: a media name of an inline topology is reported at the namespace, with its path") {
  refused(replaced("media: \"nand-tlc-gen4\"", "media: \"no-such\""), "media: \"no-such\"",
          "topology.subsystems[0].namespaces[0].media", "no media model \"no-such\"");
}

TEST_CASE("limits: target node cpus >= 2^31 and link latency >= 1e16 us are refused (SimGrid abort, runaway)") {
  refused(replaced("cpus: 4\n    ports", "cpus: 2147483648\n    ports"), "cpus: 2147483648",
          "topology.target_nodes[0].cpus", "at most 65536");
  refused(replaced("latency_us: 2 }\n  links { name: \"l2\"", "latency_us: 1e16 }\n  links { name: \"l2\""),
          "latency_us: 1e16", "topology.links[0].latency_us", "at most 1000000");
  refused(replaced("nqn: \"nqn.test\" }\n}", "nqn: \"nqn.test\" options { kato_s: 1e300 } }\n}"), "kato_s",
          "topology.connections[0].options.kato_s", "at most 10000000");
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
