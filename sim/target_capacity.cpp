#include "sim/target_capacity.h"

namespace mpsim::sim {

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
