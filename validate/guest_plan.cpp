// Scenario -> guest plan: the fabric, host connections, iopolicy and fio jobs.
// The fault schedule is mapped in guest_faults.cpp.
#include "validate/guest_plan.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

#include "validate/guest_faults.h"

namespace mpsim::validate {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::int64_t to_ms(policies::Duration d) { return duration_cast<milliseconds>(d).count(); }

[[noreturn]] void refuse(const GuestPlan& plan, const std::string& what) {
  throw GuestPlanError("scenario \"" + plan.name + "\": " + what);
}

std::string shell_key(const std::string& name) {
  std::string key = name;
  std::replace_if(key.begin(), key.end(), [](char c) { return c == '.' || c == '-'; }, '_');
  return key;
}

// A stable UUID from the host name (FNV-1a), so the same scenario always connects as the same host.
std::string host_uuid(const std::string& host) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : host) h = (h ^ c) * 1099511628211ULL;
  char buf[40];
  std::snprintf(buf, sizeof buf, "6d707369-6d00-4%03x-8%03x-%012llx", static_cast<unsigned>(h >> 52),
                static_cast<unsigned>((h >> 40) & 0xfff), static_cast<unsigned long long>(h & 0xffffffffffffULL));
  return buf;
}

// The guest is one host: every job must come from the same one and use the same subsystem.
void pick_host_and_subsystem(const sim::Scenario& s, GuestPlan& plan) {
  if (s.jobs.empty()) refuse(plan, "no jobs");
  plan.host = s.jobs.front().host;
  plan.nqn = s.jobs.front().nqn;
  for (const auto& job : s.jobs) {
    if (job.host != plan.host) refuse(plan, "jobs on hosts \"" + plan.host + "\" and \"" + job.host + "\": the guest is one host");
    if (job.nqn != plan.nqn) refuse(plan, "jobs on subsystems \"" + plan.nqn + "\" and \"" + job.nqn + "\": the guest runs one");
  }
  for (const auto& host : s.topology.hosts()) {
    if (host.name() == plan.host && host.kernel_hz() != 0 && host.kernel_hz() != kGuestKernelHz) {
      refuse(plan, "host \"" + plan.host + "\" has kernel_hz " + std::to_string(host.kernel_hz()) +
                       " but the guest kernel runs HZ=" + std::to_string(kGuestKernelHz));
    }
  }
  plan.hostnqn = "nqn.2026-11.io.mpsim:host-" + plan.host;
  plan.hostid = host_uuid(plan.host);
}

const topology::Subsystem& find_subsystem(const sim::Scenario& s, const GuestPlan& plan) {
  for (const auto& sub : s.topology.subsystems()) {
    if (sub.nqn() == plan.nqn) return sub;
  }
  refuse(plan, "subsystem \"" + plan.nqn + "\" is not in the topology");
}

const topology::TargetPort* find_port(const sim::Scenario& s, const std::string& name, int& id) {
  id = 0;
  for (const auto& node : s.topology.target_nodes()) {
    for (const auto& port : node.ports()) {
      ++id;
      if (node.name() + "." + port.name() == name) return &port;
    }
  }
  return nullptr;
}

// A kernel connect option takes whole seconds; a fractional value cannot be reproduced.
void append_seconds(const GuestPlan& plan, std::string& out, const char* option, double seconds) {
  double whole = std::round(seconds);
  if (std::fabs(whole - seconds) > 1e-9) {
    refuse(plan, std::string("connect option ") + option + " must be whole seconds in the guest, got " + std::to_string(seconds));
  }
  out += std::string(",") + option + "=" + std::to_string(static_cast<long long>(whole < 0 ? -1 : whole));
}

std::string connect_options(const GuestPlan& plan, const topology::ConnectOptions& o) {
  std::string out;
  if (o.has_kato_s()) append_seconds(plan, out, "keep_alive_tmo", o.kato_s());
  if (o.has_reconnect_delay_s()) append_seconds(plan, out, "reconnect_delay", o.reconnect_delay_s());
  if (o.has_ctrl_loss_tmo_s()) append_seconds(plan, out, "ctrl_loss_tmo", o.ctrl_loss_tmo_s());
  if (o.has_fast_io_fail_tmo_s()) append_seconds(plan, out, "fast_io_fail_tmo", o.fast_io_fail_tmo_s());
  if (o.has_nr_io_queues()) out += ",nr_io_queues=" + std::to_string(o.nr_io_queues());
  if (o.has_queue_size()) out += ",queue_size=" + std::to_string(o.queue_size());
  return out;
}

