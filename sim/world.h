// One run of the des engine: the components wired together and the event loop that drives
// them. World owns no simulation state of its own; each component owns its part:
//   Scheduler     clock, calendar, event handlers (sim/scheduler.h)
//   Timers        the policies' TimerService (sim/timers.h)
//   Fabric        routes, link schedules, loss (sim/fabric.h); Platform, its SimGrid side
//   TargetModel   nvmet: nodes, ports, ANA, target controllers, media (sim/target_model.h)
//   HostSide      hosts' CPUs, namespace heads, jobs (sim/host_side.h)
//   Transport     connections, admin exchanges, I/O capsules (sim/transport.h)
//   FaultApplier  fault actions and who notices them (sim/fault_applier.h)
//   Metrics       timeline, fault measures, events; assemble_result (sim/result_assembly.h)
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/fabric.h"
#include "sim/fault_applier.h"
#include "sim/fault_plan.h"
#include "sim/host_side.h"
#include "sim/invariants.h"
#include "sim/metrics.h"
#include "sim/platform.h"
#include "sim/result.h"
#include "sim/run_cost.h"
#include "sim/scenario.h"
#include "sim/scheduler.h"
#include "sim/target_model.h"
#include "sim/timers.h"
#include "sim/result_assembly.h"
#include "sim/transport.h"

namespace mpsim::sim {

class World final : public PlatformListener {
 public:
  explicit World(const Scenario& s);
  ~World() override;

  std::int64_t end_ns() const { return end_; }
  const std::vector<FaultAction>& fault_actions() const { return actions_; }
  Platform& platform() { return *platform_; }

  void start();                          // controllers connect, jobs scheduled
  void run_until(std::int64_t t);        // every event before t, then the clock is t
  void apply(const FaultAction& a) { faults_->apply(a); }  // from the fault-scheduler actor
  RunResult result();                    // after the run: ledger checked

  // PlatformListener
  void on_component_state(std::uint32_t comp, bool up) override;
  void on_component_rate(std::uint32_t comp, double bps, double latency_ns) override;

 private:
  const Scenario& s_;
  std::int64_t end_ = 0;
  std::uint32_t events_since_progress_ = 0;
  Scheduler sched_;
  Timers timers_;
  Fabric fabric_;
  RunCostMeter meter_;
  std::unique_ptr<Platform> platform_;
  std::unique_ptr<TargetModel> target_;
  std::unique_ptr<HostSide> hosts_;
  std::unique_ptr<Transport> transport_;
  std::vector<FaultAction> actions_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<FaultApplier> faults_;
  std::unique_ptr<InvariantChecker> invariants_;  // null unless Scenario::check_invariants
};

}  // namespace mpsim::sim
