// SPDK bdev_nvme path choice shared by active_passive and active_active/round_robin
// (_bdev_nvme_find_io_path), spec §4. Each SPDK thread has its own I/O channel, so the
// cached path and the rr counter are per SelectContext::thread.
#pragma once

#include <cstdint>
#include <vector>

#include "policies/path.h"
#include "policies/selectors/per_path.h"

namespace mpsim::policies {

struct SpdkChannel {
  Path* current = nullptr;  // current_io_path
  std::uint32_t rr_counter = 0;
};

// The channel's io_path_list: head->list order, except that a preferred path (set with
// bdev_nvme_set_preferred_path) is moved to the front.
class SpdkPathOrder {
 public:
  explicit SpdkPathOrder(long preferred = -1) : preferred_(preferred) {}
  // Rebuilds the order when the offered paths changed (rare); one short compare otherwise.
  void sync(const PathList& paths);
  const std::vector<Path*>& paths() const { return order_; }
  std::size_t position_of(const Path* p) const;

 private:
  long preferred_;
  PathList source_;
  std::vector<Path*> order_;
  std::vector<std::size_t> position_;  // by Path::index
};

// Starting after `after` (or at the front if nullptr) and going once around: the first
// usable optimized path, else the first usable non-optimized one, else nullptr.
Path* spdk_find_io_path(const SpdkPathOrder& order, const Path* after);

}  // namespace mpsim::policies
