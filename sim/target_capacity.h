// The target's shared capacity beyond CPU and ports: which media queue a job's I/O reaches and
// the SPDK QoS buckets it passes first — one per limited namespace and one per limited
// (host, namespace) pair (the pair's bucket first, then the namespace's). Plain state in
// virtual nanoseconds, part of TargetModel so a real-time engine gets it too.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/qos_spec.h"
#include "sim/spdk_qos.h"

namespace mpsim::sim {

class TargetCapacity {
 public:
  void set_qos(const std::vector<TargetQosSpec>& specs);
  std::uint32_t channel(std::uint32_t media, const std::string& nqn, std::uint32_t nsid, const std::string& host);

  std::uint32_t media(std::uint32_t channel) const { return channels_[channel].media; }
  // When an I/O reaching the QoS layer at `t` leaves its queues for the media.
  std::int64_t admit(std::uint32_t channel, std::int64_t t, bool read, std::uint32_t bytes) {
    Channel& c = channels_[channel];
    if (c.pair < 0 && c.ns < 0) return t;  // the common case: no QoS on the way
    return admit_limited(c, t, read, bytes);
  }

  // Time this channel's I/O waited in QoS queues (sum over I/O), and how many waited.
  std::int64_t throttled_ns(std::uint32_t channel) const { return channels_[channel].throttled_ns; }
  std::uint64_t throttled_ios(std::uint32_t channel) const { return channels_[channel].throttled_ios; }

 private:
  struct Channel {
    std::uint32_t media = 0;
    int pair = -1, ns = -1;  // indices into buckets_, -1 = unlimited
    std::int64_t throttled_ns = 0;
    std::uint64_t throttled_ios = 0;
  };
  std::int64_t admit_limited(Channel& c, std::int64_t t, bool read, std::uint32_t bytes);
  int bucket(const std::string& nqn, std::uint32_t nsid, const std::string& host);

  std::map<std::tuple<std::string, std::uint32_t, std::string>, SpdkQosLimits> limits_;  // host "" = namespace
  std::map<std::tuple<std::string, std::uint32_t, std::string>, int> bucket_of_;
  std::vector<SpdkQos> buckets_;
  std::vector<Channel> channels_;
};

}  // namespace mpsim::sim
