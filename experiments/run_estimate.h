// What a run will cost, worked out before it starts, so a run that cannot finish (it would need
// more memory than the machine has, or days of wall time) is refused up front with the numbers,
// instead of growing until the kernel kills it (issue 17 item 5).
//
//   RunEstimate e = estimate_run(loaded);
//   check_estimate(e, EstimateBounds::for_this_machine());   // throws topology::InputError
//
// Every figure is an upper bound built from the inputs alone (no simulation): I/O rates assume
// the fastest service the models allow, so a refused run is one that would certainly be too big.
// `--allow-large` (mpsim run) skips the check; the estimate is still logged.
#pragma once

#include <cstdint>
#include <string>

#include "experiments/experiment_loader.h"

namespace mpsim::experiments {

struct RunEstimate {
  std::size_t runs = 0;                 // policies to run, one after the other
  double simulated_s = 0;               // of one run
  std::uint64_t in_flight_ios = 0;      // sum over jobs of numjobs x iodepth
  double ios_per_run = 0;               // upper bound of I/Os simulated in one run
  double events_per_run = 0;            // calendar events: I/Os, timers, fault actions
  std::uint64_t timeline_points = 0;    // rows of timeline.csv of one run
  std::uint64_t fault_actions = 0;      // planned fault steps
  double memory_bytes = 0;              // peak of one run (runs do not overlap)
  double wall_s = 0;                    // all runs, at the engine's measured event rate

  std::string describe() const;         // one line, for logs and errors
};

struct EstimateBounds {
  double max_memory_bytes = 0;          // default: 80% of the machine's available memory
  double max_wall_s = 0;                // default: 24 hours of wall time
  static EstimateBounds for_this_machine();
};

RunEstimate estimate_run(const LoadedExperiment& exp);

// Throws topology::InputError naming the experiment file, the estimate and the bound it passes.
void check_estimate(const LoadedExperiment& exp, const RunEstimate& estimate, const EstimateBounds& bounds);

}  // namespace mpsim::experiments
