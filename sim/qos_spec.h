// Capacity and QoS settings of a run, resolved from the experiment: target-side limits with SPDK
// bdev QoS semantics (sim/spdk_qos.h) and host cgroups with io.max (sim/blk_throttle.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mpsim::sim {

// SPDK's four rate limits (bdev_set_qos_limit); 0 = not limited. Bytes are bytes per second
// (the experiment's *_mbytes_per_sec x 1024 x 1024, as SPDK converts them).
struct SpdkQosLimits {
  std::uint64_t rw_ios_per_sec = 0;
  std::uint64_t rw_bytes_per_sec = 0;
  std::uint64_t r_bytes_per_sec = 0;
  std::uint64_t w_bytes_per_sec = 0;
  bool any() const { return rw_ios_per_sec || rw_bytes_per_sec || r_bytes_per_sec || w_bytes_per_sec; }
};

// Limits on namespace (nqn, nsid) as a whole, or (host set) on one host's I/O to it.
struct TargetQosSpec {
  std::string nqn;
  std::uint32_t nsid = 0;
  std::string host;  // empty = the namespace across every host
  SpdkQosLimits limits;
};

// One io.max line: the limits of a cgroup on one multipath head device; 0 = max.
struct IoMaxSpec {
  std::string nqn;
  std::uint32_t nsid = 0;
  std::uint64_t riops = 0, wiops = 0, rbps = 0, wbps = 0;
};

// A cgroup v2 group of jobs on one host.
struct CgroupSpec {
  std::string name;
  std::string host;
  std::vector<IoMaxSpec> io_max;
};

}  // namespace mpsim::sim
