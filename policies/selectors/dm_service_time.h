// dm "service-time" path selector (dm-ps-service-time.c), spec §3.1: smallest estimated
// (in-flight bytes + this I/O) / relative_throughput, compared by cross-multiplication.
#pragma once

#include <vector>

#include "policies/selector.h"
#include "policies/selectors/dm_path_selector.h"
#include "policies/selectors/per_path.h"

namespace mpsim::policies {

class DmServiceTime : public DmPathSelector {
 public:
  // relative_throughput[i] belongs to the path added i-th; missing entries are 1 (dm's default).
  explicit DmServiceTime(std::vector<std::uint64_t> relative_throughput)
      : throughput_(std::move(relative_throughput)) {}

  Path* select(const DmGroup& group, const IoRequest& io, TimePoint now) override;
  void start_io(Path& p, const IoRequest& io, TimePoint) override { in_flight_[p] += io.bytes; }
  void end_io(Path& p, const IoRequest& io, TimePoint now) override;

  // st_compare_load: < 0 if `a` is the better path for `incoming` bytes, > 0 if `b` is, 0 if equal.
  int compare_load(const Path& a, const Path& b, std::uint64_t incoming) const;
  std::uint64_t relative_throughput(const Path& p) const;
  std::uint64_t in_flight_bytes(const Path& p) const { return in_flight_.value(p); }

 private:
  std::vector<std::uint64_t> throughput_;
  PerPath<std::uint64_t> in_flight_;
};

PolicyInfo dm_service_time_policy();

}  // namespace mpsim::policies
