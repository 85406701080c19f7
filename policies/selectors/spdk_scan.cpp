#include "policies/selectors/spdk_scan.h"

namespace mpsim::policies {

void SpdkPathOrder::sync(const PathList& paths) {
  if (order_.size() == paths.size()) return;
  order_.clear();
  const bool has_preferred = preferred_ >= 0 && std::size_t(preferred_) < paths.size();
  if (has_preferred) order_.push_back(paths[std::size_t(preferred_)]);
  for (std::size_t i = 0; i < paths.size(); ++i)
    if (!has_preferred || i != std::size_t(preferred_)) order_.push_back(paths[i]);
  position_.assign(paths.size(), 0);
  for (std::size_t pos = 0; pos < order_.size(); ++pos) position_[order_[pos]->index] = pos;
}

std::size_t SpdkPathOrder::position_of(const Path* p) const { return position_[p->index]; }

Path* spdk_find_io_path(const SpdkPathOrder& order, const Path* after) {
  const auto& list = order.paths();
  const std::size_t n = list.size();
  if (n == 0) return nullptr;
  const std::size_t start = after ? (order.position_of(after) + 1) % n : 0;
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
