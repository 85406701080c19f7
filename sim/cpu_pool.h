// A host's or target node's cores as the data path sees them: work runs to completion on the
// core that frees up first (no preemption, no time slicing), except that a core can be taken
// away for a while (models::CpuParams pauses): work on it stops until the pause ends.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "models/model_set.h"

namespace mpsim::sim {

// One core's pauses as [start, end) intervals in simulated ns, drawn one after the other from
// the core's own stream, so the schedule depends only on the seed, never on the work.
class PauseTrack {
 public:
  PauseTrack(double rate_per_s, double mean_us, std::uint64_t seed);

  // When `cost` ns of work starting at `t` (>= any earlier call's t) finishes, pauses included.
  std::int64_t finish(std::int64_t t, std::int64_t cost);

  std::int64_t start() const { return start_; }  // the next (or current) pause
  std::int64_t end() const { return end_; }
  void next();                                    // move to the pause after it

 private:
  double draw(double mean_ns);  // exponential with the given mean

  double gap_mean_ns_, pause_mean_ns_;
  std::mt19937_64 rng_;
  std::int64_t start_ = 0, end_ = 0;
};

// Cores of a host or target node: each new piece of work starts on the core free first
// (ties: the lowest core).
class CpuPool {
 public:
  // `seed` names this pool's pause streams (one per core); unused without pauses. The cores are
  // numbered from `first_core` (a NUMA node's cores within their host): the numbers break ties
  // and pick each core's pause stream, so a host split into nodes keeps its cores' streams.
  explicit CpuPool(std::uint32_t cores = 1, const models::CpuParams& params = {}, std::uint64_t seed = 0,
                   std::uint32_t first_core = 0);

  // Reserves `cost` ns on the earliest-free core from `now`; returns when the work is done.
  std::int64_t run(std::int64_t now, std::int64_t cost);

  std::uint32_t cores() const { return std::uint32_t(heap_.size()); }
  // True when this pool's next core comes before `other`'s (earlier free, then lower number).
  bool next_before(const CpuPool& other) const { return heap_.front().before(other.heap_.front()); }

 private:
  struct Core {
    std::int64_t free_at;
    std::uint32_t id;
    bool before(const Core& o) const { return free_at < o.free_at || (free_at == o.free_at && id < o.id); }
  };
  void sift_down();

  std::vector<Core> heap_;          // min-heap on (free_at, id): the core to use next at the front
  std::vector<PauseTrack> pauses_;  // by core id - first_core_; empty = no pauses
  std::uint32_t first_core_ = 0;
};

// A host's cores by NUMA node (topology Host.numa_nodes, in their order; cores numbered across
// the host in that order). A job pinned to a node (fio numa_cpu_nodes / cpus_allowed) runs on
// that node's cores only, so jobs on one node contend for its cores and not for the others'.
// An unpinned job runs on whichever core of the host frees up first, as the kernel's scheduler
// is free to place it: the same choice as one pool of all the host's cores.
class HostCpu {
 public:
  static constexpr int kAnyNode = -1;

  HostCpu(const std::vector<std::uint32_t>& cores_per_node, const models::CpuParams& params, std::uint64_t seed);

  // `cost` ns of work from `now` on node `node` (an index into the nodes; kAnyNode: any core).
  std::int64_t run(int node, std::int64_t now, std::int64_t cost);

  std::uint32_t cores(int node = kAnyNode) const;  // of one node, or of the host
  std::size_t nodes() const { return nodes_.size(); }

 private:
  std::vector<CpuPool> nodes_;
  std::uint32_t total_ = 0;
};

}  // namespace mpsim::sim
