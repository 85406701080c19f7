// SLO assertions: `slo { metric: P99_LATENCY scope: JOB job: "randread" comparator: LE threshold: "1ms" }`
// in an experiment, or "job=randread:p99<=1ms" on the command line (--slo). Each is judged on a
// policy's RunMetrics: once per subject (a job, host, namespace or fault; all of them when the
// assertion names none), so a failure says which subject missed by how much.
//
// Aggregates over several jobs (a host, a namespace across hosts, clones of a numjobs job): IOPS,
// MB/s and error counts add up; latency percentiles are those of all the subject's I/Os pooled in
// one histogram (reads and writes together), computed by the engine (sim::PooledLatency).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "experiments/experiment.pb.h"
#include "experiments/experiment_loader.h"
#include "experiments/sweep_metrics.h"

namespace mpsim::experiments {

class SloError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// "[SCOPE:]METRIC CMP THRESHOLD": SCOPE is job=NAME, host=NAME, namespace=NQN/NSID, tenant=NAME, fault=INDEX or
// run (omitted: the metric's own scope, every subject); METRIC one of iops, mbps, p50, p99, p99.9,
// max, errors, stall, detect, recover, p99_fault, failed, ledger, ghost_writes; CMP <, <=, >, >=, ==.
// Throws SloError naming the text and the valid choices.
experiment::Slo parse_slo(std::string_view text);

// Checks every assertion against the experiment (metric, scope, threshold's unit, that the
// named job/host/namespace/fault exists). Throws SloError listing each problem.
void check_slos(const std::vector<experiment::Slo>& slos, const LoadedExperiment& exp);

struct SloOutcome {
  std::string name;     // the assertion as text, or its `name`
  std::string policy;
  std::string subject;  // "job randread", "host h0", "namespace nqn/1", "fault 0 (...)", "run"
  bool passed = false;
  std::string measured; // with units
  std::string threshold;
};

std::vector<SloOutcome> evaluate_slos(const std::vector<experiment::Slo>& slos, const RunMetrics& run);

std::string slo_text(const experiment::Slo& slo);  // "job=randread:p99<=1ms"

// `mpsim run`: the experiment's assertions and `extra` (--slo texts) checked against it, then
// judged on every policy's result. Throws SloError on a bad assertion (before anything ran,
// call check_run_slos first).
std::vector<experiment::Slo> check_run_slos(const LoadedExperiment& exp, const std::vector<std::string>& extra);
std::vector<SloOutcome> judge_run_slos(const LoadedExperiment& exp, const std::vector<experiment::Slo>& slos,
                                       const std::vector<sim::RunResult>& results);

}  // namespace mpsim::experiments
