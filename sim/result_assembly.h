// After the run: the I/O ledger check and the RunResult, read from the host side (jobs, heads,
// the I/O pool), the transport (controller names, attempts) and the metrics.
#pragma once

#include <cstdint>

#include "sim/host_side.h"
#include "sim/metrics.h"
#include "sim/result.h"
#include "sim/scenario.h"
#include "sim/transport.h"

namespace mpsim::sim {

// Throws std::logic_error if submitted != completed + failed + in flight, or the heads hold
// more than is in flight.
RunResult assemble_result(const Scenario& s, std::int64_t end, HostSide& hosts, const Transport& transport,
                          Metrics& metrics, const RunCost& cost);

}  // namespace mpsim::sim
