#include "sim/host_qos.h"

#include <stdexcept>

namespace mpsim::sim {

void HostQos::add_job(const std::vector<CgroupSpec>& cgroups, const std::string& cgroup, const std::string& host,
                      std::uint32_t head, const std::string& nqn, std::uint32_t nsid, std::uint32_t hz) {
  int group = -1;
  if (!cgroup.empty()) {
    const CgroupSpec* spec = nullptr;
    for (const CgroupSpec& c : cgroups) {
      if (c.name == cgroup) spec = &c;
    }
    if (!spec) throw std::invalid_argument("job cgroup \"" + cgroup + "\" is not defined");
    if (spec->host != host) {
      throw std::invalid_argument("cgroup \"" + cgroup + "\" is on host \"" + spec->host + "\", not \"" + host + "\"");
    }
    auto found = group_of_.find({cgroup, head});
    if (found != group_of_.end()) {
      group = found->second;
    } else {
      for (const IoMaxSpec& m : spec->io_max) {
        if (m.nqn != nqn || m.nsid != nsid) continue;
        group = int(groups_.size());
        groups_.emplace_back(m.riops, m.wiops, m.rbps, m.wbps, hz);
      }
      group_of_[{cgroup, head}] = group;
    }
  }
  group_of_job_.push_back(group);
  throttled_ns_.push_back(0);
  throttled_ios_.push_back(0);
}

}  // namespace mpsim::sim
