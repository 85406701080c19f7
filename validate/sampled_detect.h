// The simulator's fault detection as the guest's sampler would have reported it.
//
// The real side's detect_ms comes from the sampler (guest/lib.sh), which reads every path's
// controller state every 20-30 ms. A controller that leaves "live" and is back before the
// sampler's next read shows no change there: a host-side reset on loopback reconnects within
// a few ms, so the kernel's row says "none". The simulator sees every change. To compare like
// with like, a simulated state change is dropped when its controller was live again before
// the first real sample after it, and the detection moves to the next change of that
// controller the sampler could have seen (or none). The instrument is applied to the
// simulated side; the simulator's own figure is unchanged in its results.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/result.h"
#include "validate/guest_results.h"

namespace mpsim::validate {

// `fault_at_ms` is the fault's planned time on the samples' clock (RealFault::at_ms): the
// simulated time `fault.at` maps to it. Returns the detection delay, -1 for none.
sim::Duration detect_as_sampled(const sim::FaultMeasure& fault, const std::vector<sim::EventRow>& events,
                                const SampleTable& samples, std::int64_t fault_at_ms);

}  // namespace mpsim::validate
