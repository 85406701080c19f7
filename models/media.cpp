#include "models/media.h"

#include <cmath>
#include <stdexcept>

namespace mpsim::models {

namespace {
constexpr std::uint32_t kBaseBlock = 4096;  // latencies are quoted for 4 KiB
}

MediaModel::MediaModel(const MediaParams& p) : params_(p) {
  if (p.read_latency_us < 0 || p.write_latency_us < 0 || p.latency_cv < 0)
    throw std::invalid_argument("media model: latencies and latency_cv must be >= 0");
  if (p.parallelism == 0) throw std::invalid_argument("media model: parallelism must be > 0");
  if (p.read_bandwidth_Bps <= 0 || p.write_bandwidth_Bps <= 0)
    throw std::invalid_argument("media model: bandwidths must be > 0");
  sigma_ = std::sqrt(std::log1p(p.latency_cv * p.latency_cv));
  // Lognormal with the requested mean: mu = ln(mean) - sigma^2 / 2.
  mu_read_ = std::log(std::max(p.read_latency_us * 1000.0, 1e-9)) - sigma_ * sigma_ / 2;
  mu_write_ = std::log(std::max(p.write_latency_us * 1000.0, 1e-9)) - sigma_ * sigma_ / 2;
}

std::int64_t MediaModel::transfer_ns(bool read, std::uint32_t bytes) const {
  if (bytes <= kBaseBlock) return 0;
  const double bw = read ? params_.read_bandwidth_Bps : params_.write_bandwidth_Bps;
  return std::llround(double(bytes - kBaseBlock) * 1e9 / bw);
}

std::int64_t MediaModel::mean_ns(bool read, std::uint32_t bytes) const {
  const double us = read ? params_.read_latency_us : params_.write_latency_us;
  return std::llround(us * 1000.0) + transfer_ns(read, bytes);
}

std::int64_t MediaModel::access_ns(bool read, std::mt19937_64& rng) {
  const double mean = read ? params_.read_latency_us : params_.write_latency_us;
  if (sigma_ == 0 || mean == 0) return std::llround(mean * 1000.0);
  const double ns = std::exp((read ? mu_read_ : mu_write_) + sigma_ * z_(rng));
  return std::int64_t(ns + 0.5);
}

}  // namespace mpsim::models
