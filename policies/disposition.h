// What a finished attempt leads to. Each stack decides it in its own unit (stacks/*_rules.h:
// linux_disposition, dm_disposition, spdk_disposition).
#pragma once

#include <array>
#include <cstdint>

#include "policies/types.h"

namespace mpsim::policies {

enum class Disposition : std::uint8_t {
  Complete,       // success: hand the I/O back
  Fail,           // error back to the caller (DNR, retry budget spent, non-retryable)
  RetrySamePath,  // Linux nvme_retry_req: same path after the CRD delay, consumes a retry
  RetryReselect,  // SPDK: re-run path selection after the CRD delay, consumes a retry
  Failover,       // path error: requeue on the head and pick another path, no retry consumed
  FailPath,       // dm fail_path: mark the path failed, then requeue on another path
};

// The CRD delay a retry waits (crdt[crd-1], 0 when crd is 0 or out of range).
inline Duration retry_delay(const NvmeStatus& s, const std::array<Duration, 3>& crdt) {
  if (s.crd == 0 || s.crd > crdt.size()) return Duration(0);
  return crdt[s.crd - 1];
}

}  // namespace mpsim::policies
