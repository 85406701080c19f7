#include "models/calibrate.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace mpsim::models {
namespace {

constexpr double kZ99 = 2.3263478740408408;   // standard normal quantile of 0.99
constexpr std::uint32_t kBaseBlock = 4096;    // media latencies are quoted for 4 KiB (media.cpp)
// The deep run counts as saturated when its IOPS stays below this share of QD / service time:
// above it, at most a few I/Os waited for a unit, and the parallelism is only bounded by the QD.
constexpr double kSaturatedShare = 0.9;

std::string fmt(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void check_run(const FioRunFigures& r) {
  auto bad = [&](const std::string& field, const std::string& why) {
    throw CalibrationInputError(r.origin + ": " + field + ": " + why);
  };
  const std::string dir = r.read ? "read" : "write";
  if (!(r.iops > 0)) bad(dir + ".iops", "is " + fmt(r.iops) + ": the run did no I/O");
  if (!(r.mean_us > 0)) bad(dir + ".clat_ns.mean", "is " + fmt(r.mean_us * 1000) + ": no latency measured");
  if (!(r.p50_us > 0)) bad(dir + ".clat_ns.percentile.50.000000", "is 0: no latency measured");
  if (r.p99_us < r.p50_us) bad(dir + ".clat_ns.percentile.99.000000", "is below the p50");
  if (r.queue_depth == 0) bad("iodepth", "is 0");
  if (r.block_bytes == 0) bad(dir + ".io_bytes", "is 0");
}

}  // namespace

double cv_from_p99_over_p50(double ratio) {
  if (!(ratio > 1)) return 0;
  const double sigma = std::log(ratio) / kZ99;
  return std::sqrt(std::expm1(sigma * sigma));
}

MediaFit fit_media(const FioRunFigures& a, const FioRunFigures& b, const MediaParams& base, double local_stack_us) {
  check_run(a);
  check_run(b);
  const std::string both = a.origin + " and " + b.origin;
  if (a.queue_depth == b.queue_depth)
    throw CalibrationInputError(both + ": iodepth: both runs at queue depth " + std::to_string(a.queue_depth) +
                                "; give one shallow (QD1) and one deep run");
  if (a.read != b.read)
    throw CalibrationInputError(both + ": read/write: one run reads, the other writes; fit one direction at a time");
  if (a.block_bytes != b.block_bytes)
    throw CalibrationInputError(both + ": bs: block sizes differ (" + std::to_string(a.block_bytes) + " and " +
                                std::to_string(b.block_bytes) + " bytes)");
  if (local_stack_us < 0) throw CalibrationInputError("--local-stack-us: must be >= 0");
  const FioRunFigures& shallow = a.queue_depth < b.queue_depth ? a : b;
  const FioRunFigures& deep = a.queue_depth < b.queue_depth ? b : a;

  MediaFit fit;
  fit.params = base;
  const double bandwidth = shallow.read ? base.read_bandwidth_Bps : base.write_bandwidth_Bps;
  const double transfer_us =
      shallow.block_bytes > kBaseBlock ? double(shallow.block_bytes - kBaseBlock) * 1e6 / bandwidth : 0.0;
  const double access_us = shallow.mean_us - transfer_us - local_stack_us;
  if (!(access_us > 0))
    throw CalibrationInputError(shallow.origin + ": clat_ns.mean: " + fmt(shallow.mean_us) +
                                " us leaves no access time after the transfer (" + fmt(transfer_us) +
                                " us at the base bandwidth) and the local stack (" + fmt(local_stack_us) + " us)");
  (shallow.read ? fit.params.read_latency_us : fit.params.write_latency_us) = access_us;
  fit.params.latency_cv = cv_from_p99_over_p50(shallow.p99_us / shallow.p50_us);

  const double service_us = access_us + transfer_us;
  const double busy_units = deep.iops * service_us / 1e6;  // Little's law over the units
  if (busy_units >= kSaturatedShare * deep.queue_depth) {
    fit.parallelism_lower_bound = true;
    fit.params.parallelism = deep.queue_depth;
    fit.notes.push_back("parallelism: the QD " + std::to_string(deep.queue_depth) + " run kept " + fmt(busy_units) +
                        " I/Os in service of " + std::to_string(deep.queue_depth) +
                        ": nothing queued, so the device serves at least that many at once; run deeper to fit it");
  } else {
    fit.params.parallelism = static_cast<std::uint32_t>(std::max(1.0, std::round(busy_units)));
  }
  if (shallow.queue_depth > 1)
    fit.notes.push_back("latency: taken from the QD " + std::to_string(shallow.queue_depth) +
                        " run, assuming nothing queued in it (QD1 is exact)");
  const char* other = shallow.read ? "write_latency_us" : "read_latency_us";
  fit.notes.push_back(std::string(other) + ", " + (shallow.read ? "read_bandwidth" : "write_bandwidth") + ", " +
                      (shallow.read ? "write_bandwidth" : "read_bandwidth") +
                      ": not fitted (both runs " + std::to_string(shallow.block_bytes) + "-byte " +
                      (shallow.read ? "reads" : "writes") + "): kept from the base model");
  return fit;
}

}  // namespace mpsim::models
