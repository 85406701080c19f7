// Which detection timer fired during a fault, read from the guest's dmesg and from the simulator's
// events, and judged as a row (issue 11 item 6). The dmesg lines are copied from real runs
// (/work/tmp-val/reuse13b: fault-blip-8s-numa, tcp-io-timeout-3s-rr, dm-fault-silent-loss-st).
#include <catch2/catch.hpp>

#include "validate/compare.h"
#include "validate/guest_timers.h"
#include "compare_rows.h"

using namespace mpsim;
using namespace mpsim::validate;
using mpsim::validate::testing::find_row;
using namespace std::chrono_literals;

namespace {

constexpr const char* kDmesg =
    "[    5.220000] nvmet: creating nvm controller 1 for subsystem nqn.2026-11.io.mpsim:loopback for NQN x.\n"
    "[    5.230000] nvme nvme0: new ctrl: NQN \"nqn.2026-11.io.mpsim:loopback\", addr 10.0.0.2:4420, hostnqn: x\n"
    "[    5.730000] nvme nvme1: new ctrl: NQN \"nqn.2026-11.io.mpsim:loopback\", addr 10.0.1.2:4421, hostnqn: x\n"
    "[   12.300000] nvme nvme0: long keepalive RTT (1760 ms)\n"
    "[   21.680000] nvmet: ctrl 1 keep-alive timer (5 seconds) expired!\n"
    "[   21.680000] nvmet: ctrl 1 fatal error occurred!\n"
    "[   23.100000] nvme nvme0: I/O tag 1 (5001) type 4 opcode 0x18 (Admin Cmd) QID 0 timeout\n"
    "[   24.000000] nvme nvme0: I/O tag 2 (5002) type 4 opcode 0x6 (Admin Cmd) QID 0 timeout\n"
    "[   25.500000] nvme nvme0: I/O tag 113 (f071) type 4 opcode 0x2 (I/O Cmd) QID 1 timeout\n";

}  // namespace

TEST_CASE("dmesg's detection timer lines are named; a late keep-alive answer is not a timer", "[validate][timers]") {
  const std::vector<GuestTimer> t = parse_guest_timers(kDmesg);
  REQUIRE(t.size() == 4);
  CHECK(t[0].uptime_ms == 21680);
  CHECK(t[0].timer == "nvmet-ka");
  CHECK(t[1].uptime_ms == 23100);
  CHECK(t[1].timer == "host-ka");
  CHECK(t[2].timer == "admin-timeout");
  CHECK(t[3].uptime_ms == 25500);
  CHECK(t[3].timer == "io-timeout");
  CHECK(parse_guest_timers("[   12.300000] nvme nvme0: long keepalive RTT (1760 ms)\n").empty());
  // A mangled line: a queue number too long for any integer is an I/O queue, not an exception.
  const auto mangled = parse_guest_timers("[ 1.0] nvme nvme0: I/O tag 1 (I/O Cmd) QID 00099999999999999999999 timeout\n"
                                          "[ 2.0] nvme nvme0: I/O tag 2 opcode 0x18 (Admin Cmd) QID 000 timeout\n");
  REQUIRE(mangled.size() == 2);
  CHECK(mangled[0].timer == "io-timeout");
  CHECK(mangled[1].timer == "host-ka");
}

TEST_CASE("dmesg's clock is put on the fault runner's by the first connect", "[validate][timers]") {
  const std::vector<FaultRecord> records = {{-1285, "connected", "nvmet_p1"}, {-773, "connected", "nvmet_p2"}, {5505, "io_start", ""}};
  const std::optional<std::int64_t> offset = dmesg_to_guest_offset_ms(kDmesg, records);
  REQUIRE(offset);
  CHECK(*offset == -1285 - 5230);
  CHECK_FALSE(dmesg_to_guest_offset_ms(kDmesg, {{5505, "io_start", ""}}));
  CHECK_FALSE(dmesg_to_guest_offset_ms("[ 21.68] nvmet: ctrl 1 keep-alive timer (5 seconds) expired!\n", records));
  const std::vector<GuestTimer> t = parse_guest_timers(kDmesg);
  // nvmet's expiry at guest 15165 ms, the keep-alive command's timeout at 16585 ms.
  CHECK(guest_timers_between(t, *offset, 7791, 16000) == "nvmet-ka");
  CHECK(guest_timers_between(t, *offset, 7791, 16586) == "host-ka+nvmet-ka");
  CHECK(guest_timers_between(t, *offset, 7791, 30000) == "admin-timeout+host-ka+io-timeout+nvmet-ka");
  CHECK(guest_timers_between(t, *offset, 0, 7791) == "none");
}

