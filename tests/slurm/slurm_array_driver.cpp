// Drives experiments/sweep_slurm.h the way `mpsim sweep --slurm` does, with any worker in place
// of mpsim, so the test can run it against a real cluster:
//
//   slurm_array_driver DIR POINTS K WORKER [--no-wait]
//
// Submits POINTS points of DIR as one array (K per task, each task running
// `WORKER sweep-run DIR --index I --count K`), waits, and records every point left without a
// result as failed with the reason (record_failed_point, experiments/sweep.h), as `mpsim sweep --slurm` does. Exit 0: all points have results; 1: some
// failed; 2: Slurm unusable (SlurmError, message on stderr).
#include <iostream>
#include <string>

#include "experiments/sweep.h"
#include "experiments/sweep_slurm.h"

namespace ex = mpsim::experiments;

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: slurm_array_driver DIR POINTS K WORKER [--no-wait]\n";
    return 2;
  }
  const std::string dir = argv[1];
  const std::size_t points = std::stoul(argv[2]);
  ex::SlurmArrayOptions options;
  options.tasks_per_job = static_cast<std::uint32_t>(std::stoul(argv[3]));
  options.mpsim = argv[4];
  options.poll = std::chrono::milliseconds(200);
  const bool wait = !(argc > 5 && std::string(argv[5]) == "--no-wait");
  try {
    auto mark_failed = [&](std::size_t point, const std::string& reason) { ex::record_failed_point(dir, point, reason); };
    ex::SlurmSweepRun run = ex::run_sweep_array(dir, points, options, wait, mark_failed);
    std::cout << "job " << run.job.job_id << " tasks " << run.job.tasks << " failed " << run.failed.size() << "\n";
    return run.failed.empty() ? 0 : 1;
  } catch (const ex::SlurmError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
