// A fault schedule flattened into timed actions for the fault-scheduler actor: a flap becomes
// its down/up pairs, an ANA change with a transition becomes CHANGE then the final state, and
// every windowed fault gets its end action.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/scenario.h"

namespace mpsim::sim {

enum class FaultOp : std::uint8_t { Down, Up, AnaSet, GrayOn, GrayOff, Reset };

struct FaultAction {
  std::int64_t at = 0;
  FaultOp op = FaultOp::Down;
  std::uint32_t fault = 0;                 // index into Scenario::faults
  topology::AnaState ana_state = topology::ANA_STATE_UNSPECIFIED;  // AnaSet
  bool restore = false;                    // AnaSet back to the topology's state
};

// Sorted by time, then by fault order: deterministic. Actions at or after `end` are dropped.
std::vector<FaultAction> plan_faults(const std::vector<FaultSpec>& faults, std::int64_t end);

// The distinct times of `actions` (the engine's sync points).
std::vector<std::int64_t> sync_times(const std::vector<FaultAction>& actions);

// End of fault i's window (its last action), or `end` if it lasts to the end of the run.
std::int64_t fault_window_end(const FaultSpec& f, std::int64_t end);

}  // namespace mpsim::sim
