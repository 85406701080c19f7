// What a sweep keeps of one policy's run: the figures SLOs and sweep.csv need, per job and per
// fault, plus the ledger. Built from a sim::RunResult, and written to / read from a point's
// result file, so `run` and `sweep --collect` judge SLOs on the very same numbers.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "experiments/experiment_loader.h"
#include "sim/result.h"

namespace mpsim::experiments {

struct JobMetrics {
  std::string name;  // "<job>" or "<job>.<clone>"
  std::string host;
  std::string nqn;
  std::uint32_t nsid = 0;
  std::uint64_t ios = 0;      // completed in the measured window, reads + writes
  std::uint64_t bytes = 0;
  std::uint64_t errors = 0;
  std::uint64_t runtime_ms = 0;
  // Latency percentiles: the larger of the read and write figures (a job doing both).
  std::int64_t p50_ns = 0, p99_ns = 0, p999_ns = 0, max_ns = 0;
  std::string tenant;         // "" = none
  double iops() const;
  double mbps() const;        // 10^6 bytes per second
};

// The latency of every I/O of a scope's subject pooled (sim::PooledLatency): what SLOs on a job
// (with its clones), a host or a namespace across hosts judge.
struct PooledMetrics {
  std::string scope;  // "job", "host", "namespace", "run"
  std::string key;
  std::uint64_t ios = 0;
  std::int64_t p50_ns = 0, p99_ns = 0, p999_ns = 0, max_ns = 0;
};

struct FaultMetrics {
  std::string label;
  std::int64_t at_ns = 0;
  std::int64_t stall_ns = 0;
  std::int64_t detect_ns = -1;   // -1 = never detected
  std::int64_t recover_ns = -1;  // -1 = throughput never came back within 10%
  std::int64_t p99_during_ns = 0;   // over the I/Os in flight in the window (sim::FaultMeasure)
  std::uint64_t stuck_during = 0;   // of them, still in flight at the run's end (p99 is then a lower bound)
  std::uint64_t ghost_writes = 0;  // landed from this fault's start to the next fault's
};

struct RunMetrics {
  std::string policy;  // policy text, e.g. "numa" or "spdk-round-robin(rr_min_io=16)"
  std::vector<JobMetrics> jobs;
  std::vector<PooledMetrics> pooled;
  std::vector<FaultMetrics> faults;
  sim::Ledger ledger;
  std::uint64_t ghost_writes = 0;
};

RunMetrics run_metrics(const PlannedRun& run, const sim::RunResult& result);

nlohmann::json to_json(const RunMetrics& m);
RunMetrics run_metrics_from_json(const nlohmann::json& j);  // throws nlohmann::json::exception

// The pooled figures of (scope, key); nullptr if no job is in that group.
const PooledMetrics* find_pooled(const RunMetrics& m, std::string_view scope, std::string_view key);

}  // namespace mpsim::experiments
