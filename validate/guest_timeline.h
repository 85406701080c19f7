// The guest's timeline, replayed by the simulator.
//
// In the guest the controllers connect, fio then needs 0.7-1.3 s to start, and each fault action
// takes effect tens to hundreds of ms after its planned time (a fork of tc or ip in a one-CPU
// guest). Keep-alive depends on that history: the keep-alives sent while a controller is idle
// arm the admin queue's request timer, and whether that timer is still pending when a lost
// keep-alive goes out decides whether its timeout fires at the deadline or a block-layer pad
// later (policies/README.md, "Keep-alive"). So the simulator runs the measured lead before its
// workload and each fault at its measured time; its result is then re-based to the workload
// start, the clock both sides report in.
#pragma once

#include <optional>
#include <vector>

#include "sim/result.h"
#include "sim/scenario.h"
#include "validate/real_run.h"

namespace mpsim::validate {

struct GuestTimeline {
  sim::Duration lead{};                   // first controller connected -> first I/O completed,
                                          // rounded to whole timeline bins (results stay aligned)
  std::vector<sim::Duration> fault_lag;   // per scenario fault: applied - planned, >= 0
  // Per scenario fault: how much longer its window was in the guest (its end action's lag less
  // its start's; 0 where the end was not logged). A fault's last action lags its first by a
  // different amount, and a no-path window of two faults is the gap between two of them.
  std::vector<sim::Duration> fault_length_change;
  // per scenario fault: how long before the guest recorded its action the fault had taken
  // effect, <= its lag (took_effect_ms); the simulator's fault starts that much earlier and its
  // time to detect is counted from the record again, as the guest's is
  std::vector<sim::Duration> fault_early;
  // dm mode: a tick of multipathd's checker loop that checked paths, on the simulator's clock:
  // the guest's first such tick at or after its first fault (the last one before, without one),
  // so the loop's drift (a few ms a second) counts least where the faults are.
  std::optional<sim::Duration> dm_checker_tick;
};

// When the guest's action for fault `f` took effect, in ms since T0: its record, except for a
// `net` action (two tc commands, the host's side first, recorded after the second), whose loss
// can begin while the second still runs; there it is the last sample between the planned time
// and the record at which the faulted port still completed I/O (the record if the port was idle).
std::int64_t took_effect_ms(const RealRun& real, const RealFault& f);

// How long the guest's fault actions ran (calibration.h kActionPausedShare): per planned action,
// its planned time to its faults.csv line (the command and the kernel's work it set off), summed,
// and the workload's length (io_start to fio_exit). A host reset's line is the time its write
// began, so it has no window. Zero when the lines do not pair up with the plan's actions.
struct ActionWindows {
  std::int64_t total_ms = 0;
  std::int64_t workload_ms = 0;
};
ActionWindows action_windows(const RealRun& real, const sim::Scenario& scenario);

// From the guest's marks (faults.csv "connected" and "io_start"); results recorded before the
// guest wrote "connected" give a zero lead.
GuestTimeline guest_timeline(const RealRun& real, const sim::Scenario& scenario);

// Jobs start `lead` later and every fault `lead + lag - early` later; a fault with a window (down,
// gray, loss, ANA change) lasts `fault_length_change` longer (never below 0 nor below its transition).
// A dm policy's checker loop ticks in the guest's phase (its `checker_phase_ms`).
void replay_guest_timeline(const GuestTimeline& timeline, sim::Scenario& scenario);

// Every time in the result `lead` earlier; timeline bins before the workload are dropped (events
// keep their negative times: the connects). A fault that started `early` has its time to detect
// counted from its record (`early` shorter, not below 0); its stall is left as measured from its
// start (the guest's stall is clipped at the record, so the simulator's reads up to `early` long).
void rebase_to_workload(const GuestTimeline& timeline, sim::RunResult& result);

}  // namespace mpsim::validate
