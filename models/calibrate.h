// Fitting a media model (MediaParams) to two fio runs of the user's own device at two queue
// depths, the same direction and block size: `mpsim calibrate --fio A.json B.json`. The math
// only; reading fio's JSON and checking the fit in the simulator live in experiments/calibrate_fio.h.
//
// The model (media.h) serves an I/O in a lognormal access time of mean L plus (size - 4 KiB) /
// bandwidth, on one of `parallelism` units. From the shallow run (QD1, or any depth below the
// parallelism, so nothing queues): L = mean latency - transfer - local stack, and the lognormal
// shape from its p99 / p50 (p99 = p50 x exp(2.326 sigma)): a percentile ratio, not fio's stddev,
// which one outlier in a million inflates. From the deep run: with more I/Os outstanding than
// units, every unit is always busy, so IOPS = parallelism / (L + transfer) (Little's law), and
// parallelism = IOPS x (L + transfer). If the deep run's IOPS is near QD / (L + transfer), nothing
// queued: the parallelism is at least that QD, and the fit says so.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/model_set.h"

namespace mpsim::models {

// What one fio run measured (fio's clat: the device and the local stack below the syscall).
struct FioRunFigures {
  std::string origin;            // the file it came from, for messages
  bool read = true;              // the direction that did I/O
  std::uint32_t block_bytes = 0; // io_bytes / total_ios
  std::uint32_t queue_depth = 0; // I/Os outstanding: iodepth (1 for a sync engine) x numjobs
  double iops = 0;
  double mean_us = 0;            // clat mean
  double p50_us = 0;
  double p99_us = 0;
};

// Figures the fit cannot use (one QD twice, directions or block sizes that differ, a p50 of 0);
// what() names the file(s) and the field.
class CalibrationInputError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct MediaFit {
  MediaParams params;                  // the fitted direction's fields; the rest from `base`
  bool parallelism_lower_bound = false;  // the deep run did not saturate the device
  std::vector<std::string> notes;        // what was not fitted, and why
};

// `local_stack_us`: the part of the shallow run's mean spent outside the device (the host's
// block layer and syscall: a few us on Linux) — leave 0 to reproduce fio's view of the device;
// in a fabric the simulator adds the host and target stacks itself. Throws CalibrationInputError.
MediaFit fit_media(const FioRunFigures& a, const FioRunFigures& b, const MediaParams& base, double local_stack_us = 0);

// The lognormal coefficient of variation whose p99 / p50 is `ratio` (0 for a ratio <= 1).
double cv_from_p99_over_p50(double ratio);

}  // namespace mpsim::models
