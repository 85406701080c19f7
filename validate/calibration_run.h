// Running the four calibration experiments (validate/calibration/qd{1,16}-rand{read,write})
// in the guest and fitting the simulator's models from what they measured.
#pragma once

#include <string>

#include "validate/calibration.h"
#include "validate/guest_runner.h"

namespace mpsim::validate {

// The calibration experiment files, in the order they run: QD1/QD16 randread, QD1/QD16
// randwrite, then the batching run (index kBatchingRun).
std::vector<std::string> calibration_files(const std::string& source_dir);
inline constexpr std::size_t kBatchingRun = 4;

// What a finished calibration run measured: IOPS, fio's mean total latency, p50/p99.
CalibrationFigures calibration_figures(const RealRun& run);
// The batching run's two jobs ("single", "batch16"): IOPS of each, from fio's per-job figures.
BatchingFigures batching_figures(const RealRun& run);

// Boots the guest once per calibration file (results under <results_dir>/calibration/),
// fits, and records `command` and the guest kernel as provenance. Throws GuestRunError,
// GuestOutputError or CalibrationError.
Calibration run_calibration(const std::string& kernel, const GuestOptions& options, const std::string& command);

// Runs the QD16 randread calibration once more (results under <results_dir>/calibration-end/)
// and returns its IOPS: how far the host's speed drifted over the validation run.
double remeasure_qd16_read(const std::string& kernel, const GuestOptions& options);

}  // namespace mpsim::validate