TEST_CASE("the simulator's timers come from leaving LIVE for a timeout and nvmet's expiry", "[validate][timers]") {
  const std::vector<sim::EventRow> events = {
      {1000ms, "fault", "nvmet.p1", "f1: down"},
      {2000ms, "ctrl-state", "guest/nvmet.p1", "live->resetting (transport error)"},
      {3000ms, "ctrl-state", "guest/nvmet.p1", "live->resetting (I/O timeout)"},
      {6000ms, "nvmet", "guest/nvmet.p1", "keep-alive timer (5 s) expired after the host's connection died silently"},
      {7000ms, "ctrl-state", "guest/nvmet.p1", "live->resetting (keep-alive timeout)"},
      {7500ms, "ctrl-state", "guest/nvmet.p1", "resetting->connecting (keep-alive timeout)"}};
  CHECK(sim_timers_between(events, 0ms, 2500ms) == "none");
  CHECK(sim_timers_between(events, 0ms, 3001ms) == "io-timeout");
  CHECK(sim_timers_between(events, 3001ms, sim::Duration::max()) == "host-ka+nvmet-ka");
}

TEST_CASE("a timer row per fault is exact; max latency within 30% or 200 ms", "[validate][timers]") {
  RealRun real;
  real.iops = 1000;
  real.jobs.resize(1);
  real.max_ns = 2'000'000'000;
  RealFault f1, f2;
  f1.label = "f1";
  f1.timers = "nvmet-ka";
  f2.label = "f2";
  f2.timers = "none";
  real.faults = {f1, f2};
  sim::RunResult sim;
  sim::JobResult j;
  j.read.total_ios = 1000;
  j.read.lat.max_ns = 2'550'000'000;  // 550 ms over: inside 30% of 2 s
  sim.jobs.push_back(j);
  sim::FaultMeasure s1, s2;
  s1.at = 1s;
  s2.at = 10s;
  sim.faults = {s1, s2};
  sim.events = {{6s, "nvmet", "guest/nvmet.p1", "keep-alive timer (5 s) expired"},
                {11s, "ctrl-state", "guest/nvmet.p1", "live->resetting (keep-alive timeout)"}};
  std::vector<CompareRow> rows = compare_runs(real, sim);
  REQUIRE(find_row(rows, "timer f1"));
  CHECK(find_row(rows, "timer f1")->pass);
  CHECK(find_row(rows, "timer f1")->sim_text == "nvmet-ka");
  REQUIRE(find_row(rows, "timer f2"));
  CHECK_FALSE(find_row(rows, "timer f2")->pass);
  CHECK(find_row(rows, "timer f2")->sim_text == "host-ka");
  REQUIRE(find_row(rows, "max_ms"));
  CHECK(find_row(rows, "max_ms")->pass);
  sim.jobs[0].read.lat.max_ns = 2'700'000'000;  // 35% over
  rows = compare_runs(real, sim);
  CHECK_FALSE(find_row(rows, "max_ms")->pass);
  // Without dmesg.txt (timers "") and without a per-I/O log (max -1): no such rows.
  real.faults[0].timers.clear();
  real.max_ns = -1;
  rows = compare_runs(real, sim);
  CHECK_FALSE(find_row(rows, "timer f1"));
  CHECK_FALSE(find_row(rows, "max_ms"));
}
