#include "policies/selectors/dm_multipath.h"

namespace mpsim::policies {

bool DmMultipathSelector::try_group(const DmGroup& g, const IoRequest& io, TimePoint now, Path*& chosen) {
  chosen = ps_->select(g, io, now);
  if (!chosen) return false;
  current_ = g;
  has_current_ = true;
  return true;
}

// The first group in priority order with a usable path: the `ana` prioritizer ranks
// optimized above non-optimized; equal priorities keep path order.
bool DmMultipathSelector::best_group(const PathList& paths, DmGroup& out) const {
  if (grouping_ == DmGrouping::Multibus) {
    out = DmGroup{DmGroup::Kind::AllPaths, nullptr};
    return true;
  }
  for (AnaState wanted : {AnaState::Optimized, AnaState::NonOptimized}) {
    for (const Path* p : paths) {
      if (!path_usable(*p) || p->ana_state != wanted) continue;
      if (grouping_ == DmGrouping::Failover)
        out = DmGroup{DmGroup::Kind::OnePath, p};
      else
        out = DmGroup{wanted == AnaState::Optimized ? DmGroup::Kind::Optimized : DmGroup::Kind::NonOptimized,
                      nullptr};
      return true;
    }
  }
  return false;
}

Path* DmMultipathSelector::choose_new_group(const PathList& paths, const IoRequest& io, TimePoint now) {
  Path* chosen = nullptr;
  switch (grouping_) {
    case DmGrouping::Multibus:
      if (try_group({DmGroup::Kind::AllPaths, nullptr}, io, now, chosen)) return chosen;
      break;
    case DmGrouping::GroupByPrio:
      if (try_group({DmGroup::Kind::Optimized, nullptr}, io, now, chosen)) return chosen;
      if (try_group({DmGroup::Kind::NonOptimized, nullptr}, io, now, chosen)) return chosen;
      break;
    case DmGrouping::Failover: {
      DmGroup best;
      if (best_group(paths, best) && try_group(best, io, now, chosen)) return chosen;
      break;
    }
  }
  has_current_ = false;
  return nullptr;
}

Path* DmMultipathSelector::select(const PathList& paths, const IoRequest& io, const SelectContext& ctx) {
  ps_->begin_round(paths);
  // failback immediate: multipathd switches back (switch_group) as soon as a better group
  // has a usable path. manual: only when the current group has nothing left.
  if (has_current_ && failback_ == DmFailback::Immediate) {
    DmGroup best;
    if (best_group(paths, best) && !(best == current_)) has_current_ = false;
  }
  // "Don't change PG until it has no remaining paths."
  if (has_current_)
    if (Path* p = ps_->select(current_, io, ctx.now)) return p;
  return choose_new_group(paths, io, ctx.now);
}

void DmMultipathSelector::on_path_live(const PathList& paths, const Path& p) {
  ps_->learn(paths);
  ps_->reinstate(p);
}

DmDaemonOptions dm_daemon_options(const ParamReader& r) {
  DmDaemonOptions o;
  const std::string& retry = r.raw("no_path_retry");
  if (retry == "queue") {
    o.queue_if_no_path = true;
  } else if (retry != "fail") {
    std::uint64_t n = 0;
    if (!parse_unsigned(retry, n) || n < 1 || n > 100000) r.fail("no_path_retry", "'fail', 'queue' or a count 1..100000");
    o.no_path_retry = int(n);
  }
  o.polling_interval_s = std::uint32_t(r.integer("polling_interval", 1, 3600));
  o.checker_phase_ms = std::uint32_t(r.integer("checker_phase_ms", 0, std::uint64_t(o.polling_interval_s) * 1000 - 1));
  return o;
}

PolicyInfo dm_policy(std::string name, std::string summary, std::vector<PolicyParam> params,
                     DmSelectorFactory make) {
  params.push_back({"path_grouping_policy", "group_by_prio",
                    "group_by_prio (optimized group, then non-optimized, `ana` prioritizer) | multibus (one "
                    "group) | failover (one path per group)"});
  params.push_back({"failback", "manual",
                    "manual (multipath-tools default: stay in the current group until it has no usable path) | "
                    "immediate (return to the best group as soon as it has a usable path)"});
  // multipathd's, not the selector's: the head's dm rules read them (stacks/dm_rules.h,
  // dm_head_options).
  params.push_back({"no_path_retry", "fail",
                    "fail (error at once without a usable path) | queue (queue_if_no_path, forever) | N (queue for "
                    "N polling intervals, then fail)"});
  params.push_back({"polling_interval", "5", "multipathd's path checker interval, whole seconds (1..3600)"});
  params.push_back({"checker_phase_ms", "0",
                    "when multipathd's checker loop ticks: ms after the run's start of a tick that checks paths "
                    "(0..polling_interval*1000-1); it ticks every second and checks paths every polling_interval "
                    "ticks"});
  const std::string policy = name;
  return {std::move(name), Stack::DmMultipath, std::move(summary), std::move(params),
          [policy, make](const std::map<std::string, std::string>& values) -> std::unique_ptr<PathSelector> {
            const ParamReader r(policy, values);
            const auto grouping = DmGrouping(r.choice("path_grouping_policy", {"group_by_prio", "multibus", "failover"}));
            const auto failback = DmFailback(r.choice("failback", {"manual", "immediate"}));
            dm_daemon_options(r);  // a bad value is refused with the selector, not at first use
            return std::make_unique<DmMultipathSelector>(make(r), grouping, failback);
          }};
}

}  // namespace mpsim::policies
