// What one simulation run needs, already validated and resolved to plain values. The
// experiments layer builds it from an experiment file; tests build it directly.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "models/model_set.h"
#include "sim/fault_spec.h"
#include "sim/qos_spec.h"
#include "policies/selector.h"
#include "policies/types.h"
#include "topologies/topology.pb.h"

namespace mpsim::sim {

using policies::Duration;

enum class RwMode : std::uint8_t { Read, Write, RandRead, RandWrite, RandRw, Rw };

// fio continue_on_error: which failed I/Os a job counts and carries on past. fio's default,
// None, ends the job at its first error; Verify continues only past verify mismatches, which
// the simulator does not model, so for it every I/O error still ends the job.
enum class ContinueOnError : std::uint8_t { None, Read, Write, Io, Verify, All };

// fio's word for it ("none", "read", "write", "io", "verify", "all").
inline const char* fio_word(ContinueOnError c) {
  static constexpr const char* kWords[] = {"none", "read", "write", "io", "verify", "all"};
  return kWords[static_cast<std::size_t>(c)];
}

inline bool continues_after_error(ContinueOnError c, bool read) {
  return c == ContinueOnError::All || c == ContinueOnError::Io || (read ? c == ContinueOnError::Read : c == ContinueOnError::Write);
}

// One fio job section (numjobs clones are expanded by the engine, named "<name>.<i>" if > 1).
struct JobSpec {
  std::string name;
  std::string host;
  std::string nqn;
  std::uint32_t nsid = 1;
  RwMode rw = RwMode::RandRead;
  std::uint32_t rwmixread = 50;      // percent reads for RandRw/Rw
  std::uint32_t block_size = 4096;   // bytes
  std::uint32_t iodepth = 1;
  // fio iodepth_batch_submit: I/Os per io_submit (1 = each at once). fs/aio.c plugs a call of
  // more than 2, so its I/Os are chosen before any of them starts (NamespaceHead::plug).
  std::uint32_t iodepth_batch_submit = 1;
  // fio iodepth_batch_complete_min: completions fio waits for before it reaps and refills.
  std::uint32_t iodepth_batch_complete_min = 1;
  // fio write_lat_log with log_avg_msec=0: the job keeps per-I/O latency logs in memory (not
  // written by mpsim). Each time one fills, fio waits until nothing is in flight before it
  // submits again (sim/fio_lat_log.h). log_entries: fio's first chunk, 1024..1M samples.
  bool per_io_lat_log = false;
  std::uint32_t log_entries = 1024;
  std::uint32_t numjobs = 1;
  std::uint64_t rate_iops = 0;       // 0 = unlimited
  Duration runtime{};
  Duration ramp_time{};              // excluded from statistics
  Duration start_delay{};
  // The NUMA node (a Host.numa_nodes id) of the submitting CPU: the numa and round-robin
  // iopolicies keep their path per node (current_path[numa_node_id()]). Pinned (fio
  // numa_cpu_nodes / cpus_allowed): the job's CPU work runs on that node's cores only.
  // Unpinned: on any core of the host, and numa_node is the node its path choice counts as.
  int numa_node = 0;
  bool numa_pinned = false;
  // fio size/offset: the LBA region in bytes, [offset, offset + size); size 0 = to the end of
  // the namespace.
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::string tenant;                // reports group jobs by it ("" = none)
  std::string cgroup;                // a Scenario::cgroups name ("" = the root cgroup: no io.max)
  std::string verify;                // fio verify method for the real kernel's run ("" = none); not simulated
  ContinueOnError continue_on_error = ContinueOnError::None;
};

// Policy for (host, nqn); empty fields match anything. The first matching override wins,
// else Scenario::policy.
struct PolicyOverride {
  std::string host;
  std::string nqn;
  policies::PolicyConfig policy;
};

// How far a run has got, for a progress display on another thread: updated every few
// thousand events (relaxed stores; what it shows does not affect the run).
struct RunProgress {
  std::atomic<std::int64_t> simulated_ns{0};
  std::atomic<std::uint64_t> completed_ios{0};
};

struct Scenario {
  std::string name;
  topology::Topology topology;
  std::vector<JobSpec> jobs;
  policies::PolicyConfig policy;     // the policy of this run (compare lists expand to several runs)
  std::vector<PolicyOverride> overrides;
  models::ModelSet models;
  std::vector<FaultSpec> faults;
  std::vector<TargetQosSpec> target_qos;  // SPDK bdev QoS on namespaces / host-namespace pairs
  std::vector<CgroupSpec> cgroups;        // host cgroups with io.max on multipath heads
  std::uint64_t seed = 0;
  Duration duration{};               // simulated time; 0 = longest start_delay + ramp_time + runtime
  Duration timeline_interval{std::chrono::milliseconds(100)};
  // Width of each job's SampleWindow (fio's iops/bw sampling, 500 ms by default).
  Duration sample_interval{std::chrono::milliseconds(500)};
  RunProgress* progress = nullptr;   // not owned; null = nobody watches
  bool check_invariants = false;     // after every event (the soak): sim/invariants.h
};

}  // namespace mpsim::sim
