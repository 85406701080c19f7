// dm-multipath's per-priority-group path selector (the kernel's path_selector_type),
// spec §3.1. dm selectors keep their own order of valid paths and move the chosen one to
// the tail; a DmGroup says which paths the current priority group holds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "policies/io.h"
#include "policies/path.h"

namespace mpsim::policies {

// Which paths a priority group holds. Groups follow the paths' current ANA state, the way
// multipathd regroups a map when the `ana` prioritizer's values change.
struct DmGroup {
  enum class Kind : std::uint8_t { AllPaths, Optimized, NonOptimized, OnePath };
  Kind kind = Kind::AllPaths;
  const Path* only = nullptr;  // for OnePath

  bool contains(const Path& p) const;
  bool operator==(const DmGroup& o) const { return kind == o.kind && only == o.only; }
};

// The selector's valid_paths list: paths in the order they were added, reordered by
// move-to-tail on every choice and on reinstatement.
class DmPathOrder {
 public:
  // Appends paths added to the head since the last call (O(1) when there are none). Paths
  // get increasing indexes as they are added, so only a larger index than any seen is new.
  void sync(const PathList& paths);
  const std::vector<Path*>& paths() const { return order_; }
  void move_to_tail(std::size_t position);
  void move_to_tail(const Path& p);

 private:
  std::vector<Path*> order_;
  std::size_t next_index_ = 0;
};

class DmPathSelector {
 public:
  virtual ~DmPathSelector() = default;

  // ps->select_path over the usable members of `group`; nullptr if it has none.
  virtual Path* select(const DmGroup& group, const IoRequest& io, TimePoint now) = 0;
  virtual void start_io(Path& /*p*/, const IoRequest& /*io*/, TimePoint /*now*/) {}
  virtual void end_io(Path& /*p*/, const IoRequest& /*io*/, TimePoint /*now*/) {}
  // reinstate_path: a returning path goes to the tail of the valid list.
  virtual void reinstate(const Path& p) { order_.move_to_tail(p); }

  // Called once per choice with the paths the head offers (dm leaves its failed paths out):
  // learns new paths and marks which ones may be chosen this time.
  void begin_round(const PathList& paths);
  void learn(const PathList& paths) { order_.sync(paths); }
  std::vector<std::string> warnings;

 protected:
  bool candidate(const Path& p, const DmGroup& g) const {
    return p.index < offered_.size() && offered_[p.index] == round_ && path_usable(p) && g.contains(p);
  }
  DmPathOrder order_;

 private:
  std::vector<std::uint64_t> offered_;  // by Path::index: the round in which it was last offered
  std::uint64_t round_ = 0;
};

// The kernel's message when a table asks for repeat_count > 1 (request-based dm forces 1).
inline constexpr const char* kDmRepeatCountWarning = "repeat_count > 1 is deprecated, using 1 instead";

}  // namespace mpsim::policies
