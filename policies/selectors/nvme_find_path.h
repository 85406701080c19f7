// __nvme_find_path: the scan shared by Linux's numa and round-robin iopolicies, and the
// node_distance() table it uses.
#pragma once

#include <string>
#include <vector>

#include "policies/path.h"

namespace mpsim::policies {

inline constexpr int kLocalDistance = 10;   // LOCAL_DISTANCE
inline constexpr int kRemoteDistance = 20;  // REMOTE_DISTANCE

// node_distance(from, to). Default: 10 on the same node, 20 elsewhere; a "numa_distances"
// parameter such as "10,21;21,10" (row = from-node) overrides it for the nodes it covers.
class NumaDistances {
 public:
  NumaDistances() = default;
  // Throws PolicyError naming `policy` and the parameter on malformed text.
  static NumaDistances parse(const std::string& policy, const std::string& text);

  int between(int from, int to) const;
  // A controller without a NUMA node (NVMe/TCP) counts as local (6.9+ kernels).
  int to_controller(int io_node, int ctrl_node) const;

 private:
  std::vector<std::vector<int>> rows_;
};

// Best usable path for `io_node`: optimized with the smallest distance, else non-optimized
// with the smallest distance; strict '<', so equal distances go to the earlier path.
// `distances` == nullptr means every path is local (round-robin and queue-depth iopolicies).
Path* nvme_find_closest_path(const PathList& paths, int io_node, const NumaDistances* distances);

}  // namespace mpsim::policies
