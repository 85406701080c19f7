// Linux native iopolicy "queue-depth" (nvme_queue_depth_path, v6.11), spec §1.3: fewest
// requests in flight on the controller, counted across every namespace of that controller.
// The count moves when the request starts (nvme_mpath_start_request, called from the driver's
// queue_rq), not when the path is chosen (nvme_ns_head_submit_bio): I/O chosen under one block
// plug all see the depths from before the plug, and ties go to the first path in the list.
#pragma once

#include "policies/selector.h"

namespace mpsim::policies {

class QueueDepthSelector : public PathSelector {
 public:
  Path* select(const PathList& paths, const IoRequest& io, const SelectContext& ctx) override;
  void on_start(Path& p, IoRequest& io, TimePoint now) override;
  void on_complete(Path& p, IoRequest& io, TimePoint now) override;
};

// nvme_mpath_start_request's half: count the attempt on its controller once.
void start_active_count(Path& p, IoRequest& io);

PolicyInfo queue_depth_policy();

}  // namespace mpsim::policies
