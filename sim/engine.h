// The discrete-event engine: runs one Scenario in virtual time and returns what it measured.
#pragma once

#include "sim/result.h"
#include "sim/scenario.h"

namespace mpsim::sim {

// Runs the scenario to completion. Deterministic: the same scenario (seed included) gives
// the same RunResult. Throws std::invalid_argument for a scenario the engine cannot run
// (e.g. a job on a host with no connection to its namespace), naming what is wrong.
RunResult run_scenario(const Scenario& scenario);

}  // namespace mpsim::sim
