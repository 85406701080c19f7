// Which detection timer fired during each fault, read the same way from the guest's dmesg.txt
// and from the simulator's event log, so the report can judge it side by side (issue 11 item 6).
// Timer names: "nvmet-ka" (the target's own keep-alive timer expired: it tears the controller
// down), "host-ka" (the host's keep-alive command timed out), "admin-timeout" (another admin
// command timed out), "io-timeout" (an I/O's io_timeout). "long keepalive RTT" (a keep-alive
// answered late) detects nothing and is left out. A fault's set is the timers that fired from
// its start to the next fault's start (or the run's end), sorted and joined with '+', or "none".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/result.h"
#include "validate/guest_results.h"

namespace mpsim::validate {

struct GuestTimer {
  std::int64_t uptime_ms = 0;  // the kernel's printk timestamp
  std::string timer;           // "nvmet-ka", "host-ka", "admin-timeout", "io-timeout"
};

// Every detection timer line of a dmesg dump ("[   21.680000] nvmet: ctrl 1 keep-alive timer (5
// seconds) expired!", "[ 9.1] nvme nvme0: I/O tag 1 (5001) type 4 opcode 0x18 (Admin Cmd) QID 0
// timeout", "... (I/O Cmd) QID 1 timeout"); other lines are skipped.
std::vector<GuestTimer> parse_guest_timers(std::string_view dmesg);

// Kernel uptime -> the fault runner's clock (faults.csv, ms from T0): the first controller's
// "new ctrl:" line is the first "connected" record. nullopt without either.
std::optional<std::int64_t> dmesg_to_guest_offset_ms(std::string_view dmesg, const std::vector<FaultRecord>& records);

// The sorted '+'-joined set of the timers in [from_ms, to_ms) (guest clock), or "none".
std::string guest_timers_between(const std::vector<GuestTimer>& timers, std::int64_t offset_ms, std::int64_t from_ms,
                                 std::int64_t to_ms);

// The same set from the simulator's events in [from, to): a controller leaving LIVE for
// "keep-alive timeout", "I/O timeout" or "ANA log read timeout", and nvmet's keep-alive expiry.
std::string sim_timers_between(const std::vector<sim::EventRow>& events, sim::Duration from, sim::Duration to);

}  // namespace mpsim::validate
