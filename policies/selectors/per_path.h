// Per-path and per-context state for selectors without a lookup structure on the hot path:
// a Path's `index` (its position in head->list) and a context number (NUMA node, SPDK
// thread) index plain vectors that grow only when a new path or context first appears.
#pragma once

#include <cstddef>
#include <vector>

#include "policies/path.h"

namespace mpsim::policies {

template <typename T>
class Indexed {
 public:
  T& at(std::size_t i) {
    if (i >= items_.size()) items_.resize(i + 1);
    return items_[i];
  }
  T value(std::size_t i) const { return i < items_.size() ? items_[i] : T{}; }
  std::size_t size() const { return items_.size(); }
  std::vector<T>& all() { return items_; }
  const std::vector<T>& all() const { return items_; }

 private:
  std::vector<T> items_;
};

template <typename T>
class PerPath {
 public:
  T& operator[](const Path& p) { return items_.at(p.index); }
  T value(const Path& p) const { return items_.value(p.index); }
  std::vector<T>& all() { return items_.all(); }

 private:
  Indexed<T> items_;
};

// A context number from the caller (NUMA node, thread); negative ones share slot 0.
inline std::size_t context_slot(int n) { return n < 0 ? 0 : std::size_t(n); }

inline constexpr std::size_t kNotListed = ~std::size_t(0);

// Where `p` is in `paths`, or kNotListed. The head may hand a selector a subset of its list
// (dm leaves failed paths out), so a cached path is looked up rather than trusted; the full
// list is the common case and is answered without a scan.
inline std::size_t position_in(const PathList& paths, const Path* p) {
  if (p == nullptr) return kNotListed;
  if (p->index < paths.size() && paths[p->index] == p) return p->index;
  for (std::size_t i = 0; i < paths.size(); ++i)
    if (paths[i] == p) return i;
  return kNotListed;
}

}  // namespace mpsim::policies
