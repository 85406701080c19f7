#include "policies/selectors/spdk_scan.h"

namespace mpsim::policies {

// preferred_path names a path by its index in head->list.
void SpdkPathOrder::sync(const PathList& paths) {
  if (paths == source_) return;
  source_ = paths;
  order_.clear();
  for (Path* p : paths)
    if (long(p->index) == preferred_) order_.push_back(p);
  for (Path* p : paths)
    if (long(p->index) != preferred_) order_.push_back(p);
  position_.clear();
  for (std::size_t pos = 0; pos < order_.size(); ++pos) {
    if (order_[pos]->index >= position_.size()) position_.resize(order_[pos]->index + 1, kNotListed);
    position_[order_[pos]->index] = pos;
  }
}

std::size_t SpdkPathOrder::position_of(const Path* p) const {
  return p != nullptr && p->index < position_.size() ? position_[p->index] : kNotListed;
}

Path* spdk_find_io_path(const SpdkPathOrder& order, const Path* after) {
  const auto& list = order.paths();
  const std::size_t n = list.size();
  if (n == 0) return nullptr;
  const std::size_t after_position = order.position_of(after);
  const std::size_t start = after_position == kNotListed ? 0 : (after_position + 1) % n;
  Path* non_optimized = nullptr;
  for (std::size_t step = 0; step < n; ++step) {
    Path* p = list[(start + step) % n];
    if (!path_usable(*p)) continue;
    if (p->ana_state == AnaState::Optimized) return p;
    if (!non_optimized) non_optimized = p;
  }
  return non_optimized;
}

}  // namespace mpsim::policies
