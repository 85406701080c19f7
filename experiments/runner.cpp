#include "experiments/runner.h"

#include <stdexcept>

#include "sim/engine.h"

namespace mpsim::experiments {

std::vector<sim::RunResult> run_experiment(const LoadedExperiment& exp, const std::function<void(std::size_t)>& on_start) {
  std::vector<sim::RunResult> results;
  for (std::size_t i = 0; i < exp.runs.size(); ++i) {
    if (on_start) on_start(i);
    const PlannedRun& run = exp.runs[i];
    try {
      results.push_back(sim::run_scenario(run.scenario));
    } catch (const std::invalid_argument& e) {
      throw RunError("policy " + run.policy_text + ": the engine rejected the scenario: " + e.what(), true);
    } catch (const std::exception& e) {
      throw RunError("policy " + run.policy_text + ": the simulation failed: " + e.what(), false);
    }
    if (results.back().policy.empty()) results.back().policy = run.policy_text;
  }
  return results;
}

std::vector<std::string> check_results(const LoadedExperiment& exp, const std::vector<sim::RunResult>& results) {
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < results.size() && i < exp.runs.size(); ++i) {
    const sim::Ledger& l = results[i].ledger;
    if (l.balanced()) continue;
    problems.push_back("policy " + exp.runs[i].policy_text + ": I/O ledger does not balance: submitted " +
                       std::to_string(l.submitted) + " != completed " + std::to_string(l.completed) + " + failed " +
                       std::to_string(l.failed) + " + in flight " + std::to_string(l.inflight_at_end));
  }
  return problems;
}

}  // namespace mpsim::experiments
