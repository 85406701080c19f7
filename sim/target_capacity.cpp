#include "sim/target_capacity.h"

#include "sim/seeds.h"

namespace mpsim::sim {

void TargetCores::add_node(std::uint32_t cores, const models::CpuParams& params, std::uint64_t seed) {
  cores = std::max<std::uint32_t>(cores, 1);
  nodes_.push_back(Node{std::uint32_t(free_at_.size()), cores});
  free_at_.resize(free_at_.size() + cores, 0);
  if (params.pause_rate_per_s <= 0 || params.pause_mean_us <= 0) return;  // (the same params for every node)
  for (std::uint32_t c = 0; c < cores; ++c)
    pauses_.emplace_back(params.pause_rate_per_s, params.pause_mean_us, splitmix64(seed + 0x9E3779B97F4A7C15ull * (c + 1)));
}

std::uint32_t TargetCores::add_controller(int node, std::uint32_t io_queues) {
  Controller c;
  c.node = node;
  c.first_core = nodes_[std::size_t(node)].first;
  c.io_queues = std::max<std::uint32_t>(io_queues, 1);
  c.queue_core.resize(c.io_queues + 1);
  ctrls_.push_back(std::move(c));
  const auto id = std::uint32_t(ctrls_.size() - 1);
  bind(id, 0);
  return id;
}

std::int64_t TargetCores::run_earliest(int node, std::int64_t now, std::int64_t cost) {
  const Node& n = nodes_[std::size_t(node)];
  std::uint32_t best = n.first;
  for (std::uint32_t c = n.first + 1; c < n.first + n.cores; ++c) {
    if (free_at_[c] < free_at_[best]) best = c;
  }
  return run_on(best, now, cost);
}

void TargetCores::bind(std::uint32_t ctrl, std::uint32_t epoch) {
  Controller& c = ctrls_[ctrl];
  const std::uint32_t cores = nodes_[std::size_t(c.node)].cores;
  for (std::uint32_t q = 0; q < c.queue_core.size(); ++q) {
    const std::uint64_t flow = splitmix64(seed_ ^ splitmix64((std::uint64_t(ctrl) << 32) | epoch) ^ q);
    c.queue_core[q] = std::uint32_t(flow % cores);
  }
}

void TargetCapacity::set_qos(const std::vector<TargetQosSpec>& specs) {
  for (const TargetQosSpec& s : specs) {
    if (s.limits.any()) limits_[{s.nqn, s.nsid, s.host}] = s.limits;
  }
}

// Buckets are shared by every channel with the same key: one namespace bucket for all hosts.
int TargetCapacity::bucket(const std::string& nqn, std::uint32_t nsid, const std::string& host) {
  const auto key = std::make_tuple(nqn, nsid, host);
  auto limits = limits_.find(key);
  if (limits == limits_.end()) return -1;
  auto [it, fresh] = bucket_of_.emplace(key, int(buckets_.size()));
  if (fresh) buckets_.emplace_back(limits->second);
  return it->second;
}

std::uint32_t TargetCapacity::channel(std::uint32_t media, const std::string& nqn, std::uint32_t nsid,
                                      const std::string& host) {
  Channel c;
  c.media = media;
  c.pair = bucket(nqn, nsid, host);
  c.ns = bucket(nqn, nsid, "");
  channels_.push_back(c);
  return std::uint32_t(channels_.size() - 1);
}

std::int64_t TargetCapacity::admit_limited(Channel& c, std::int64_t t, bool read, std::uint32_t bytes) {
  std::int64_t at = t;
  if (c.pair >= 0) at = buckets_[std::size_t(c.pair)].admit(at, read, bytes);
  if (c.ns >= 0) at = buckets_[std::size_t(c.ns)].admit(at, read, bytes);
  if (at > t) {
    c.throttled_ns += at - t;
    ++c.throttled_ios;
  }
  return at;
}

}  // namespace mpsim::sim
