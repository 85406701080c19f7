// dm-multipath's priority groups around one path selector (dm-mpath.c choose_pgpath plus
// multipathd's path_grouping_policy and failback), spec §3.2–3.3.
#pragma once

#include <functional>
#include <memory>

#include "policies/selector.h"
#include "policies/selectors/dm_path_selector.h"
#include "policies/selectors/params.h"

namespace mpsim::policies {

enum class DmGrouping : std::uint8_t { GroupByPrio, Multibus, Failover };
enum class DmFailback : std::uint8_t { Manual, Immediate };

// One selector instance serves every group: a path belongs to one group at a time, the
// per-path state follows it when the ANA prioritizer regroups it, and the relative order of
// a group's members in the shared list is exactly the order a per-group list would have.
class DmMultipathSelector : public PathSelector {
 public:
  DmMultipathSelector(std::unique_ptr<DmPathSelector> ps, DmGrouping grouping, DmFailback failback)
      : ps_(std::move(ps)), grouping_(grouping), failback_(failback) {}

  Path* select(const PathList& paths, const IoRequest& io, const SelectContext& ctx) override;
  void on_dispatch(Path& p, IoRequest& io, TimePoint now) override {
    io.dispatched = now;  // the head's meaning too; HST measures from it whatever the call order
    ps_->start_io(p, io, now);
  }
  void on_complete(Path& p, IoRequest& io, TimePoint now) override { ps_->end_io(p, io, now); }
  void on_path_live(const PathList& paths, const Path& p) override;
  std::vector<std::string> warnings() const override { return ps_->warnings; }

  DmPathSelector& path_selector() { return *ps_; }
  // The priority group I/O currently goes to, or nullptr when none is chosen.
  const DmGroup* current_group() const { return has_current_ ? &current_ : nullptr; }

 private:
  Path* choose_new_group(const PathList& paths, const IoRequest& io, TimePoint now);
  bool best_group(const PathList& paths, DmGroup& out) const;
  bool try_group(const DmGroup& g, const IoRequest& io, TimePoint now, Path*& chosen);

  std::unique_ptr<DmPathSelector> ps_;
  DmGrouping grouping_;
  DmFailback failback_;
  DmGroup current_;
  bool has_current_ = false;
};

// multipathd's settings that shape failover rather than the path choice (the head's dm rules
// apply them): no_path_retry "fail" | "queue" | N, polling_interval seconds, checker_phase_ms.
struct DmDaemonOptions {
  bool queue_if_no_path = false;     // no_path_retry queue
  int no_path_retry = 0;             // N checker intervals; 0 = fail at once
  std::uint32_t polling_interval_s = 5;
  std::uint32_t checker_phase_ms = 0;  // a path-checking tick of the checker loop, < polling interval
};
DmDaemonOptions dm_daemon_options(const ParamReader& r);  // throws PolicyError on a bad value

using DmSelectorFactory = std::function<std::unique_ptr<DmPathSelector>(const ParamReader&)>;

// A registry entry for a dm selector: its own parameters plus path_grouping_policy and failback.
PolicyInfo dm_policy(std::string name, std::string summary, std::vector<PolicyParam> params,
                     DmSelectorFactory make);

}  // namespace mpsim::policies
