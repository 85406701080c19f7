// `mpsim sweep ... --slurm`: flags and the hand-over to experiments/sweep_slurm.h.
#include "experiments/cli/sweep_slurm_cli.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "experiments/sweep_slurm.h"

namespace mpsim::cli {

void add_slurm_flags(CLI::App& sweep, SlurmFlags& flags) {
  sweep.add_flag("--slurm", flags.slurm, "Run the points as one Slurm array job (sbatch --array), then collect");
  sweep.add_option("--partition", flags.partition, "Slurm partition (default: the cluster's default)");
  sweep.add_option("--tasks-per-job", flags.tasks_per_job, "Points run by each array task, one after the other")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sweep.add_flag("--no-wait", flags.no_wait, "With --slurm: return after submitting; `mpsim sweep --collect DIR` later");
}

SlurmOutcome run_sweep_on_slurm(const std::string& dir, std::size_t points, const SlurmFlags& flags,
                                const std::function<void(std::size_t, const std::string&)>& mark_failed) {
  experiments::SlurmArrayOptions options;
  options.partition = flags.partition;
  options.tasks_per_job = flags.tasks_per_job;
  // Every task runs this very binary (it must be on a file system the compute nodes share).
  options.mpsim = std::filesystem::canonical("/proc/self/exe").string();
  experiments::SlurmSweepRun run = experiments::run_sweep_array(dir, points, options, !flags.no_wait, mark_failed);
  spdlog::info("submitted Slurm array job {} ({} tasks of up to {} points)", run.job.job_id, run.job.tasks,
               flags.tasks_per_job);
  if (!run.waited) {
    std::cout << "submitted Slurm job " << run.job.job_id << "; when it has finished: mpsim sweep --collect " << dir
              << "\n";
    return SlurmOutcome::kSubmitted;
  }
  for (const auto& [point, reason] : run.failed) spdlog::error("point {}: {}", point, reason);
  return SlurmOutcome::kCollect;
}

}  // namespace mpsim::cli
