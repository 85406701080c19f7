// Per-tenant results: a run's jobs grouped by their tenant label.
#pragma once

#include <vector>

#include "sim/host_side.h"
#include "sim/result.h"

namespace mpsim::sim {

// One TenantResult per tenant, in the order tenants first appear among the jobs; empty when no
// job names a tenant.
std::vector<TenantResult> tenant_results(const HostSide& hosts);

}  // namespace mpsim::sim
