// Calibration, then prediction: the simulator's models fitted to this environment from four
// single-path runs in the guest (4k randread/randwrite at QD1 and QD16), then applied to every
// other scenario. The guest has ONE CPU shared by fio, the host stack and nvmet, so the fit puts
// the whole per-I/O CPU cost on a one-core host pool and none on the target; the rest of the QD1
// latency is a non-CPU delay (the "media" service time). Equations: validate/README.md.
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

struct CalibrationRuns {
  CalibrationFigures qd1_read, qd16_read, qd1_write, qd16_write;
};

// The fitted parameters: what apply_calibration writes into a Scenario's models.
struct CalibrationFit {
  double read_cpu_per_io_us = 0;  // 1 / QD16 randread IOPS: the one CPU's cost per read
  double write_cpu_per_io_us = 0; // 1 / QD16 randwrite IOPS
  double cpu_per_io_us = 0;       // applied: the mean of the two (one cost, measured twice)
  double read_service_us = 0;     // mean QD1 read latency - cpu_per_io_us
  double write_service_us = 0;    // mean QD1 write latency - cpu_per_io_us
  double latency_cv = 0;          // lognormal shape from the QD1 read p99/p50 of the service part
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

// One CPU for the host (its single NUMA node), the fitted CPU cost on the host, none on the
// target, the fitted service time for every media model, parallelism large enough never to bind.
void apply_calibration(const CalibrationFit& fit, sim::Scenario& scenario);

// calibration.json (stable key order) and back; parse errors name the field.
std::string calibration_json(const Calibration& c);
Calibration parse_calibration_json(std::string_view text, const std::string& origin);

}  // namespace mpsim::validate
