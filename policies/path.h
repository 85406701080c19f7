// A path = one namespace seen through one controller (the kernel's struct nvme_ns).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "policies/types.h"

namespace mpsim::policies {

class Controller;
class NamespaceHead;

struct PathCounters {
  std::uint64_t ios = 0;        // attempts dispatched on this path
  std::uint64_t failovers = 0;  // multipath_failover_count
  std::uint64_t retries = 0;    // same-path retries
  std::uint64_t errors = 0;     // errors completed to the caller from this path
};

class Path {
 public:
  Path(Controller& ctrl, NamespaceHead& head, std::size_t index, std::uint32_t ana_grpid, AnaState ana)
      : ctrl(&ctrl), head(&head), index(index), ana_grpid(ana_grpid), ana_state(ana) {}

  Controller* ctrl;
  NamespaceHead* head;
  std::size_t index;            // position in head->list (order in which paths were added)
  std::uint32_t ana_grpid;
  AnaState ana_state;
  bool ana_pending = false;     // NVME_NS_ANA_PENDING: ANA log re-read requested
  bool ready = true;            // NVME_NS_READY
  bool removed = false;         // controller deleted: the path stays in the list, never usable
  PathCounters counters;
};

using PathList = std::vector<Path*>;  // in head->list order, usable or not

// nvme_path_is_disabled: controller not LIVE/DELETING, ANA pending, or not ready.
bool path_disabled(const Path& p);
// What every selector may return: not disabled and ANA optimized or non-optimized.
bool path_usable(const Path& p);
inline bool path_optimized(const Path& p) { return path_usable(p) && p.ana_state == AnaState::Optimized; }

}  // namespace mpsim::policies
