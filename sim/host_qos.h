// Host-side QoS of a run: each job's cgroup (scenario cgroups) and, per (cgroup, multipath head)
// with an io.max line for that head, one blk-throttle group (sim/blk_throttle.h) its bios pass
// before the head sees them. Also the time each job's I/O spent throttled, for the tenants.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/blk_throttle.h"
#include "sim/qos_spec.h"

namespace mpsim::sim {

class HostQos {
 public:
  // Job `job` (of cgroup `cgroup`, "" = none) on head `head`, the namespace (nqn, nsid), host
  // `host` with kernel HZ `hz`. Jobs must be added in index order.
  void add_job(const std::vector<CgroupSpec>& cgroups, const std::string& cgroup, const std::string& host,
               std::uint32_t head, const std::string& nqn, std::uint32_t nsid, std::uint32_t hz);

  bool throttled(std::uint32_t job) const { return group_of_job_[job] >= 0; }
  // When job's bio submitted at `t` reaches the head; `measured` adds the wait to its total.
  std::int64_t dispatch(std::uint32_t job, std::int64_t t, bool read, std::uint32_t bytes, bool measured) {
    const std::int64_t at = groups_[std::size_t(group_of_job_[job])].dispatch(t, read, bytes);
    if (measured && at > t) {
      throttled_ns_[job] += at - t;
      ++throttled_ios_[job];
    }
    return at;
  }
  std::int64_t throttled_ns(std::uint32_t job) const { return throttled_ns_[job]; }
  std::uint64_t throttled_ios(std::uint32_t job) const { return throttled_ios_[job]; }

 private:
  std::vector<int> group_of_job_;
  std::vector<std::int64_t> throttled_ns_;
  std::vector<std::uint64_t> throttled_ios_;
  std::map<std::pair<std::string, std::uint32_t>, int> group_of_;  // (cgroup, head)
  std::vector<BlkThrottle> groups_;
};

}  // namespace mpsim::sim
