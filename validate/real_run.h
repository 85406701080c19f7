// What one scenario measured on the real kernel, derived from a guest results directory, and
// its validation-real.json form. The measures mirror sim::RunResult/FaultMeasure so the two
// engines compare field by field.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario.h"
#include "validate/fio_json.h"
#include "validate/guest_plan.h"
#include "validate/guest_results.h"

namespace mpsim::validate {

struct RealPath {
  std::string port;          // "<node>.<port>"
  std::string controller;    // "<host>/<node>.<port>", as sim::PathResult names it
  std::uint64_t ios = 0;     // completed in the measured window (/sys/block/<path>/stat)
  double share = 0;
};

struct RealFault {
  std::string label;
  std::int64_t at_ms = 0;                // planned: io_start + the experiment's `at`
  std::int64_t applied_ms = 0;           // when the guest's first action for it had taken effect
  std::int64_t end_ms = 0;               // end of the window (run end if open-ended)
  std::int64_t applied_end_ms = -1;      // when its last action at the window's end had taken
                                         // effect; -1 if it has none or the line is missing
  std::int64_t stall_ms = 0;             // longest time without completions in [applied, run end]
  std::int64_t time_to_detect_ms = -1;   // applied -> first path state change seen by the sampler
                                         // (searched from at_ms; 0 if it came while the action ran)
  std::int64_t time_to_restore_ms = -1;  // window end -> every path back to its state before
  std::int64_t time_to_full_throughput_ms = -1;  // window end -> a 100 ms bin at >= 90% of steady
  std::string timers;                    // detection timers fired from applied_ms to the next fault's
                                         // (validate/guest_timers.h); "" = dmesg.txt not read
};

struct RealRun {
  std::string scenario;
  std::string policy;
  std::string kernel;                    // "Linux version ..." line of the guest console
  std::int64_t boot_wall_ms = -1;        // boot + setup + run + power-off, host wall clock
  std::int64_t measure_from_ms = 0;
  std::int64_t measure_to_ms = 0;
  std::uint64_t completions = 0;         // logged completions in the measured window
  double iops = 0;
  std::int64_t p50_ns = -1, p99_ns = -1, p999_ns = -1;  // total latency, from the per-I/O log
  std::int64_t max_ns = -1;              // the largest total latency in the window (-1 = not read)
  std::int64_t stall_ms = 0;             // longest gap without completions in the measured window
  std::uint64_t errors = 0;              // failed I/Os over all jobs (failed_ios)
  std::vector<FioJob> jobs;
  // Per fio job from its own per-I/O log (io_lat.<k>.log, k = the job's place in fio.json, from
  // 1), in the same window as the totals: completions/s and total-latency percentiles.
  struct JobFigures {
    double iops = 0;
    std::int64_t p50_ns = -1, p99_ns = -1;
  };
  std::vector<JobFigures> job_figures;  // by job, as `jobs`; empty when a job's log is missing
  std::vector<RealPath> paths;
  std::vector<RealFault> faults;
  std::vector<FaultRecord> actions;      // fault actions as the guest performed them
  SampleTable samples;                   // the sampler's rows (per-phase conformance, conformance.h)
  // dm mode: multipathd's checker ticks that checked paths, ms since T0 (multipathd.log with
  // t0_uptime; empty without them). Not in validation-real.json: the replay's input only.
  std::vector<std::int64_t> dm_checker_ticks_ms;
};

// Reads samples.csv, faults.csv, t0_us, fio.json, io_lat.*.log (and console.log if present)
// from `dir`. Throws GuestOutputError if a file is missing or malformed.
RealRun analyse_guest_results(const sim::Scenario& scenario, const GuestPlan& plan, const std::string& dir);

// The faults.csv line time of each planned action (plan.actions order; -1 for an action the run
// ended before): the guest runs them in plan order and logs one line each (a host reset also
// its return, reset_done, skipped here), so the k-th line is the k-th action when its action and
// port agree. Empty when the lines do not pair up that way.
std::vector<std::int64_t> action_line_times(const GuestPlan& plan, const std::vector<FaultRecord>& records);

// When a fault's own actions had taken effect (guest ms): its first action (the start), and
// the last of its actions planned at the end of its window (-1 when it has no such action, or
// one of them has no line). Without a pairing (action_line_times empty) the start is the first
// action line at or after the planned time, whichever fault it belongs to.
struct AppliedFault {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = -1;
};
std::vector<AppliedFault> applied_fault_times(const sim::Scenario& scenario, const GuestPlan& plan,
                                              const std::vector<FaultRecord>& records, std::int64_t io_start_ms);

// The failed I/Os a fio job saw: total_err counts only those it continued past
// (continue_on_error); the one that ended the job shows only as its `error`.
inline std::uint64_t failed_ios(const FioJob& job) { return job.total_err > 0 ? job.total_err : (job.error != 0 ? 1 : 0); }

// validation-real.json: stable key order, one document per scenario.
std::string real_run_json(const RealRun& run);

}  // namespace mpsim::validate
