// Running a loaded experiment: each planned run (one per policy) through the engine, in order.
#pragma once

#include <functional>
#include <vector>

#include "experiments/experiment_loader.h"
#include "sim/result.h"

namespace mpsim::experiments {

// A run the engine could not finish; what() names the policy and the engine's reason.
class RunError : public std::runtime_error {
 public:
  RunError(const std::string& what, bool bad_input) : std::runtime_error(what), bad_input_(bad_input) {}
  bool bad_input() const { return bad_input_; }  // the engine rejected the scenario (vs. failed in it)

 private:
  bool bad_input_;
};

// Calls `on_start(index)` before each run. Throws RunError.
std::vector<sim::RunResult> run_experiment(const LoadedExperiment& exp,
                                           const std::function<void(std::size_t)>& on_start = {});

// Problems a finished run must not have (an unbalanced ledger), one line each; empty = fine.
std::vector<std::string> check_results(const LoadedExperiment& exp, const std::vector<sim::RunResult>& results);

}  // namespace mpsim::experiments
