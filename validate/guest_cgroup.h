// Host cgroups with io.max in the validation guest: the scenario's `cgroups` (sim::CgroupSpec)
// become cgroup v2 groups under the guest's /sys/fs/cgroup with the io controller enabled, each
// io.max line written on the multipath head of its namespace ("MAJ:MIN riops=..", the numbers
// read from /sys/block/nvme0nN/dev once the head exists), and each job joins its group through
// fio's own `cgroup=` option (fio 3.33 finds a cgroup2 mount and writes the job's pid to
// cgroup.procs). After fio, every group's io.max and io.stat go to RESULTS/cgroups.txt, so a
// run shows the limits were in force and what passed them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario.h"

namespace mpsim::validate {

struct GuestPlan;

struct GuestIoMax {
  std::string device;   // "nvme0n1": the head of the namespace
  std::string limits;   // "riops=2000 rbps=max" as written after MAJ:MIN
};

struct GuestCgroup {
  std::string name;     // the directory under /sys/fs/cgroup (the scenario's name, shell-safe)
  std::vector<GuestIoMax> io_max;
};

// Adds the scenario's cgroups on the guest's host to `plan` and `--cgroup=NAME` to the fio jobs
// in them (plan.fio_jobs must be planned, one per scenario job). Throws GuestPlanError for what the
// guest cannot reproduce: target-side QoS (nvmet has none). A cgroup of another host is not the
// guest's and is ignored, as its jobs are not run there.
void plan_cgroups(const sim::Scenario& scenario, GuestPlan& plan);

// The init script's scn_cgroups (after the head appears: mount, create, write io.max) and
// scn_cgroups_done (after fio: record io.max and io.stat), both `:` without cgroups.
std::string render_cgroup_functions(const GuestPlan& plan);

}  // namespace mpsim::validate
