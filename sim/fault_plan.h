// The fault contract every engine consumes: a scenario's faults flattened into timed actions.
// A flap becomes its down/up pairs, an ANA change with a transition becomes CHANGE then the
// final state, and every windowed fault gets its end action. Each action carries what applying
// it needs, so an engine (the des engine in sim/fault_applier.cpp, validate's guest mapping in
// validate/guest_faults.cpp) visits actions, never fault kinds.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/scenario.h"

namespace mpsim::sim {

namespace fault_ops {

// The fault's target component goes down; `detection` as the fault says (noticed_at_once).
struct Down {
  Detection detection = Detection::Auto;
};
// The target component comes back.
struct Up {};
// The target port's ANA group `grpid` enters `state`; restore = back to the topology's state.
struct AnaSet {
  std::uint32_t grpid = 0;
  topology::AnaState state = topology::ANA_STATE_UNSPECIFIED;
  bool restore = false;
};
// The target link slows down (factors >= 1), or gets its nominal rate back.
struct GrayOn {
  double latency_factor = 1.0;
  double bandwidth_divisor = 1.0;
};
struct GrayOff {};
// The target link starts dropping segments with `probability`, or stops.
struct LossOn {
  double probability = 0;
};
struct LossOff {};
// The target controller is reset from `side`.
struct Reset {
  ResetSide side = ResetSide::Host;
};

}  // namespace fault_ops

using FaultOp = std::variant<fault_ops::Down, fault_ops::Up, fault_ops::AnaSet, fault_ops::GrayOn, fault_ops::GrayOff,
                             fault_ops::LossOn, fault_ops::LossOff, fault_ops::Reset>;

struct FaultAction {
  std::int64_t at = 0;                     // ns of virtual time
  std::uint32_t fault = 0;                 // index into Scenario::faults (label, target)
  FaultOp op;
};

// Sorted by time, then by fault order: deterministic. Actions at or after `end` are dropped.
// The faults must be valid (the experiments loader checks them; asserted here).
std::vector<FaultAction> plan_faults(const std::vector<FaultSpec>& faults, std::int64_t end);

// The distinct times of `actions` (the engine's sync points).
std::vector<std::int64_t> sync_times(const std::vector<FaultAction>& actions);

// End of f's window (its last action), nullopt if it lasts to the end of the run; a flap ends
// after its cycles, a controller reset is an instant, an ANA change lasts its transition at least.
std::optional<std::int64_t> fault_window_end(const FaultSpec& f);
// The same, clamped to `end` (and `end` if it lasts to the end of the run).
std::int64_t fault_window_end(const FaultSpec& f, std::int64_t end);

// Whether `host` notices the down of `component` at once (its socket errors out) or only by
// keep-alive or I/O timeout. IMMEDIATE and SILENT say so; AUTO is what Linux sees: carrier loss
// of the host's own NIC "<host>.<nic>", or of a link plugged into one, is seen at once; the loss
// of anything further away is not.
bool noticed_at_once(Detection detection, const topology::Topology& topo, std::string_view component,
                     std::string_view host);

}  // namespace mpsim::sim
