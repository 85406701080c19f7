#include "policies/selectors/dm_path_selector.h"

#include <algorithm>

namespace mpsim::policies {

bool DmGroup::contains(const Path& p) const {
  switch (kind) {
    case Kind::AllPaths: return true;
    case Kind::Optimized: return p.ana_state == AnaState::Optimized;
    case Kind::NonOptimized: return p.ana_state == AnaState::NonOptimized;
    case Kind::OnePath: return &p == only;
  }
  return false;
}

void DmPathOrder::sync(const PathList& paths) {
  if (paths.empty() || paths.back()->index < next_index_) return;
  for (Path* p : paths) {
    if (p->index < next_index_) continue;
    order_.push_back(p);
    next_index_ = p->index + 1;
  }
}

void DmPathSelector::begin_round(const PathList& paths) {
  order_.sync(paths);
  ++round_;
  for (const Path* p : paths) {
    if (p->index >= offered_.size()) offered_.resize(p->index + 1, 0);
    offered_[p->index] = round_;
  }
}

void DmPathOrder::move_to_tail(std::size_t position) {
  std::rotate(order_.begin() + std::ptrdiff_t(position), order_.begin() + std::ptrdiff_t(position) + 1,
              order_.end());
}

void DmPathOrder::move_to_tail(const Path& p) {
  auto it = std::find(order_.begin(), order_.end(), &p);
  if (it != order_.end()) move_to_tail(std::size_t(it - order_.begin()));
}

}  // namespace mpsim::policies
