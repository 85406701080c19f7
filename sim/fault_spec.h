// One fault of a scenario, already validated by the experiments loader (the one place that
// checks fault fields): a start, a named target and one kind. Each kind is its own
// struct with only its own fields, held in a std::variant, so every consumer that visits it
// (sim/fault_plan.cpp, experiments/experiment_faults.cpp) is told by the compiler when a kind
// is added. Engines do not read kinds: they consume the timed actions of sim/fault_plan.h.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "policies/types.h"
#include "topologies/topology.pb.h"

namespace mpsim::sim {

using policies::Duration;

// Who notices a component going down: AUTO = what Linux sees (sim/fault_plan.h noticed_at_once).
enum class Detection : std::uint8_t { Auto, Immediate, Silent };
// Who resets a controller: the host (nvme_reset_ctrl, reconnects at once) or the target (a
// fatal controller error: nvmet closes the connection, the host recovers after reconnect_delay).
enum class ResetSide : std::uint8_t { Host, Target };

namespace faults {

// The target component (link, NIC, switch, target node or port) is down for `duration`
// (negative = until the end of the run).
struct Down {
  Detection detection = Detection::Auto;
  Duration duration{-1};
};

// The target port reports `state` for ANA group `grpid`, after `transition` spent in CHANGE
// (0 = none); back to the topology's state after `duration` (negative = never), but not before
// the transition ends.
struct AnaChange {
  std::uint32_t grpid = 0;
  topology::AnaState state = topology::ANA_STATE_UNSPECIFIED;
  Duration transition{};
  Duration duration{-1};
};

// `count` down/up cycles of `period`, down for the first half of each.
struct Flap {
  std::uint32_t count = 0;
  Duration period{};
  Detection detection = Detection::Auto;
};

// The target link slows down for `duration` (negative = until the end of the run): latency
// times `latency_factor`, bandwidth divided by `bandwidth_divisor` (both >= 1).
struct Gray {
  double latency_factor = 1.0;
  double bandwidth_divisor = 1.0;
  Duration duration{-1};
};

// The target link drops each segment crossing it with `probability` (in [0, 1]), independently,
// for `duration` (negative = until the end of the run): netem `loss p%`. TCP turns each loss
// into a retransmission delay. Its own kind, not a Gray field: it slows nothing down and is
// checked, applied and shown to the guest on its own.
struct Loss {
  double probability = 0;
  Duration duration{-1};
};

// The controller "<host>/<node>.<port>" is reset once, at the fault's start.
struct ControllerReset {
  ResetSide side = ResetSide::Host;
};

}  // namespace faults

using FaultKind =
    std::variant<faults::Down, faults::AnaChange, faults::Flap, faults::Gray, faults::Loss, faults::ControllerReset>;

struct FaultSpec {
  std::string label;                 // human name, e.g. "f1: h0.nic0--sw-a down at 2s"
  FaultKind kind;
  Duration at{};
  std::string target;                // component name (link, "<host>.<nic>", switch, node, "<node>.<port>", or controller "<host>/<node>.<port>")
};

// std::visit(Overloaded{[](const faults::Down&) {...}, ...}, kind): one lambda per alternative.
template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace mpsim::sim
