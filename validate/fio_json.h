// Reading fio's --output-format=json into the simulator's result shapes, so real and simulated
// jobs compare field by field.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "sim/result.h"

namespace mpsim::validate {

// Unreadable guest output; what() names the file or field.
class GuestOutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FioJob {
  sim::JobResult result;        // name, per-direction ios, bytes, runtime, clat and lat percentiles
  std::uint64_t total_err = 0;  // I/Os that failed (fio counts them with continue_on_error)
  int error = 0;                // errno of the error that stopped the job, 0 if none
};

// Throws GuestOutputError when the text is not fio JSON. Text before the first '{' (fio
// sometimes prints warnings there) is skipped.
std::vector<FioJob> parse_fio_json(std::string_view text);

// The percentile `p` (e.g. 99.9) of a latency distribution, or -1 if fio did not report it.
std::int64_t percentile_ns(const sim::LatencyStats& stats, double p);

}  // namespace mpsim::validate
