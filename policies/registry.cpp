// The list of policies. Adding one = a new selectors/<name>.{h,cpp} pair exporting a
// PolicyInfo function, plus one line below.
#include <algorithm>

#include "policies/selector.h"
#include "policies/selectors/params.h"
#include "policies/selectors/ana_weighted_qd.h"
#include "policies/selectors/dm_historical_service_time.h"
#include "policies/selectors/dm_queue_length.h"
#include "policies/selectors/dm_round_robin.h"
#include "policies/selectors/dm_service_time.h"
#include "policies/selectors/latency.h"
#include "policies/selectors/numa.h"
#include "policies/selectors/queue_depth.h"
#include "policies/selectors/round_robin.h"
#include "policies/selectors/spdk_active_passive.h"
#include "policies/selectors/spdk_queue_depth.h"
#include "policies/selectors/spdk_round_robin.h"

namespace mpsim::policies {

const std::vector<PolicyInfo>& registered_policies() {
  static const std::vector<PolicyInfo> policies = {
      numa_policy(),
      round_robin_policy(),
      queue_depth_policy(),
      dm_round_robin_policy(),
      dm_queue_length_policy(),
      dm_service_time_policy(),
      dm_historical_service_time_policy(),
      spdk_active_passive_policy(),
      spdk_round_robin_policy(),
      spdk_queue_depth_policy(),
      latency_policy(),
      ana_weighted_qd_policy(),
  };
  return policies;
}

static std::string registered_names() {
  std::string names;
  for (const PolicyInfo& p : registered_policies()) names += (names.empty() ? "" : ", ") + p.name;
  return names;
}

const PolicyInfo& find_policy(const std::string& name) {
  const auto& all = registered_policies();
  auto it = std::find_if(all.begin(), all.end(), [&](const PolicyInfo& p) { return p.name == name; });
  if (it == all.end()) throw PolicyError("unknown policy '" + name + "' (registered: " + registered_names() + ")");
  return *it;
}

static bool declares(const PolicyInfo& info, const std::string& param) {
  return std::any_of(info.params.begin(), info.params.end(), [&](const PolicyParam& p) { return p.name == param; });
}

static std::string declared_names(const PolicyInfo& info) {
  std::string names;
  for (const PolicyParam& p : info.params) names += (names.empty() ? "" : ", ") + p.name;
  return names.empty() ? "none" : names;
}

std::map<std::string, std::string> resolved_params(const PolicyConfig& config) {
  const PolicyInfo& info = find_policy(config.name);
  for (const auto& [key, value] : config.params)
    if (!declares(info, key))
      throw PolicyError("policy '" + info.name + "': unknown parameter '" + key + "' (parameters: " +
                        declared_names(info) + ")");
  std::map<std::string, std::string> values = config.params;
  for (const PolicyParam& p : info.params) values.emplace(p.name, p.default_value);
  return values;
}

std::unique_ptr<PathSelector> make_selector(const PolicyConfig& config) {
  return find_policy(config.name).make(resolved_params(config));
}

std::string_view to_string(Stack s) {
  switch (s) {
    case Stack::LinuxNative: return "linux";
    case Stack::DmMultipath: return "dm-multipath";
    case Stack::Spdk: return "spdk";
    case Stack::Research: return "research";
  }
  return "?";
}

}  // namespace mpsim::policies
