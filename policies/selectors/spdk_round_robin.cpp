#include "policies/selectors/spdk_round_robin.h"

#include "policies/selectors/params.h"

namespace mpsim::policies {

Path* SpdkRoundRobin::select(const PathList& paths, const IoRequest&, const SelectContext& ctx) {
  order_.sync(paths);
  SpdkChannel& ch = channels_.at(ctx.thread);
  if (ch.current && order_.position_of(ch.current) != kNotListed && path_usable(*ch.current)) {
    if (++ch.rr_counter < rr_min_io_) return ch.current;
    ch.rr_counter = 0;
  } else {
    ch.rr_counter = 0;
  }
  ch.current = spdk_find_io_path(order_, ch.current);
  return ch.current;
}

void SpdkRoundRobin::on_path_failed(const Path& p) {
  for (SpdkChannel& ch : channels_.all())
    if (ch.current == &p) ch = SpdkChannel{};
}

void SpdkRoundRobin::on_path_live(const PathList&, const Path&) {
  for (SpdkChannel& ch : channels_.all()) ch = SpdkChannel{};
}

void SpdkRoundRobin::on_paths_changed(const PathList&) {
  for (SpdkChannel& ch : channels_.all()) ch = SpdkChannel{};
}

PolicyInfo spdk_round_robin_policy() {
  return {"spdk-round-robin",
          Stack::Spdk,
          "SPDK bdev_nvme active_active/round_robin: rr_min_io I/Os per path, then the next optimized path "
          "(bdev_nvme_find_io_path)",
          {{"rr_min_io", "1", "I/Os sent on a path before moving to the next (bdev_nvme_set_multipath_policy -r)"}},
          [](const std::map<std::string, std::string>& params) -> std::unique_ptr<PathSelector> {
            const ParamReader r("spdk-round-robin", params);
            return std::make_unique<SpdkRoundRobin>(std::uint32_t(r.integer("rr_min_io", 1, UINT32_MAX)));
          }};
}

}  // namespace mpsim::policies
