#include "sim/cpu_pool.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mpsim::sim {
namespace {

constexpr std::uint64_t kCoreStride = 0x9E3779B97F4A7C15ull;

std::uint64_t mix(std::uint64_t x) {
  x += kCoreStride;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Draws are capped (2^53 ns, ~104 days) so the sums stay in 64 bits whatever the parameters.
std::int64_t bounded_ns(double ns) { return std::llround(std::min(ns, 0x1.0p53)); }

bool has_pauses(const models::CpuParams& p) { return p.pause_rate_per_s > 0 && p.pause_mean_us > 0; }

}  // namespace

PauseTrack::PauseTrack(double rate_per_s, double mean_us, std::uint64_t seed)
    : gap_mean_ns_(1e9 / rate_per_s), pause_mean_ns_(mean_us * 1000.0), rng_(seed) {
  start_ = bounded_ns(draw(gap_mean_ns_));
  end_ = start_ + bounded_ns(draw(pause_mean_ns_));
}

// Inverse transform of a 53-bit uniform: the same numbers on every standard library.
double PauseTrack::draw(double mean_ns) {
  const double u = double(rng_() >> 11) * 0x1.0p-53;
  return -std::log1p(-u) * mean_ns;
}

void PauseTrack::next() {
  start_ = end_ + bounded_ns(draw(gap_mean_ns_));
  end_ = start_ + bounded_ns(draw(pause_mean_ns_));
}

std::int64_t PauseTrack::finish(std::int64_t t, std::int64_t cost) {
  while (end_ <= t) next();
  if (cost <= 0) return t;  // no CPU work: nothing for a pause to hold up
  for (;;) {
    if (t >= start_) {  // inside a pause: wait it out
      t = end_;
      next();
    }
    if (t + cost <= start_) return t + cost;
    cost -= start_ - t;  // work done before the pause, the rest after it
    t = end_;
    next();
  }
}

CpuPool::CpuPool(std::uint32_t cores, const models::CpuParams& params, std::uint64_t seed, std::uint32_t first_core)
    : first_core_(first_core) {
  cores = std::max<std::uint32_t>(cores, 1);
  for (std::uint32_t c = first_core; c < first_core + cores; ++c) heap_.push_back({0, c});
  if (params.pause_rate_per_s < 0 || params.pause_mean_us < 0)
    throw std::invalid_argument("cpu model: pause_rate_per_s and pause_mean_us must be >= 0");
  if (!has_pauses(params)) return;
  for (std::uint32_t c = first_core; c < first_core + cores; ++c) {
    pauses_.emplace_back(params.pause_rate_per_s, params.pause_mean_us, mix(seed + kCoreStride * (c + 1)));
  }
}

std::int64_t CpuPool::run(std::int64_t now, std::int64_t cost) {
  Core& core = heap_.front();
  const std::int64_t start = std::max(now, core.free_at);
  core.free_at = pauses_.empty() ? start + cost : pauses_[core.id - first_core_].finish(start, cost);
  const std::int64_t done = core.free_at;
  sift_down();
  return done;
}

// The root only ever grows: move it down past every core that frees up before it.
void CpuPool::sift_down() {
  const std::size_t n = heap_.size();
  const Core moving = heap_.front();
  std::size_t i = 0;
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1].before(heap_[child])) ++child;
    if (!heap_[child].before(moving)) break;
    heap_[i] = heap_[child];
    i = child;
  }
  heap_[i] = moving;
}

HostCpu::HostCpu(const std::vector<std::uint32_t>& cores_per_node, const models::CpuParams& params,
                 std::uint64_t seed) {
  for (std::uint32_t cores : cores_per_node) {
    nodes_.emplace_back(cores, params, seed, total_);
    total_ += nodes_.back().cores();
  }
  if (nodes_.empty()) {  // a host without NUMA nodes (only in hand-built scenarios): one core
    nodes_.emplace_back(1, params, seed, 0);
    total_ = 1;
  }
}

std::int64_t HostCpu::run(int node, std::int64_t now, std::int64_t cost) {
  if (node >= 0) return nodes_[std::size_t(node)].run(now, cost);
  std::size_t first = 0;  // the node whose next core is the host's next core
  for (std::size_t n = 1; n < nodes_.size(); ++n)
    if (nodes_[n].next_before(nodes_[first])) first = n;
  return nodes_[first].run(now, cost);
}

std::uint32_t HostCpu::cores(int node) const { return node >= 0 ? nodes_[std::size_t(node)].cores() : total_; }

}  // namespace mpsim::sim