// nvme_core's io_timeout and admin_timeout are module parameters, whole seconds for every
// controller of the kernel: the connections must agree, and a fractional value cannot be set.
void plan_core_timeout(GuestPlan& plan, std::uint32_t& out, const char* option, bool has, double seconds) {
  if (!has) return;
  const double whole = std::round(seconds);
  if (std::fabs(whole - seconds) > 1e-9 || whole < 1) {
    refuse(plan, std::string(option) + " must be whole seconds (>= 1) in the guest (an nvme_core parameter), got " +
                     std::to_string(seconds));
  }
  const auto value = static_cast<std::uint32_t>(whole);
  if (out != 0 && out != value) {
    refuse(plan, std::string("connections ask for ") + option + " " + std::to_string(out) + " and " + std::to_string(value) +
                     ": the guest kernel has one value for all (nvme_core module parameter)");
  }
  out = value;
}

GuestPort make_port(const sim::Scenario& s, const GuestPlan& plan, const std::string& name) {
  GuestPort gp;
  const topology::TargetPort* port = find_port(s, name, gp.id);
  if (port == nullptr) refuse(plan, "port \"" + name + "\" is not in the topology");
  if (!port->trtype().empty() && port->trtype() != "tcp") refuse(plan, "port \"" + name + "\": only tcp ports run in the guest");
  gp.name = name;
  gp.key = shell_key(name);
  gp.traddr = port->traddr();
  gp.trsvcid = port->trsvcid();
  for (const auto& g : port->ana_groups()) gp.ana.emplace_back(g.grpid(), nvmet_ana_state(g.state()));
  return gp;
}

// Connected ports first, in connection order: the kernel's path list follows connect order,
// which is what numa and queue-depth break ties by.
void plan_ports(const sim::Scenario& s, GuestPlan& plan) {
  const auto& sub = find_subsystem(s, plan);
  for (const auto& c : s.topology.connections()) {
    if (c.host() != plan.host || c.nqn() != plan.nqn) continue;
    GuestPort gp = make_port(s, plan, c.port());
    gp.connected = true;
    gp.connect_options = connect_options(plan, c.options());
    plan_core_timeout(plan, plan.io_timeout_s, "io_timeout_s", c.options().has_io_timeout_s(), c.options().io_timeout_s());
    plan_core_timeout(plan, plan.admin_timeout_s, "admin_timeout_s", c.options().has_admin_timeout_s(),
                      c.options().admin_timeout_s());
    plan.ports.push_back(gp);
  }
  if (plan.ports.empty()) refuse(plan, "host \"" + plan.host + "\" has no connection to \"" + plan.nqn + "\"");
  for (const auto& name : sub.ports()) {
    bool known = std::any_of(plan.ports.begin(), plan.ports.end(), [&](const GuestPort& p) { return p.name == name; });
    if (!known) plan.ports.push_back(make_port(s, plan, name));
  }
  std::set<std::string> keys;
  for (const auto& p : plan.ports) {
    if (!keys.insert(p.key).second) refuse(plan, "two ports map to the same guest name \"" + p.key + "\"");
  }
}

// null_blk discards data (unless a job verifies, plan_region), so namespace sizes are not
// reproduced: every device is 1 GiB, or as large as the furthest job region needs.
void plan_namespaces(const sim::Scenario& s, GuestPlan& plan) {
  for (const auto& ns : find_subsystem(s, plan).namespaces()) {
    std::string device = "/dev/nullb" + std::to_string(plan.namespaces.size());
    plan.namespaces.push_back({ns.nsid(), ns.ana_grpid(), device});
  }
  if (plan.namespaces.empty()) refuse(plan, "subsystem \"" + plan.nqn + "\" has no namespace");
  plan.null_blk_devices = static_cast<std::uint32_t>(plan.namespaces.size());
}

// A link's latency beyond the fastest port link becomes a static netem delay on that port.
void plan_link_delays(const sim::Scenario& s, GuestPlan& plan) {
  std::vector<double> latency(plan.ports.size(), -1);
  for (const auto& link : s.topology.links()) {
    for (std::size_t i = 0; i < plan.ports.size(); ++i) {
      if (link.a() == plan.ports[i].name || link.b() == plan.ports[i].name) latency[i] = link.latency_us();
    }
  }
  double fastest = 1e300;
  for (double l : latency) {
    if (l >= 0) fastest = std::min(fastest, l);
  }
  for (std::size_t i = 0; i < plan.ports.size(); ++i) {
    if (latency[i] >= 0) plan.ports[i].delay_us = std::llround(latency[i] - fastest);
  }
}

