#include "policies/selectors/spdk_active_passive.h"

#include "policies/selectors/params.h"

namespace mpsim::policies {

Path* SpdkActivePassive::select(const PathList& paths, const IoRequest&, const SelectContext& ctx) {
  order_.sync(paths);
  SpdkChannel& ch = channels_.at(ctx.thread);
  if (ch.current && order_.position_of(ch.current) != kNotListed && path_usable(*ch.current)) return ch.current;
  // SPDK clears the channel caches when a path fails, so the search restarts at the front.
  ch.current = spdk_find_io_path(order_, nullptr);
  return ch.current;
}

void SpdkActivePassive::clear_all() {
  for (SpdkChannel& ch : channels_.all()) ch.current = nullptr;
}

void SpdkActivePassive::on_path_failed(const Path& p) {
  for (SpdkChannel& ch : channels_.all())
    if (ch.current == &p) ch.current = nullptr;
}

// A restored path may be the preferred one: clearing the caches sends the next I/O back to
// the front of the list. With disable_auto_failback the channel stays where it is.
void SpdkActivePassive::on_path_live(const PathList&, const Path&) {
  if (auto_failback_) clear_all();
}

void SpdkActivePassive::on_paths_changed(const PathList&) {
  if (auto_failback_) clear_all();
}

PolicyInfo spdk_active_passive_policy() {
  return {"spdk-active-passive",
          Stack::Spdk,
          "SPDK bdev_nvme active_passive (default): first optimized path from the list head, cached per "
          "thread, automatic failback (bdev_nvme_find_io_path)",
          {{"preferred_path", "-1",
            "index of the path moved to the list head (bdev_nvme_set_preferred_path); -1 = none"},
           {"disable_auto_failback", "false", "true = stay on the current path when a better one returns"}},
          [](const std::map<std::string, std::string>& params) -> std::unique_ptr<PathSelector> {
            const ParamReader r("spdk-active-passive", params);
            const long preferred =
                r.raw("preferred_path") == "-1" ? -1 : long(r.integer("preferred_path", 0, 1u << 20));
            return std::make_unique<SpdkActivePassive>(preferred, r.boolean("disable_auto_failback"));
          }};
}

}  // namespace mpsim::policies
