// Small fabrics and scenarios built directly in tests (no experiment files).
#pragma once

#include <google/protobuf/text_format.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "sim/engine.h"

namespace mpsim::sim::testing {

using namespace std::chrono_literals;

// One host with two NICs, each through its own switch to its own port of target t0.
// `p1_state` is the ANA state of group 1 on the second port.
inline void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

inline std::string two_path_topology(const std::string& p1_state = "OPTIMIZED", const std::string& options = "") {
  std::string t = R"(
name: "two-path"
hosts { name: "h0" numa_nodes { id: 0 cpus: 8 }
        nics { name: "nic0" speed: "25Gbps" } nics { name: "nic1" speed: "25Gbps" } }
switches { name: "sw-a" }
switches { name: "sw-b" }
target_nodes { name: "t0" cpus: 16
  ports { name: "p0" traddr: "10.0.0.1" trsvcid: 4420 speed: "100Gbps" ana_groups { grpid: 1 state: OPTIMIZED } }
  ports { name: "p1" traddr: "10.0.1.1" trsvcid: 4420 speed: "100Gbps" ana_groups { grpid: 1 state: P1_STATE } } }
links { a: "h0.nic0" b: "sw-a" bandwidth: "25Gbps" latency_us: 2 }
links { a: "sw-a" b: "t0.p0" bandwidth: "100Gbps" latency_us: 2 }
links { a: "h0.nic1" b: "sw-b" bandwidth: "25Gbps" latency_us: 2 }
links { a: "sw-b" b: "t0.p1" bandwidth: "100Gbps" latency_us: 2 }
subsystems { nqn: "nqn.test:s1" ports: "t0.p0" ports: "t0.p1"
             namespaces { nsid: 1 size: "1TiB" ana_grpid: 1 media: "nand-tlc-gen4" } }
connections { host: "h0" port: "t0.p0" nqn: "nqn.test:s1" OPTIONS }
connections { host: "h0" port: "t0.p1" nqn: "nqn.test:s1" OPTIONS }
)";
  replace_all(t, "P1_STATE", p1_state);
  replace_all(t, "OPTIONS", options);
  return t;
}

inline topology::Topology parse(const std::string& text) {
  topology::Topology t;
  if (!google::protobuf::TextFormat::ParseFromString(text, &t)) throw std::runtime_error("bad test topology");
  return t;
}

// GCC 12 warns falsely (-Wrestrict, GCC bug 105329) on these std::string assignments whenever
// it compiles job() out of line, which depends on how many tests the including file holds.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wrestrict"
inline JobSpec job(std::uint32_t iodepth, Duration runtime, Duration ramp = 0ms) {
  JobSpec j;
  j.name = "j";
  j.host = "h0";
  j.nqn = "nqn.test:s1";
  j.nsid = 1;
  j.rw = RwMode::RandRead;
  j.block_size = 4096;
  j.iodepth = iodepth;
  j.runtime = runtime;
  j.ramp_time = ramp;
  j.start_delay = 10ms;  // controllers connect first
  return j;
}
#pragma GCC diagnostic pop

inline Scenario scenario(const std::string& topo_text, const std::string& policy, JobSpec j, std::uint64_t seed = 1) {
  Scenario s;
  s.name = "test";
  s.topology = parse(topo_text);
  s.jobs.push_back(std::move(j));
  s.policy.name = policy;
  s.models = models::default_models();
  s.seed = seed;
  return s;
}

// The target answers at once: no target CPU, every command `media_us` at the media, no spread
// and no queueing there.
inline void instant_target(Scenario& s, double media_us) {
  s.models.target_cpu.per_io_us = 0;
  s.models.target_cpu.per_kib_us = 0;
  auto& media = s.models.media["nand-tlc-gen4"];
  media.read_latency_us = media_us;
  media.write_latency_us = media_us;
  media.latency_cv = 0;
  media.parallelism = 1024;
}

// The validation guest's shape: one host core does all of an I/O's CPU work (50 us, plus a
// 20 us io_submit call), the target and media answer at once; `share` and `keeps` are
// models.host_cpu.completion_share and submitter_keeps_cpu (host_cpu_split_test.cpp).
inline Scenario guest_like(const std::string& policy, double share, double keeps, std::uint64_t seed = 1) {
  std::string topo = two_path_topology();
  replace_all(topo, "numa_nodes { id: 0 cpus: 8 }", "numa_nodes { id: 0 cpus: 1 }");
  Scenario s = scenario(topo, policy, job(16, 400ms), seed);
  s.models.host_cpu.per_io_us = 50;
  s.models.host_cpu.per_kib_us = 0;
  s.models.host_cpu.per_call_us = 20;
  s.models.host_cpu.completion_share = share;
  s.models.host_cpu.submitter_keeps_cpu = keeps;
  instant_target(s, 5);
  return s;
}

inline const PathResult& path(const RunResult& r, const std::string& controller) {
  for (const auto& p : r.paths) {
    if (r.controller(p) == controller) return p;
  }
  throw std::runtime_error("no path " + controller);
}

// A fault of `kind` on `target` at `at`, labelled by its target (the fault and TCP tests).
inline FaultSpec fault(FaultKind kind, const std::string& target, Duration at) {
  FaultSpec f;
  f.label = target;
  f.kind = kind;
  f.target = target;
  f.at = at;
  return f;
}

// Whether the run logged an event of `kind` on `subject` whose detail contains `detail`.
inline bool has_event(const RunResult& r, const std::string& kind, const std::string& subject, const std::string& detail) {
  return std::any_of(r.events.begin(), r.events.end(), [&](const EventRow& e) {
    return e.kind == kind && e.subject == subject && e.detail.find(detail) != std::string::npos;
  });
}

}  // namespace mpsim::sim::testing