void plan_policy(const sim::Scenario& s, GuestPlan& plan) {
  policies::PolicyConfig policy = s.policy;
  for (const auto& o : s.overrides) {
    if ((o.host.empty() || o.host == plan.host) && (o.nqn.empty() || o.nqn == plan.nqn)) {
      policy = o.policy;
      break;
    }
  }
  if (is_dm_policy(policy.name)) {
    plan.dm = plan_guest_dm(policy, plan.name);
    plan.iopolicy = policy.name;
    return;
  }
  static const std::set<std::string> linux_policies = {"numa", "round-robin", "queue-depth"};
  if (!linux_policies.count(policy.name)) refuse(plan, "policy \"" + policy.name + "\" is not a Linux native iopolicy");
  if (!policy.params.empty()) refuse(plan, "policy \"" + policy.name + "\" takes no parameters in the kernel");
  plan.iopolicy = policy.name;
}

const char* fio_rw(sim::RwMode rw) {
  switch (rw) {
    case sim::RwMode::Read: return "read";
    case sim::RwMode::Write: return "write";
    case sim::RwMode::RandRead: return "randread";
    case sim::RwMode::RandWrite: return "randwrite";
    case sim::RwMode::RandRw: return "randrw";
    case sim::RwMode::Rw: return "rw";
  }
  return "randread";
}

std::string ms_option(const char* name, policies::Duration d) { return std::string("--") + name + "=" + std::to_string(to_ms(d)) + "ms"; }

std::size_t namespace_index(const GuestPlan& plan, std::uint32_t nsid) {
  for (std::size_t i = 0; i < plan.namespaces.size(); ++i) {
    if (plan.namespaces[i].nsid == nsid) return i;
  }
  refuse(plan, "job uses nsid " + std::to_string(nsid) + " which \"" + plan.nqn + "\" does not have");
}

// Native multipath: the head /dev/nvme0nN; dm mode: the one map (one namespace only).
std::string plan_device(const GuestPlan& plan, std::size_t ns_index) {
  if (!plan.dm) return "/dev/nvme0n" + std::to_string(ns_index + 1);
  if (plan.namespaces.size() != 1) refuse(plan, "dm mode runs one namespace, the subsystem has " + std::to_string(plan.namespaces.size()));
  return kGuestDmDevice;
}

// fio's size/offset: the job's LBA region. A verifying job needs its data back, so null_blk keeps
// it in the guest's memory (memory_backed): its region must then be given and fit the guest.
void plan_region(GuestPlan& plan, const sim::JobSpec& job, std::vector<std::string>& args) {
  if (job.size != 0) args.push_back("--size=" + std::to_string(job.size));
  if (job.offset != 0) args.push_back("--offset=" + std::to_string(job.offset));
  const std::uint64_t end = job.size != 0 ? job.offset + job.size : 0;
  constexpr std::uint64_t kGiB = 1ULL << 30;
  if (end != 0) plan.null_blk_gb = std::max(plan.null_blk_gb, (end + kGiB - 1) / kGiB);
  if (job.verify.empty()) return;
  if (job.size == 0 || job.size > kGuestVerifyBytesMax) {
    refuse(plan, "job \"" + job.name + "\" verifies its writes: the guest keeps them in memory (null_blk memory_backed), so it needs a size of at most " +
                     std::to_string(kGuestVerifyBytesMax >> 20) + " MiB");
  }
  plan.null_blk_memory_backed = true;
}

