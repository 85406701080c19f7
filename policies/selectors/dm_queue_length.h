// dm "queue-length" path selector (dm-ps-queue-length.c), spec §3.1: fewest in-flight
// requests on the path; the chosen path moves to the tail, so ties rotate.
#pragma once

#include "policies/selector.h"
#include "policies/selectors/dm_path_selector.h"
#include "policies/selectors/per_path.h"

namespace mpsim::policies {

class DmQueueLength : public DmPathSelector {
 public:
  Path* select(const DmGroup& group, const IoRequest& io, TimePoint now) override;
  void start_io(Path& p, const IoRequest&, TimePoint) override { ++qlen_[p]; }
  void end_io(Path& p, const IoRequest& io, TimePoint now) override;
  std::uint32_t queue_length(const Path& p) const { return qlen_.value(p); }

 private:
  PerPath<std::uint32_t> qlen_;
};

PolicyInfo dm_queue_length_policy();

}  // namespace mpsim::policies
