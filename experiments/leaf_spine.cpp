#include "experiments/leaf_spine.h"

#include "models/model_set.h"
#include "topologies/generate.h"

namespace mpsim::experiments {
namespace {

constexpr std::uint32_t kTargetNodes = 4;  // the generator's default nodes_per_array

std::string host_name(std::uint32_t i) { return "h" + std::to_string(i); }

}  // namespace

topology::Topology make_leaf_spine(std::uint32_t hosts) {
  topology::LeafSpine params;  // every other parameter at its default: the shape described in leaf_spine.h
  params.set_hosts(hosts);
  return topology::generate_leaf_spine(params);
}

sim::Scenario make_leaf_spine_scenario(std::uint32_t hosts, std::uint32_t iodepth, sim::Duration runtime,
                                       const std::string& policy, std::uint64_t seed) {
  sim::Scenario s;
  s.name = "leaf-spine-" + std::to_string(hosts);
  s.topology = make_leaf_spine(hosts);
  for (std::uint32_t i = 0; i < hosts; ++i) {
    sim::JobSpec j;
    j.name = "randread-" + host_name(i);
    j.host = host_name(i);
    j.nqn = kLeafSpineNqn;
    j.nsid = i % kTargetNodes + 1;
    j.rw = sim::RwMode::RandRead;
    j.iodepth = iodepth;
    j.runtime = runtime;
    j.start_delay = std::chrono::milliseconds(10);  // fio starts after `nvme connect` returns
    s.jobs.push_back(j);
  }
  s.policy.name = policy;
  s.models = models::default_models();
  s.seed = seed;
  s.duration = std::chrono::milliseconds(10) + runtime;
  return s;
}

}  // namespace mpsim::experiments