void plan_jobs(const sim::Scenario& s, GuestPlan& plan) {
  plan.fio_global = {"--ioengine=libaio", "--direct=1", "--time_based",
                     "--randseed=" + std::to_string(s.seed), std::string("--write_lat_log=") + kGuestLogPrefix,
                     "--log_avg_msec=0", "--log_unix_epoch=1"};
  for (const auto& job : s.jobs) {
    std::vector<std::string> args = {
        "--name=" + shell_key(job.name),
        "--filename=" + plan_device(plan, namespace_index(plan, job.nsid)),
        std::string("--rw=") + fio_rw(job.rw),
        "--bs=" + std::to_string(job.block_size),
        "--iodepth=" + std::to_string(job.iodepth),
        "--numjobs=" + std::to_string(job.numjobs),
        ms_option("runtime", job.runtime)};
    if (job.rw == sim::RwMode::RandRw || job.rw == sim::RwMode::Rw) args.push_back("--rwmixread=" + std::to_string(job.rwmixread));
    if (job.rate_iops > 0) args.push_back("--rate_iops=" + std::to_string(job.rate_iops));
    if (job.iodepth_batch_submit != 1) args.push_back("--iodepth_batch_submit=" + std::to_string(job.iodepth_batch_submit));
    if (job.iodepth_batch_complete_min != 1) {
      args.push_back("--iodepth_batch_complete_min=" + std::to_string(job.iodepth_batch_complete_min));
    }
    if (job.log_entries != 1024) args.push_back("--log_entries=" + std::to_string(job.log_entries));
    // The simulated job stops at its first error unless its continue_on_error says otherwise: fio the same.
    args.push_back(std::string("--continue_on_error=") + sim::fio_word(job.continue_on_error));
    plan_region(plan, job, args);
    if (!job.verify.empty()) {  // read back every iodepth writes; a mismatch is an error
      args.push_back("--verify=" + job.verify);
      args.push_back("--verify_backlog=" + std::to_string(job.iodepth));
    }
    if (job.ramp_time.count() > 0) args.push_back(ms_option("ramp_time", job.ramp_time));
    if (job.start_delay.count() > 0) args.push_back(ms_option("startdelay", job.start_delay));
    plan.fio_jobs.push_back(args);
    plan.run_ms = std::max(plan.run_ms, to_ms(job.start_delay + job.ramp_time + job.runtime));
    plan.measure_from_ms = std::max(plan.measure_from_ms, to_ms(job.start_delay + job.ramp_time));
  }
}

// Ports go behind veth pairs when any of them needs netem, or when the topology's addresses
// cannot all be served on loopback (a non-127 address, or two ports sharing a service id).
// Then every path crosses a veth, so the paths differ only by what the scenario says.
void choose_network(GuestPlan& plan) {
  std::set<std::uint32_t> services;
  bool loopback_ok = true;
  for (const auto& p : plan.ports) {
    loopback_ok = loopback_ok && p.traddr.rfind("127.", 0) == 0 && services.insert(p.trsvcid).second;
  }
  bool needs_netem = std::any_of(plan.ports.begin(), plan.ports.end(), [](const GuestPort& p) { return p.delay_us > 0; }) ||
                     std::any_of(plan.actions.begin(), plan.actions.end(),
                                 [](const GuestAction& a) { return a.command.rfind("net_set ", 0) == 0; });
  plan.net = needs_netem || !loopback_ok ? GuestNet::Veth : GuestNet::Loopback;
}

}  // namespace

std::string nvmet_ana_state(topology::AnaState state) {
  switch (state) {
    case topology::OPTIMIZED: return "optimized";
    case topology::NON_OPTIMIZED: return "non-optimized";
    case topology::INACCESSIBLE: return "inaccessible";
    case topology::PERSISTENT_LOSS: return "persistent-loss";
    case topology::CHANGE: return "change";
    default: throw GuestPlanError("ANA state " + std::to_string(static_cast<int>(state)) + " has no nvmet equivalent");
  }
}

std::vector<std::string> GuestPlan::kernel_args() const {
  std::vector<std::string> args = {"null_blk.nr_devices=" + std::to_string(null_blk_devices),
                                   "null_blk.gb=" + std::to_string(null_blk_gb)};
  if (null_blk_memory_backed) args.push_back("null_blk.memory_backed=1");
  if (dm) args.push_back("nvme_core.multipath=N");
  // nvme_core is built in: its parameters go on the command line (nvme_io_timeout, nvme_admin_timeout).
  if (io_timeout_s != 0) args.push_back("nvme_core.io_timeout=" + std::to_string(io_timeout_s));
  if (admin_timeout_s != 0) args.push_back("nvme_core.admin_timeout=" + std::to_string(admin_timeout_s));
  return args;
}

std::string GuestPlan::device() const { return dm ? kGuestDmDevice : "/dev/nvme0n1"; }

void match_guest_kernel(sim::Scenario& scenario) {
  for (auto& host : *scenario.topology.mutable_hosts()) {
    if (host.kernel_hz() == 0) host.set_kernel_hz(kGuestKernelHz);
  }
  for (auto& job : scenario.jobs) job.per_io_lat_log = true;  // --write_lat_log --log_avg_msec=0
}

GuestPlan plan_guest(const sim::Scenario& scenario) {
  GuestPlan plan;
  plan.name = scenario.name;
  pick_host_and_subsystem(scenario, plan);
  plan_ports(scenario, plan);
  plan_namespaces(scenario, plan);
  plan_link_delays(scenario, plan);
  plan_policy(scenario, plan);
  plan_jobs(scenario, plan);
  plan_cgroups(scenario, plan);
  plan_fault_actions(scenario, plan);
  choose_network(plan);
  return plan;
}

}  // namespace mpsim::validate
