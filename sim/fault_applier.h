// Fault application: each FaultAction of the plan (sim/fault_plan.h) at its virtual time, and
// who notices it and how, as a Linux host would (sim/README.md, "How faults are detected").
// Fabric resources are switched on SimGrid's platform (the data path hears of it through the
// platform callbacks); ANA states and controllers change in the target model; the transport
// carries what the host is told. It also tells the metrics which hosts and controllers each
// fault affects. It reads FaultSpec's target, label, detection, grpid, reset side and gray
// factors, and nothing else.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "sim/fabric.h"
#include "sim/fault_plan.h"
#include "sim/metrics.h"
#include "sim/platform.h"
#include "sim/scenario.h"
#include "sim/scheduler.h"
#include "sim/target_model.h"
#include "sim/transport.h"

namespace mpsim::sim {

class FaultApplier {
 public:
  // Checks every fault's target (std::invalid_argument if unknown or of the wrong kind) and
  // registers its fault track with `metrics`.
  FaultApplier(const Scenario& s, std::int64_t end, const Scheduler& sched, Fabric& fabric, Platform& platform,
               TargetModel& target, Transport& transport, Metrics& metrics, std::size_t hosts);

  void apply(const FaultAction& a);

 private:
  std::uint32_t fault_comp(const FaultSpec& f) const;
  std::vector<std::uint32_t> conns_affected(const FaultSpec& f) const;
  bool is_local(std::uint32_t comp, const Conn& c) const;
  void apply_down(const FaultSpec& f, std::uint32_t comp);
  void apply_ana(const FaultAction& a, const FaultSpec& f);
  void apply_gray(const FaultSpec& f, bool on);
  void apply_reset(const FaultSpec& f);

  const Scenario& s_;
  const Scheduler& sched_;
  Fabric& fabric_;
  Platform& platform_;
  TargetModel& target_;
  Transport& transport_;
  Metrics& metrics_;
  std::vector<std::pair<double, double>> nominal_;  // per component: (bps, latency_ns) before any gray fault
};

}  // namespace mpsim::sim
