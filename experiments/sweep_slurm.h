// The Slurm executor of a sweep: the planned points of DIR run as ONE Slurm array job, each
// array task running `<mpsim> sweep-run DIR --index $SLURM_ARRAY_TASK_ID --count K` (points
// I*K .. I*K+K-1, each writing DIR/points/NNNN.result.json), then the sweep is collected from
// those files exactly as after a local run. DIR must be on a file system the compute nodes
// share (with the mpsim binary).
//
//   SlurmArrayOptions opt{.partition = "", .tasks_per_job = 4, .mpsim = "/opt/mpsim/build/mpsim"};
//   SlurmSubmission job = submit_sweep_array(dir, points, opt);     // throws SlurmError
//   std::vector<ArrayTaskOutcome> tasks = wait_for_array(job, opt); // throws SlurmError
//   for (auto& [point, reason] : unfinished_points(dir, points, opt.tasks_per_job, tasks)) ...
//
// Nothing here needs accounting (sacct): states come from squeue while the job runs and from
// `scontrol show job` after it (slurmctld keeps finished jobs for MinJobAge, 300 s by default).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mpsim::experiments {

// Slurm unusable: a client command missing, the controller unreachable, a rejected job. The
// message says what failed and how to go on; the CLI exits 2 with it.
class SlurmError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SlurmArrayOptions {
  std::string partition;              // empty: the cluster's default partition
  std::uint32_t tasks_per_job = 1;    // K: points run by one array task, one after the other
  std::string mpsim;                  // absolute path of the mpsim binary each task runs
  std::chrono::milliseconds poll{500};         // between squeue polls
  std::chrono::seconds lost_contact_limit{60};  // squeue failing this long ends the wait
};

struct SlurmSubmission {
  std::string job_id;      // the array's job id
  std::uint32_t tasks = 0; // array indices 0 .. tasks-1
  std::string script;      // DIR/slurm/array.sh, what was submitted
};

// How one array task ended, from `scontrol show job`.
struct ArrayTaskOutcome {
  std::uint32_t task = 0;
  std::string state;      // COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, ...; "UNKNOWN" if forgotten
  std::string exit_code;  // "1:0" (status:signal)
  std::string reason;     // Slurm's Reason field, e.g. NonZeroExitCode
  bool completed() const { return state == "COMPLETED"; }
};

// DIR/points/NNNN.result.json of point `index` (the sweep-run contract).
std::string point_result_path(const std::string& dir, std::size_t index);

// Array tasks needed for `points` points at `tasks_per_job` points each.
std::uint32_t array_task_count(std::size_t points, std::uint32_t tasks_per_job);

// Writes DIR/slurm/array.sh and submits it with `sbatch --parsable --array=0-M`; task output
// goes to DIR/slurm/task_<job>_<task>.out and the job id to DIR/slurm/job_id.
SlurmSubmission submit_sweep_array(const std::string& dir, std::size_t points, const SlurmArrayOptions& options);

// Waits until no task of the job is pending or running, then returns every task's outcome.
std::vector<ArrayTaskOutcome> wait_for_array(const SlurmSubmission& job, const SlurmArrayOptions& options);

// Points whose task did not complete and that left no result file, each with the reason
// ("Slurm array task 2 of job 17 ended FAILED (exit 1:0, NonZeroExitCode); its output:
// DIR/slurm/task_17_2.out"), in point order.
std::vector<std::pair<std::size_t, std::string>> unfinished_points(const std::string& dir, std::size_t points,
                                                                   std::uint32_t tasks_per_job,
                                                                   const SlurmSubmission& job,
                                                                   const std::vector<ArrayTaskOutcome>& outcomes);

struct SlurmSweepRun {
  SlurmSubmission job;
  bool waited = false;                                     // false after --no-wait
  std::vector<std::pair<std::size_t, std::string>> failed;  // (point, reason), also given to mark_failed
};

// All of the above: submit, and unless `wait` is false wait and hand every unfinished point to
// `mark_failed` (which records it as failed in the sweep's results). Throws SlurmError.
SlurmSweepRun run_sweep_array(const std::string& dir, std::size_t points, const SlurmArrayOptions& options, bool wait,
                              const std::function<void(std::size_t, const std::string&)>& mark_failed);

}  // namespace mpsim::experiments
