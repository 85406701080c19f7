// Random valid experiments for the soak. Everything is drawn from one seeded generator, so a
// seed names a case; the names the faults and jobs refer to come from the generated fabric.
#include <google/protobuf/text_format.h>

#include <cstdio>
#include <random>

#include "experiments/soak/soak.h"
#include "policies/selector.h"
#include "topologies/generate.h"
#include "topologies/topology.h"

namespace mpsim::experiments::soak {
namespace {

using Rng = std::mt19937_64;

std::uint64_t pick(Rng& rng, std::uint64_t lo, std::uint64_t hi) {  // inclusive
  return lo + rng() % (hi - lo + 1);
}
bool chance(Rng& rng, int percent) { return static_cast<int>(rng() % 100) < percent; }
template <typename T>
const T& one_of(Rng& rng, const std::vector<T>& v) { return v[rng() % v.size()]; }

std::string ms(std::uint64_t v) { return "\"" + std::to_string(v) + "ms\""; }
std::string quoted(const std::string& s) { return "\"" + s + "\""; }
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string generator_text(Rng& rng) {
  const std::vector<std::string> layouts{"OWNED", "ALL_OPTIMIZED", "ACTIVE_PASSIVE"};
  if (chance(rng, 50)) {
    return "leaf_spine { hosts: " + std::to_string(pick(rng, 1, 6)) + " hosts_per_rack: " + std::to_string(pick(rng, 2, 4)) +
           " nics_per_host: " + std::to_string(pick(rng, 1, 2)) + " spines: " + std::to_string(pick(rng, 1, 2)) +
           " nodes_per_array: " + std::to_string(pick(rng, 2, 4)) + " namespaces_per_array: " +
           std::to_string(pick(rng, 1, 4)) + " ana_layout: " + one_of(rng, layouts) + " }";
  }
  return "dual_fabric { hosts: " + std::to_string(pick(rng, 1, 4)) + " target_nodes: " + std::to_string(pick(rng, 2, 3)) +
         " namespaces: " + std::to_string(pick(rng, 1, 4)) + " ana_layout: " + one_of(rng, layouts) + " }";
}

std::string timers_text(Rng& rng) {
  std::string t = "connection_defaults {";
  if (chance(rng, 60)) t += " kato_s: " + num(0.5 * static_cast<double>(pick(rng, 1, 20)));
  if (chance(rng, 60)) t += " reconnect_delay_s: " + num(0.1 * static_cast<double>(pick(rng, 1, 20)));
  if (chance(rng, 40)) t += " ctrl_loss_tmo_s: " + (chance(rng, 30) ? std::string("-1") : num(static_cast<double>(pick(rng, 1, 5))));
  if (chance(rng, 30)) t += " fast_io_fail_tmo_s: " + num(0.1 * static_cast<double>(pick(rng, 1, 20)));
  if (chance(rng, 40)) t += " io_timeout_s: " + num(0.1 * static_cast<double>(pick(rng, 2, 50)));
  return t + " }\n";
}

std::string jobs_text(Rng& rng, const topology::Topology& topo, std::uint64_t& runtime_ms) {
  const std::vector<std::string> rws{"read", "write", "randread", "randwrite", "randrw", "rw"};
  const std::vector<std::string> sizes{"4k", "8k", "16k", "64k", "128k"};
  std::string out;
  const std::uint64_t n = pick(rng, 1, 3);
  for (std::uint64_t j = 0; j < n; ++j) {
    const topology::Connection& c = topo.connections(static_cast<int>(rng() % topo.connections_size()));
    const topology::Subsystem* sub = topology::find_subsystem(topo, c.nqn());
    const topology::Namespace& ns = sub->namespaces(static_cast<int>(rng() % sub->namespaces_size()));
    const std::uint64_t start = chance(rng, 30) ? pick(rng, 1, 50) : 0, ramp = chance(rng, 30) ? 20 : 0;
    const std::uint64_t runtime = pick(rng, 100, 300);
    runtime_ms = std::max(runtime_ms, start + ramp + runtime);
    out += "jobs { name: \"j" + std::to_string(j) + "\" host: " + quoted(c.host()) + " nqn: " + quoted(c.nqn()) +
           " nsid: " + std::to_string(ns.nsid()) + " rw: " + quoted(one_of(rng, rws)) + " bs: " + quoted(one_of(rng, sizes)) +
           " iodepth: " + std::to_string(pick(rng, 1, 64)) + " numjobs: " + std::to_string(pick(rng, 1, 2)) +
           " runtime: " + ms(runtime);
    if (ramp) out += " ramp_time: " + ms(ramp);
    if (start) out += " start_delay: " + ms(start);
    if (chance(rng, 20)) out += " rate_iops: " + std::to_string(pick(rng, 1000, 50000));
    if (chance(rng, 20)) out += " iodepth_batch_submit: " + std::to_string(pick(rng, 0, 8));
    out += " }\n";
  }
  return out;
}

// Every kind the schema has; targets are drawn from the fabric so each fault is valid.
std::string fault_text(Rng& rng, const topology::Topology& topo, std::uint64_t run_ms, std::string& kind) {
  const std::vector<std::string> detections{"AUTO", "IMMEDIATE", "SILENT"};
  const std::uint64_t at = pick(rng, 0, run_ms - 1);
  std::string window = "at: " + ms(at);
  const topology::Link& link = topo.links(static_cast<int>(rng() % topo.links_size()));
  const topology::Connection& conn = topo.connections(static_cast<int>(rng() % topo.connections_size()));
  switch (rng() % 5) {
    case 0: {
      kind = "down";
      std::vector<std::string> targets{topology::link_name(link), link.a(), link.b(), conn.port()};
      const std::string target = one_of(rng, targets);
      if (chance(rng, 70)) window += " duration: " + ms(pick(rng, 1, 200));
      return "faults { " + window + " down { target: " + quoted(target) + " detection: " + one_of(rng, detections) + " } }\n";
    }
    case 1: {
      kind = "ana";
      const topology::Subsystem* sub = topology::find_subsystem(topo, conn.nqn());
      const topology::Namespace& ns = sub->namespaces(static_cast<int>(rng() % sub->namespaces_size()));
      const std::vector<std::string> states{"OPTIMIZED", "NON_OPTIMIZED", "INACCESSIBLE", "PERSISTENT_LOSS"};
      if (chance(rng, 70)) window += " duration: " + ms(pick(rng, 1, 200));
      std::string ana = "port: " + quoted(conn.port()) + " grpid: " + std::to_string(ns.ana_grpid()) + " state: " + one_of(rng, states);
      if (chance(rng, 40)) ana += " transition: " + ms(pick(rng, 1, 50));
      return "faults { " + window + " ana { " + ana + " } }\n";
    }
    case 2: {
      kind = "flap";
      const std::uint64_t count = pick(rng, 1, 4), period = pick(rng, 2, 60);
      return "faults { " + window + " flap { target: " + quoted(topology::link_name(link)) + " count: " +
             std::to_string(count) + " period: " + ms(period) + " detection: " + one_of(rng, detections) + " } }\n";
    }
    case 3: {
      kind = "gray";
      if (chance(rng, 70)) window += " duration: " + ms(pick(rng, 1, 200));
      return "faults { " + window + " gray { target: " + quoted(topology::link_name(link)) + " latency_factor: " +
             num(static_cast<double>(pick(rng, 1, 50))) + " bandwidth_divisor: " + num(static_cast<double>(pick(rng, 2, 20))) + " } }\n";
    }
    default:
      kind = "reset";
      return "faults { " + window + " reset { controller: " + quoted(conn.host() + "/" + conn.port()) +
             " side: " + (chance(rng, 50) ? "HOST" : "TARGET") + " } }\n";
  }
}

}  // namespace

SoakCase generate_soak_case(std::uint64_t seed) {
  Rng rng(seed);
  SoakCase c;
  c.seed = seed;
  const std::string generator = generator_text(rng);
  topology::Topology gen_topo;
  google::protobuf::TextFormat::ParseFromString("generator { " + generator + " }", &gen_topo);
  const topology::Topology topo = topology::generate(gen_topo.generator());
  std::vector<std::string> policies;  // those that run with their default parameters
  for (const policies::PolicyInfo& info : policies::registered_policies()) {
    try {
      policies::make_selector({info.name, {}});
      policies.push_back(info.name);
    } catch (const policies::PolicyError&) {
    }
  }
  std::uint64_t run_ms = 0;
  std::string jobs = jobs_text(rng, topo, run_ms);
  c.text = "# mpsim soak case, seed " + std::to_string(seed) + " (replay: mpsim run THIS_FILE)\nname: \"soak-" +
           std::to_string(seed) + "\"\nseed: " + std::to_string(seed) + "\ntopology { generator { " + generator + " } }\n" +
           timers_text(rng) + jobs;
  c.text += "compare { name: " + quoted(one_of(rng, policies)) + " }\n";
  const std::string second = one_of(rng, policies);
  if (c.text.find(quoted(second)) == std::string::npos) c.text += "compare { name: " + quoted(second) + " }\n";
  c.text += "timeline_interval: \"10ms\"\n";
  const std::uint64_t faults = pick(rng, 0, 4);
  for (std::uint64_t f = 0; f < faults; ++f) {
    std::string kind;
    c.text += fault_text(rng, topo, run_ms, kind);
    c.fault_kinds.insert(kind);
  }
  return c;
}

}  // namespace mpsim::experiments::soak
