#include "policies/disposition.h"

#include <array>

namespace mpsim::policies {
namespace {

// core.c nvme_decide_disposition. The retry budget is checked before the path-error test, so a
// path error on a request that already spent max_retries same-path retries ends in error.
Disposition linux_disposition(const DispositionInput& in) {
  if (in.status.ok()) return Disposition::Complete;
  if (in.status.dnr || in.retries >= in.max_retries) return Disposition::Fail;
  if (is_path_error(in.status.code)) return Disposition::Failover;
  return Disposition::RetrySamePath;
}

// dm-mpath issues clones with REQ_FAILFAST_TRANSPORT, so nvme never retries them itself: a
// path-class error fails the path and dm retries elsewhere (whatever DNR says), anything else
// (medium, target errors) goes straight back to the caller.
Disposition dm_disposition(const DispositionInput& in) {
  if (in.status.ok()) return Disposition::Complete;
  if (is_path_error(in.status.code)) return Disposition::FailPath;
  return Disposition::Fail;
}

// bdev_nvme_io_complete_nvme_status: DNR or the retry budget first, then path errors retry at
// once elsewhere without counting, other errors count a retry and wait for the CRD delay.
Disposition spdk_disposition(const DispositionInput& in) {
  if (in.status.ok()) return Disposition::Complete;
  if (in.status.dnr || in.retries >= in.max_retries) return Disposition::Fail;
  if (is_path_error(in.status.code)) return Disposition::Failover;
  return Disposition::RetryReselect;
}

}  // namespace

Disposition decide_disposition(const DispositionInput& in) {
  switch (in.stack) {
    case Stack::DmMultipath: return dm_disposition(in);
    case Stack::Spdk: return spdk_disposition(in);
    case Stack::LinuxNative:
    case Stack::Research: break;
  }
  return linux_disposition(in);
}

Duration retry_delay(const NvmeStatus& s, const std::array<Duration, 3>& crdt) {
  if (s.crd == 0 || s.crd > crdt.size()) return Duration(0);
  return crdt[s.crd - 1];
}

}  // namespace mpsim::policies
