// The scenario's fault plan (sim/fault_plan.h plan_faults, the actions the simulator applies)
// -> timed guest actions (validate/guest/lib.sh functions), per fault kind:
//   ana      -> ana_set PORT GRP STATE (via `change` first when a transition time is given),
//               restored to the port's topology state when the window ends;
//   down     -> IMMEDIATE: port_down/port_up (nvmet drops the port's connections at once);
//               SILENT/AUTO on a remote component: net_set PORT DELAY 100 (netem 100% loss on
//               both ends of the port's veth: only keep-alive can notice);
//   flap     -> `count` down/up cycles of `period`, down for the first half of each;
//   gray     -> net_set with the link latency scaled by latency_factor, and with
//               bandwidth_divisor > 1 a netem rate of the link's bandwidth / divisor;
//   loss     -> net_set with netem `loss p%` (decimal) on both ends of the port's veth, 0 at its end;
//   reset    -> side TARGET: ctrl_fatal PORT (nvmet debugfs ctrl state "fatal");
//               side HOST: ctrl_reset PORT (the host's sysfs reset_controller of the
//               controller connected through PORT).
// Actions after the end of the workload are dropped: the guest stops with the workload.
#pragma once

#include "sim/scenario.h"
#include "validate/guest_plan.h"

namespace mpsim::validate {

// Appends the scenario's fault actions to plan.actions and sorts them by time (stable, so
// actions at the same time keep schedule order). Needs plan.ports and plan.run_ms.
void plan_fault_actions(const sim::Scenario& scenario, GuestPlan& plan);

}  // namespace mpsim::validate
