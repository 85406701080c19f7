// Per-phase conformance: the path choice (and, for round-robin and queue-depth, the split)
// after every fault action, real kernel against simulator. The run is cut at each fault
// boundary; in each phase the first moments after the change are skipped (the stall, detect
// and recover rows judge those) and the shares are taken over the rest of the phase.
//
//   boundary    the simulator's "fault"/"fault-end" events, grouped by time; the real side
//               uses the time the guest logged each action as applied (faults.csv)
//   settle      a phase's window starts kSettleMarginMs after the later of its boundary and
//               the last path state change (controller state or ANA state) inside the phase;
//               the real window's edges avoid samples the sampler was descheduled in
//   choice      the paths carrying >= 1% of the window's I/O, or "none" when nothing completed
//   too short   a window under kMinWindowMs, or with 1..kMinWindowIos-1 I/Os: not judged
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/result.h"
#include "validate/compare.h"
#include "validate/guest_results.h"
#include "validate/real_run.h"

namespace mpsim::validate {

// The sampler sees states every 20-30 ms and in-flight I/O drains within a few ms, except in
// the guest's pauses (p99.9 up to ~30 ms): 100 ms after the last change the choice is settled.
inline constexpr std::int64_t kSettleMarginMs = 100;
// How far a real window edge may move inward to a sample whose paths were read close together
// (two to three sampler periods).
inline constexpr std::int64_t kEdgeSearchMs = 60;
// Four sampler periods, one simulator timeline bin (100 ms by default).
inline constexpr std::int64_t kMinWindowMs = 100;
// At 200 I/Os one stray I/O is 0.5%, below the 1% choice threshold.
inline constexpr std::uint64_t kMinWindowIos = 200;

// One cut of the run: the fault actions planned for the same instant.
struct PhaseBoundary {
  std::string label;           // "f1: grp 1 inaccessible", several joined with " + "
  std::int64_t planned_ms = 0; // since the workload start (the simulator's clock)
  std::size_t actions = 0;     // fault actions at that instant
};

// I/Os per path over a phase's steady window (after the settle).
struct PhaseWindow {
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;
  std::vector<std::uint64_t> ios;  // in the real run's path order
  std::uint64_t total() const;
  std::int64_t length_ms() const { return to_ms - from_ms; }
};

// The simulator's fault actions grouped by time, in time order.
std::vector<PhaseBoundary> phase_boundaries(const sim::RunResult& sim);

// When each boundary had taken effect on the real side (absolute guest ms): the guest runs the
// actions in plan order, one faults.csv line each, so when the counts match the k-th line is the
// k-th action (a group ends with its last line); otherwise each line goes to the latest boundary
// planned at or before it. A boundary without a line keeps its planned time.
// When the first action of each boundary had taken effect (the k-th line when the counts match,
// else as applied_boundaries).
std::vector<std::int64_t> first_action_times(const std::vector<PhaseBoundary>& b, const std::vector<FaultRecord>& actions,
                                             std::int64_t io_start_ms);
std::vector<std::int64_t> applied_boundaries(const std::vector<PhaseBoundary>& b, const std::vector<FaultRecord>& actions,
                                             std::int64_t io_start_ms);

// The real steady window of a phase: state changes are looked for in [search_from, to), the
// window runs from max(applied, last change) + margin to `to`; each edge is the sample within
// kEdgeSearchMs inside it that the sampler read most nearly at once (shortest gap to the next).
PhaseWindow real_phase_window(const SampleTable& samples, std::int64_t search_from_ms, std::int64_t applied_ms,
                              std::int64_t to_ms);

// The same on the simulator's side: state changes from its "ctrl-state"/"ana" events of the
// given controllers, I/Os from its per-controller timeline (whole bins inside the window).
PhaseWindow sim_phase_window(const sim::RunResult& sim, const std::vector<std::string>& controllers,
                             std::int64_t from_ms, std::int64_t to_ms);

// "nvmet.p1+nvmet.p2", "none" (nothing completed) or "too short (40 ms, 12 I/Os)".
std::string phase_choice(const PhaseWindow& w, const std::vector<std::string>& ports);

// Rows "path choice <phase>" and, for round-robin and queue-depth, "share <port> <phase>" for
// every phase of a run with faults ("before faults", "after <boundary>"); none without faults.
std::vector<CompareRow> conformance_rows(const RealRun& real, const sim::RunResult& sim);

// True for the rows conformance_rows makes (the report counts them apart).
bool is_phase_measure(const std::string& measure);

}  // namespace mpsim::validate
