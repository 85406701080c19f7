#include "sim/tenants.h"

#include <algorithm>
#include <map>

namespace mpsim::sim {
namespace {

struct Pool {
  TenantResult result;
  Histogram read_lat, write_lat;
};

void add(DirectionStats& into, const DirectionStats& d, std::int64_t runtime) {
  into.total_ios += d.total_ios;
  into.io_bytes += d.io_bytes;
  into.errors += d.errors;
  into.runtime = std::max(into.runtime, Duration(std::max<std::int64_t>(runtime, 0)));
}

}  // namespace

std::vector<TenantResult> tenant_results(const HostSide& hosts) {
  std::vector<Pool> pools;
  std::map<std::string, std::size_t> index;
  const auto& jobs = hosts.jobs();
  for (std::uint32_t j = 0; j < jobs.size(); ++j) {
    const JobRun& job = jobs[j];
    if (job.spec->tenant.empty()) continue;
    auto [it, fresh] = index.emplace(job.spec->tenant, pools.size());
    if (fresh) {
      pools.emplace_back();
      pools.back().result.name = job.spec->tenant;
    }
    Pool& p = pools[it->second];
    p.result.jobs.push_back(job.name);
    const std::int64_t runtime = job.end - job.measure_from;
    add(p.result.read, job.read, runtime);
    add(p.result.write, job.write, runtime);
    p.read_lat.merge(job.read_lat);
    p.write_lat.merge(job.write_lat);
    const std::uint32_t channel = hosts.pool().profile(j).media;
    p.result.host_throttled += Duration(hosts.qos().throttled_ns(j));
    p.result.target_throttled += Duration(hosts.target().capacity().throttled_ns(channel));
    p.result.throttled_ios += hosts.qos().throttled_ios(j) + hosts.target().capacity().throttled_ios(channel);
  }
  std::vector<TenantResult> out;
  for (Pool& p : pools) {
    p.result.read.clat = p.result.read.lat = p.read_lat.stats();
    p.result.write.clat = p.result.write.lat = p.write_lat.stats();
    out.push_back(std::move(p.result));
  }
  return out;
}

}  // namespace mpsim::sim
