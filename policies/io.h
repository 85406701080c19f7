// One I/O as the multipath layer sees it. The caller owns the memory (the simulator pools
// them; a real host embeds one per request); the library keeps pointers while it is in flight.
#pragma once

#include <cstdint>
#include <string_view>

#include "policies/types.h"

namespace mpsim::policies {

class Path;

// Why an I/O ended in error (fails_no_available_path, etc. mirror the kernel's diag counters).
enum class FailReason : std::uint8_t {
  None,               // completed successfully
  ErrorStatus,        // target returned an error with DNR, or retries were exhausted
  NoAvailablePath,    // nvme_available_path() false: "no available path - failing I/O"
  FailfastExpired,    // fast_io_fail_tmo expired on every remaining controller
  NoPathRetryExpired, // dm no_path_retry N elapsed / SPDK ANA transition timed out
  HeadRemoved,        // last path gone (and delayed_removal_secs elapsed)
};
std::string_view to_string(FailReason r);

struct IoResult {
  NvmeStatus status;        // last status seen on the wire (0 with a non-None reason = never sent)
  FailReason reason = FailReason::None;
  bool ok() const { return reason == FailReason::None; }
};

struct IoRequest {
  std::uint64_t id = 0;            // caller's id
  IoDirection dir = IoDirection::Read;
  std::uint64_t offset = 0;
  std::uint32_t bytes = 0;
  int numa_node = 0;               // NUMA node of the submitting CPU
  std::uint32_t thread = 0;        // submitting context (SPDK thread / hctx)
  TimePoint submitted{};           // when the caller handed it to the head
  TimePoint dispatched{};          // when the current attempt went to its path

  // Owned by the library while the I/O is inside it.
  Path* path = nullptr;            // path of the current attempt, null while queued on the head
  std::uint32_t attempt = 0;       // bumped on every dispatch; a completion for an older attempt is stale
  std::uint8_t retries = 0;        // nvme_req(rq)->retries: same-path retries consumed
  std::uint16_t failovers = 0;     // times moved to another path
  bool counted_active = false;     // NVME_MPATH_CNT_ACTIVE: counted in ctrl nr_active
  std::uint32_t ctrl_slot = 0;     // position in its controller's in-flight table

  void* user = nullptr;            // caller's cookie, never touched by the library
};

}  // namespace mpsim::policies
