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
  // Paths are only ever appended to head->list, so a longer list means new tail entries.
  for (std::size_t i = order_.size(); i < paths.size(); ++i) order_.push_back(paths[i]);
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
