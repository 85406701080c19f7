// Calibration, then prediction: the simulator's models fitted to this environment from four
// single-path runs in the guest (4k randread/randwrite at QD1 and QD16), then applied to every
// other scenario. The guest has ONE CPU shared by fio, the host stack and nvmet, so the fit puts
// the whole per-I/O CPU cost (per direction) on a one-core host pool and none on the target,
// and the time that CPU is taken away from the guest (the host descheduling it) as CPU pauses;
// what a lone I/O spends off the CPU is the "media" service time. Equations: validate/README.md.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/scenario.h"

namespace mpsim::validate {

// What one calibration run measured (real kernel).
struct CalibrationFigures {
  double iops = 0;
  double mean_us = 0;   // fio's mean total latency
  double p50_us = 0;
  double p99_us = 0;
};

// One boot, one path, 4k randread QD16: first one I/O per io_submit, then 16 per io_submit and
// reap (fio iodepth_batch_submit = iodepth_batch_complete_min = 16). Their ratio, taken within a
// boot so the host's swings between boots cancel, splits the per-I/O CPU cost into a part per
// I/O and a part per call. 0 = not measured (files written before it): no per-call cost.
struct BatchingFigures {
  double single_iops = 0;
  double batch16_iops = 0;
};

struct CalibrationRuns {
  CalibrationFigures qd1_read, qd16_read, qd1_write, qd16_write;
  BatchingFigures batching;
};

// The fitted parameters: what apply_calibration writes into a Scenario's models.
struct CalibrationFit {
  double read_cpu_per_io_us = 0;  // QD16 randread p50 / 16: a read's CPU work
  double write_cpu_per_io_us = 0; // QD16 randwrite p50 / 16: a write's
  double cpu_per_io_us = 0;       // applied as the host's per_io_us: the read cost less its call
  double per_call_us = 0;         // applied as per_call_us: one io_submit call (batching run)
  double write_extra_us = 0;      // applied as write_extra_us: write cost - read cost
  double read_service_us = 0;     // max(0, QD1 read p50 - read CPU cost): off-CPU time
  double write_service_us = 0;    // max(0, QD1 write p50 - write CPU cost)
  double latency_cv = 0;          // lognormal shape of the service part, from QD1 read p99/p50
  double cpu_available = 1;       // share of wall time the CPU works for the guest (both QD16 runs)
  double pause_rate_per_s = 0;    // pauses of the CPU (both QD16 runs' IOPS and p99)
  double pause_mean_us = 0;       // their mean length (exponential)
};

struct Calibration {
  std::string kernel;             // "Linux version ..." of the guest that ran the calibration
  std::string command;            // the command line that produced it
  std::string source;             // "measured" or the file it was loaded from
  CalibrationRuns runs;
  CalibrationFit fit;
};

// Thrown by fit_calibration (unusable figures) and parse_calibration_json (bad file).
class CalibrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Closed-form fit; throws CalibrationError if a run did no I/O.
CalibrationFit fit_calibration(const CalibrationRuns& runs);

// The fit for one boot whose probe (validate/boot_probe.h: the QD16 randread again, 1 s) ran at
// another speed: the read CPU cost is the probe's p50 / 16, the per-call part, the write extra
// and nothing else scale with it (the same guest code, slower or faster), the pauses come from the
// probe alone, the off-CPU service time and its spread stay the calibration's.
// Throws CalibrationError if the probe did no I/O or has no tail.
CalibrationFit fit_for_boot(const CalibrationFit& calibration, const CalibrationFigures& probe);

// The validation guest's own fault actions (validate/README.md, "The harness's CPU at each
// action"): from an action's planned time to its faults.csv line the guest's one CPU runs the
// fault runner's command (forks of rm, ln, tc, nsenter, bash) and the kernel work it sets off,
// and fio's completions stop in gaps of >= 15 ms for 34 % of that time against 2.6 % in the
// steady runs (full15: 46 s of ana, gray and gray-bw action windows, 47 s of steady runs), in
// gaps of 23 ms mean. The simulated host has no such runner, so a run's simulated side gets that
// excess share of its action windows as CPU pauses of that length (with_extra_pauses).
inline constexpr double kActionPausedShare = 0.32;
inline constexpr double kActionPauseMeanUs = 23000.0;

// The fit with `lost` more pause time per unit of wall time, in pauses of mean `mean_us`, merged
// into the model's one exponential pause stream: the lost time adds up, and the merged stream's
// mean pause is the one whose p99 tail for a QD16 I/O (the calibration's own tail estimate) is
// that of the two streams together. Unchanged when `lost` is 0.
CalibrationFit with_extra_pauses(const CalibrationFit& fit, double lost, double mean_us);

// One CPU for the host (its single NUMA node), the fitted CPU costs and pauses on the host, none
// on the target, the fitted service time for every media model, parallelism never binding.
void apply_calibration(const CalibrationFit& fit, sim::Scenario& scenario);

// calibration.json (stable key order) and back; parse errors name the field.
std::string calibration_json(const Calibration& c);
Calibration parse_calibration_json(std::string_view text, const std::string& origin);

}  // namespace mpsim::validate
