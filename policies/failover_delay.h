// The host-side failover delay: a wait, like NVMe 2.1's Command Quiesce Time (CQT), before a
// write that was in flight on a path the host gave up on is sent down another path. The host
// tore the path's queue down (keep-alive or I/O timeout, reset, transport error) and cancelled
// the command with HOST_ABORTED_CMD, but the target may still hold it queued or executing; sent
// elsewhere at once, the retry and the writes after it can reach the media before the old copy
// does, which then overwrites newer, acknowledged data (a ghost write). Linux does not
// implement CQT (nvme_failover_req requeues at once); a delay of 0 keeps that behaviour.
#pragma once

#include "policies/io.h"
#include "policies/types.h"

namespace mpsim::policies {

// The attempt reached the wire and the host cancelled it: the target may still execute it.
// (HOST_PATH_ERROR never left the host; an ANA status means the target refused it.)
inline bool may_still_execute_at_target(const NvmeStatus& status) { return status.code == status::kHostAbortedCommand; }

// How long a failed-over I/O waits before it is routed again: `failover_delay` for a write the
// target may still execute, none otherwise (reads change no data, whatever lands late).
inline Duration failover_wait(const IoRequest& io, const NvmeStatus& status, Duration failover_delay) {
  if (failover_delay <= Duration(0) || io.dir != IoDirection::Write) return Duration(0);
  return may_still_execute_at_target(status) ? failover_delay : Duration(0);
}

}  // namespace mpsim::policies
