// The guest's dm-multipath mode: a scenario whose policy is one of policies/' dm selectors runs
// with native NVMe multipath off (nvme_core.multipath=N), so every controller has its own
// namespace device, and Debian's multipathd (multipath-tools, the host's binary through hostfs)
// builds one dm map over them from a generated multipath.conf.
//
//   GuestDm dm = plan_guest_dm(policy, "scenario-name");  // throws GuestPlanError
//   std::string conf = dm_multipath_conf(dm);             // written into the guest's private /etc
//
// The map is the guest's only dm device, so fio reads /dev/dm-0.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policies/selector.h"

namespace mpsim::validate {

struct GuestDm {
  std::string path_selector;     // the dm table's selector with its argument count: "service-time 0"
  std::string grouping;          // multipath.conf path_grouping_policy: group_by_prio | multibus | failover
  std::string failback;          // manual | immediate
  std::string no_path_retry;     // fail | queue | N (checker intervals)
  std::uint32_t polling_interval_s = 5;
};

// The block device fio uses in dm mode.
inline constexpr const char* kGuestDmDevice = "/dev/dm-0";
// The host package whose multipathd the guest runs.
inline constexpr const char* kGuestDmPackage = "multipath-tools";

bool is_dm_policy(const std::string& name);

// `policy` is a dm-* policy with its parameters as written in the experiment (defaults are
// policies/' own); parameters multipath-tools cannot express (a per-path relative_throughput,
// repeat_count > 1) are refused with the scenario's name.
GuestDm plan_guest_dm(const policies::PolicyConfig& policy, const std::string& scenario);

// multipath.conf for the guest: the scenario's selector, `prio ana`, grouping, failback,
// no_path_retry and polling interval in `overrides` (they beat multipath-tools' built-in NVMe
// entry, which says failback immediate), every nvme device taken as a path without udev.
std::string dm_multipath_conf(const GuestDm& dm);

// multipathd's checker loop in the guest, from its log (`multipathd -v3`: "<uptime s> | <msg>")
// and the kernel time at T0 (t0_uptime): the ticks that checked paths, in ms since T0. A tick is
// the first of its path-check lines ("nvme0n1: none state = up", "nvme1n1: state down, checker
// not called"); lines within 100 ms of it belong to the same tick. Malformed lines are skipped.
std::vector<std::int64_t> multipathd_checker_ticks_ms(std::string_view log, double t0_uptime_s);

// The init script's dm variables (SCN_DM_CONF) and the line boot.sh reads to install the
// host package multipathd comes from ("# host-packages: multipath-tools").
std::string dm_init_vars(const GuestDm& dm);

}  // namespace mpsim::validate
