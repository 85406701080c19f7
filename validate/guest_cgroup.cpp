#include "validate/guest_cgroup.h"

#include <cctype>
#include <sstream>

#include "validate/guest_plan.h"
#include "validate/guest_script.h"

namespace mpsim::validate {
namespace {

constexpr const char* kCgroupRoot = "/sys/fs/cgroup";

std::string limit(const char* key, std::uint64_t v) { return std::string(key) + "=" + (v ? std::to_string(v) : "max"); }

std::string cgroup_dir(const std::string& name) { return std::string(kCgroupRoot) + "/" + name; }

}  // namespace

void plan_cgroups(const sim::Scenario& s, GuestPlan& plan) {
  if (!s.target_qos.empty())
    throw GuestPlanError("scenario \"" + plan.name + "\": target_qos (SPDK bdev QoS) has no nvmet equivalent in the guest");
  for (const sim::CgroupSpec& c : s.cgroups) {
    if (c.host != plan.host) continue;
    GuestCgroup g;
    g.name = c.name;
    for (char& ch : g.name) {
      const bool safe = std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
      if (!safe) ch = '_';
    }
    for (const sim::IoMaxSpec& m : c.io_max) {
      if (m.nqn != plan.nqn) continue;  // a subsystem the guest does not connect to
      std::size_t index = plan.namespaces.size();
      for (std::size_t i = 0; i < plan.namespaces.size(); ++i) {
        if (plan.namespaces[i].nsid == m.nsid) index = i;
      }
      if (index == plan.namespaces.size())
        throw GuestPlanError("scenario \"" + plan.name + "\": cgroup \"" + c.name + "\" limits nsid " +
                             std::to_string(m.nsid) + " which the guest does not export");
      g.io_max.push_back({"nvme0n" + std::to_string(index + 1), limit("riops", m.riops) + " " + limit("wiops", m.wiops) +
                                                                   " " + limit("rbps", m.rbps) + " " + limit("wbps", m.wbps)});
    }
    for (std::size_t j = 0; j < s.jobs.size() && j < plan.fio_jobs.size(); ++j) {
      if (s.jobs[j].cgroup == c.name) plan.fio_jobs[j].push_back("--cgroup=" + g.name);
    }
    plan.cgroups.push_back(std::move(g));
  }
}

std::string render_cgroup_functions(const GuestPlan& plan) {
  std::ostringstream out;
  out << "scn_cgroups() {\n";
  if (!plan.cgroups.empty()) {
    out << "  mount -t cgroup2 cgroup2 " << kCgroupRoot << " || fail \"mount cgroup2\"\n"
        << "  echo +io >" << kCgroupRoot << "/cgroup.subtree_control || fail \"enable the io controller\"\n"
        << "  local majmin\n";
    for (const GuestCgroup& g : plan.cgroups) {
      const std::string dir = cgroup_dir(g.name);
      out << "  mkdir -p " << shell_quote(dir) << " || fail " << shell_quote("mkdir " + dir) << "\n";
      for (const GuestIoMax& m : g.io_max) {
        out << "  read -r majmin </sys/block/" << m.device << "/dev || fail " << shell_quote("no " + m.device) << "\n"
            << "  echo \"$majmin " << m.limits << "\" >" << shell_quote(dir + "/io.max") << " || fail "
            << shell_quote("io.max of " + g.name) << "\n";
      }
    }
  }
  out << "  :\n}\n";
  out << "scn_cgroups_done() {\n";
  for (const GuestCgroup& g : plan.cgroups) {
    const std::string dir = cgroup_dir(g.name);
    out << "  { echo \"[" << g.name << "] io.max\"; cat " << shell_quote(dir + "/io.max") << "; echo \"[" << g.name
        << "] io.stat\"; cat " << shell_quote(dir + "/io.stat") << "; } >>\"$SCN_RESULTS/cgroups.txt\" 2>&1\n";
  }
  out << "  :\n}\n";
  return out.str();
}

}  // namespace mpsim::validate
