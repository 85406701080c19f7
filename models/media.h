// Service time of one I/O on a namespace's media: lognormal around the model's mean (so the
// spread is set by one number, the coefficient of variation), plus the transfer beyond 4 KiB.
#pragma once

#include <cstdint>
#include <random>

#include "models/model_set.h"

namespace mpsim::models {

class MediaModel {
 public:
  explicit MediaModel(const MediaParams& p);

  // Nanoseconds the media spends on one request (excluding waiting for a free unit):
  // access_ns + transfer_ns.
  std::int64_t service_ns(bool read, std::uint32_t bytes, std::mt19937_64& rng) {
    return access_ns(read, rng) + transfer_ns(read, bytes);
  }
  // The access part (lognormal around the 4 KiB latency) and the transfer beyond 4 KiB.
  std::int64_t access_ns(bool read, std::mt19937_64& rng);
  std::int64_t transfer_ns(bool read, std::uint32_t bytes) const;

  // The mean of service_ns (what a QD1 test expects with latency_cv = 0).
  std::int64_t mean_ns(bool read, std::uint32_t bytes) const;

  std::uint32_t parallelism() const { return params_.parallelism; }

 private:

  MediaParams params_;
  double sigma_ = 0;                     // lognormal shape: sigma^2 = ln(1 + cv^2)
  double mu_read_ = 0, mu_write_ = 0;    // ln(mean) - sigma^2 / 2
  std::normal_distribution<double> z_;   // kept: it draws normals in pairs
};

}  // namespace mpsim::models
