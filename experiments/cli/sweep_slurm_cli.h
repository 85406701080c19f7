// The --slurm flags of `mpsim sweep` and what they do, kept apart from sweep_command.cpp, which
// calls these two functions once its points are planned (DIR/points/NNNN.textproto).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <string>

namespace mpsim::cli {

struct SlurmFlags {
  bool slurm = false;               // --slurm: run the points as one Slurm array job
  std::string partition;            // --partition P
  std::uint32_t tasks_per_job = 1;  // --tasks-per-job K: points per array task
  bool no_wait = false;             // --no-wait: return after submission, `mpsim sweep --collect DIR` later
};

void add_slurm_flags(CLI::App& sweep, SlurmFlags& flags);

enum class SlurmOutcome {
  kCollect,    // the array finished (failed points already marked): collect DIR now
  kSubmitted,  // --no-wait: submitted, collect later
};

// Submits DIR's `points` planned points as one array job of `<this mpsim> sweep-run` tasks and,
// unless --no-wait, waits for it and gives every point left without a result to `mark_failed`
// with the reason. Throws experiments::SlurmError (the caller exits 2 with its message).
SlurmOutcome run_sweep_on_slurm(const std::string& dir, std::size_t points, const SlurmFlags& flags,
                                const std::function<void(std::size_t, const std::string&)>& mark_failed);

}  // namespace mpsim::cli
