// What to do with a finished attempt: the kernel's nvme_decide_disposition (core.c) and the
// equivalent decisions of dm-mpath and SPDK bdev_nvme, as one pure function.
#pragma once

#include <array>
#include <cstdint>

#include "policies/selector.h"
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

struct DispositionInput {
  Stack stack = Stack::LinuxNative;
  NvmeStatus status;
  std::uint8_t retries = 0;      // retries already consumed by this request
  std::uint8_t max_retries = 5;  // nvme_core.max_retries or SPDK bdev_retry_count
};

Disposition decide_disposition(const DispositionInput& in);

// The CRD delay a retry waits (crdt[crd-1], 0 when crd is 0 or out of range).
Duration retry_delay(const NvmeStatus& s, const std::array<Duration, 3>& crdt);

}  // namespace mpsim::policies
