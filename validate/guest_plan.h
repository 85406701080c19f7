// The guest plan: a simulator Scenario mapped onto the real actions the validation guest
// performs (nvmet configfs, host connect options, iopolicy, fio job, timed faults).
//
//   sim::Scenario scenario = ...;                 // from experiments::load_experiment_file
//   GuestPlan plan = plan_guest(scenario);        // throws GuestPlanError if the guest cannot run it
//   std::string init = render_guest_init(plan, "/repo/validate/guest/lib.sh", "/results/x");
//
// The guest is the scenario's single host; every target port becomes an nvmet TCP port on
// loopback, or behind its own veth pair in a target network namespace when the scenario needs
// netem (a slower link, silent loss, gray failure).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/scenario.h"
#include "validate/guest_cgroup.h"
#include "validate/guest_dm.h"

namespace mpsim::validate {

// The scenario asks for something the guest cannot reproduce; what() says what and where.
class GuestPlanError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class GuestNet : std::uint8_t { Loopback, Veth };

struct GuestPort {
  std::string name;                     // "<node>.<port>" as in the topology
  std::string key;                      // shell-safe form used in the guest ("t0_p0")
  int id = 0;                           // nvmet port id (1-based, topology order)
  std::string traddr;                   // as written in the topology (used in loopback mode)
  std::uint32_t trsvcid = 0;
  std::vector<std::pair<std::uint32_t, std::string>> ana;  // (grpid, nvmet ana_state string)
  bool connected = false;               // the host has a connection through this port
  std::string connect_options;          // ",keep_alive_tmo=5,..." appended to the fabrics string
  std::int64_t delay_us = 0;            // static one-way netem delay (slower link than the fastest)
};

struct GuestNamespace {
  std::uint32_t nsid = 0;
  std::uint32_t grpid = 0;
  std::string device;                   // "/dev/nullb0"
};

// One timed action of the fault schedule, a call into validate/guest/lib.sh.
struct GuestAction {
  std::int64_t at_ms = 0;               // since the workload start
  std::string command;                  // e.g. "ana_set t0_p0 1 inaccessible"
  std::string why;                      // the fault it belongs to
  std::size_t fault = 0;                // its index in the scenario's faults
};

struct GuestPlan {
  std::string name;
  std::string host;                     // the topology host the guest plays
  GuestNet net = GuestNet::Loopback;
  std::string nqn;
  std::string hostnqn;
  std::string hostid;                   // UUID; derived from the host name so runs are identical
  std::vector<GuestNamespace> namespaces;
  std::vector<GuestPort> ports;         // connected ports first, in connection order
  std::string iopolicy;                 // numa | round-robin | queue-depth | a dm-* policy
  std::optional<GuestDm> dm;            // dm-multipath mode (guest_dm.h): native multipath off
  std::vector<std::string> fio_global;  // fio options before the first job
  std::vector<std::vector<std::string>> fio_jobs;
  std::vector<GuestAction> actions;     // sorted by at_ms (stable)
  std::vector<GuestCgroup> cgroups;     // cgroup v2 groups with io.max (guest_cgroup.h)
  std::int64_t run_ms = 0;              // workload length (longest start_delay + ramp + runtime)
  std::int64_t measure_from_ms = 0;     // end of the longest ramp_time
  std::uint32_t null_blk_devices = 1;
  std::uint64_t null_blk_gb = 1;
  bool null_blk_memory_backed = false;  // a job verifies: writes must read back (null_blk.memory_backed=1)
  // nvme_core.io_timeout / admin_timeout in whole seconds, from the connections' io_timeout_s /
  // admin_timeout_s (module parameters: one value for every controller); 0 = the kernel's default.
  std::uint32_t io_timeout_s = 0;
  std::uint32_t admin_timeout_s = 0;
  std::vector<std::string> kernel_args() const;  // null_blk and nvme_core parameters (timeouts, dm mode's multipath=N)
  std::string device() const;                    // the block device fio uses
};

// The fio latency-log prefix inside the guest (io_lat.N.log, io_clat.N.log).
inline constexpr const char* kGuestLogPrefix = "/run/mpsim/io";

// The most a verifying job may write: null_blk keeps it in the guest's memory (boot.sh: 384M).
inline constexpr std::uint64_t kGuestVerifyBytesMax = 128ULL << 20;

// The UML guest's CONFIG_HZ (arch/um sets 100); it times the keep-alive timeout (blk_add_timer).
inline constexpr std::uint32_t kGuestKernelHz = 100;

GuestPlan plan_guest(const sim::Scenario& scenario);

// The simulator side of a comparison runs the scenario's host as the guest kernel it is compared
// with: a host left at the default HZ is given the guest's. Its jobs run as the guest's fio does
// (plan_jobs' fio_global): with per-I/O latency logs, whose growth drains a job's queue now and
// then (sim/fio_lat_log.h).
void match_guest_kernel(sim::Scenario& scenario);

// The kernel's name for a topology ANA state ("optimized", "non-optimized", ...).
std::string nvmet_ana_state(topology::AnaState state);

}  // namespace mpsim::validate
