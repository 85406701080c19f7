// The hosts, their namespace heads and jobs, and what the hosts hear from their controllers.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <tuple>

#include "policies/stack_rules.h"
#include "sim/host_side.h"
#include "sim/seeds.h"
#include "topologies/units.h"

namespace mpsim::sim {

HostSide::HostSide(const Scenario& s, std::int64_t end, Scheduler& sched, RunCostMeter& meter)
    : s_(s), end_(end), sample_interval_(std::max<std::int64_t>(1, s.sample_interval.count())), sched_(sched),
      meter_(meter), submit_(sched.add<&HostSide::submit_event>(this)), issued_(sched.add<&HostSide::issued>(this)),
      released_(sched.add<&HostSide::throttle_released>(this)), failed_(sched.add<&HostSide::failed_in_host>(this)) {
  hosts_.reserve(std::size_t(s.topology.hosts_size()));
  for (const auto& h : s.topology.hosts()) {
    std::vector<std::uint32_t> cores, ids;
    for (const auto& n : h.numa_nodes()) {
      cores.push_back(n.cpus());
      ids.push_back(n.id());
    }
    const std::uint64_t pause_seed = splitmix64(s.seed ^ 0x68637075ull) + hosts_.size();  // "hcpu"
    const std::uint64_t sched_seed = splitmix64(s.seed ^ 0x6b656570ull) + hosts_.size();  // "keep"
    hosts_.push_back(
        HostState{h.name(), HostCpu(cores, s.models.host_cpu, pause_seed), std::move(ids), sched_seed, nullptr});
  }
  completion_share_ = s.models.host_cpu.completion_share;
  submitter_keeps_cpu_ = s.models.host_cpu.submitter_keeps_cpu;
}

HostSide::~HostSide() = default;

std::vector<std::uint32_t> HostSide::host_cpus() const {
  std::vector<std::uint32_t> out;
  for (const auto& h : hosts_) out.push_back(h.cpu.cores());
  return out;
}

void HostSide::build(Transport& transport, TargetModel& target, policies::TimerService& timers) {
  transport_ = &transport;
  target_ = &target;
  fault_ghosts_.assign(s_.faults.size(), GhostWrites{});
  build_heads(target, timers);
  build_jobs();
}

void HostSide::build_heads(TargetModel& target, policies::TimerService& timers) {
  const auto& topo = s_.topology;
  Transport& transport = *transport_;
  heads_of_conn_.resize(transport.size());
  // (host, subsystem) -> its connections, in connection order (= head->list order).
  std::map<std::pair<int, std::string>, std::vector<std::uint32_t>> conns_of;
  for (std::uint32_t c = 0; c < transport.size(); ++c)
    conns_of[{transport.conn(c).host, topo.connections(int(c)).nqn()}].push_back(c);
  for (int h = 0; h < topo.hosts_size(); ++h) {
    for (const auto& sub : topo.subsystems()) {
      auto found = conns_of.find({h, sub.nqn()});
      if (found == conns_of.end()) continue;
      const std::vector<std::uint32_t>& conns = found->second;
      const policies::PolicyConfig* policy = &s_.policy;
      for (const auto& o : s_.overrides) {
        if ((o.host.empty() || o.host == topo.hosts(h).name()) && (o.nqn.empty() || o.nqn == sub.nqn())) {
          policy = &o.policy;
          break;
        }
      }
      for (const auto& ns : sub.namespaces()) {
        HeadState hs;
        hs.host = h;
        hs.nqn = sub.nqn();
        hs.nsid = ns.nsid();
        hs.grpid = ns.ana_grpid();
        hs.media = target.media_of(sub.nqn(), ns.nsid(), ns.media());
        hs.size_bytes = topology::parse_size(ns.size());
        policies::HeadConfig cfg;
        cfg.name = topo.hosts(h).name() + ":" + sub.nqn() + "/" + std::to_string(ns.nsid());
        cfg.stack = policies::find_policy(policy->name).stack;
        policies::apply_policy_options(*policy, cfg);  // dm: no_path_retry, polling_interval, checker phase
        // failover_delay is the head's (it holds back the retry on whichever path): the longest
        // of its connections', so a per-host setting and a per-connection one both take effect.
        for (std::uint32_t c : conns) {
          const auto& o = topo.connections(int(c)).options();
          if (o.has_failover_delay_s())
            cfg.failover_delay = std::max(cfg.failover_delay, std::chrono::duration_cast<policies::Duration>(
                                                                  std::chrono::duration<double>(o.failover_delay_s())));
        }
        hs.head = std::make_unique<policies::NamespaceHead>(cfg, policies::make_selector(*policy), timers, *this);
        for (std::uint32_t c : conns) {
          heads_of_conn_[c].push_back(std::uint32_t(heads_.size()));
          const Conn& conn = transport.conn(c);
          hs.head->add_path(*conn.ctrl, ns.ana_grpid(), to_policies(target.port(conn.port).state(ns.ana_grpid())));
          hs.conn_of_path.push_back(c);
        }
        path_ios_.emplace_back(conns.size(), 0);
        heads_.push_back(std::move(hs));
      }
    }
  }
}

void HostSide::build_jobs() {
  std::size_t slots = 0;
  std::uint64_t stream = 0;
  models::TransportModel wire(s_.models.transport);
  std::map<std::tuple<std::string, std::string, std::uint32_t>, std::uint32_t> head_of;
  for (std::uint32_t h = 0; h < heads_.size(); ++h)
    head_of[{hosts_[heads_[h].host].name, heads_[h].nqn, heads_[h].nsid}] = h;
  for (const auto& spec : s_.jobs) {
    auto found = head_of.find({spec.host, spec.nqn, spec.nsid});
    const std::uint32_t head = found == head_of.end() ? UINT32_MAX : found->second;
    if (head == UINT32_MAX)
      throw std::invalid_argument("job \"" + spec.name + "\": host \"" + spec.host + "\" has no connection to " +
                                  spec.nqn + " namespace " + std::to_string(spec.nsid));
    if (spec.iodepth == 0 || spec.block_size == 0 || spec.numjobs == 0)
      throw std::invalid_argument("job \"" + spec.name + "\": iodepth, bs and numjobs must be > 0");
    for (std::uint32_t i = 0; i < spec.numjobs; ++i) {
      JobRun j;
      j.name = spec.numjobs > 1 ? spec.name + "." + std::to_string(i) : spec.name;
      j.spec = &spec;
      j.head = head;
      j.host = heads_[head].host;
      if (spec.numa_pinned) {
        const auto& ids = hosts_[j.host].numa_ids;
        const auto node = std::find(ids.begin(), ids.end(), std::uint32_t(spec.numa_node));
        if (spec.numa_node < 0 || node == ids.end())
          throw std::invalid_argument("job \"" + spec.name + "\": host \"" + spec.host + "\" has no NUMA node " +
                                      std::to_string(spec.numa_node));
        j.cpu_node = int(node - ids.begin());
      }
      j.one_core = hosts_[j.host].cpu.cores(j.cpu_node) == 1;
      j.clone = i;
      j.rng.seed(splitmix64(s_.seed + 0x9E3779B97F4A7C15ull * ++stream));
      j.start = spec.start_delay.count();
      j.measure_from = j.start + spec.ramp_time.count();
      j.end = spec.runtime.count() > 0 ? std::min(end_, j.measure_from + spec.runtime.count()) : end_;
      j.rate_gap = spec.rate_iops ? std::int64_t(1'000'000'000 / spec.rate_iops) : 0;
      j.next_allowed = j.start;
      const std::uint64_t ns_bytes = heads_[head].size_bytes;
      if (spec.offset >= ns_bytes && spec.offset > 0)
        throw std::invalid_argument("job \"" + spec.name + "\": offset is beyond its namespace");
      const std::uint64_t region = spec.size ? spec.size : ns_bytes - spec.offset;
      if (spec.offset + region > ns_bytes)
        throw std::invalid_argument("job \"" + spec.name + "\": offset + size is beyond its namespace");
      j.region_base = spec.offset;
      j.region_blocks = std::max<std::uint64_t>(1, region / spec.block_size);
      IoProfile p;
      p.wire[0] = wire.io_cost(false, spec.block_size);
      p.wire[1] = wire.io_cost(true, spec.block_size);
      p.host_call_ns = std::llround(s_.models.host_cpu.per_call_us * 1000.0);
      for (const bool read : {false, true}) {
        p.host_cpu_ns[read] = models::cpu_cost_ns(s_.models.host_cpu, spec.block_size, read);
        p.target_cpu_ns[read] = models::cpu_cost_ns(s_.models.target_cpu, spec.block_size, read);
      }
      p.grpid = heads_[head].grpid;
      const HeadState& hs = heads_[head];
      p.media = target_->channel(hs.media, hs.nqn, hs.nsid, hosts_[j.host].name);
      p.written_ns = namespace_key(hs.nqn, hs.nsid);
      if (ns_of_channel_.size() <= p.media) ns_of_channel_.resize(p.media + 1);
      ns_of_channel_[p.media] = p.written_ns;
      const std::uint32_t hz = s_.topology.hosts(j.host).kernel_hz();
      qos_.add_job(s_.cgroups, spec.cgroup, hosts_[j.host].name, head, hs.nqn, hs.nsid, hz ? hz : 250);
      pool_.add_profile(p);  // index = job index
      slots += spec.iodepth;
      heads_[head].jobs.push_back(std::uint32_t(jobs_.size()));
      jobs_.push_back(std::move(j));
    }
  }
  pool_.reserve_once(slots);
}

std::pair<std::int64_t, std::int64_t> HostSide::measure_window() const {
  std::int64_t from = end_, to = 0;
  for (const auto& j : jobs_) {
    from = std::min(from, j.measure_from);
    to = std::max(to, j.end);
  }
  return {from, to};
}

void HostSide::start() {
  for (std::uint32_t j = 0; j < jobs_.size(); ++j) sched_.at(jobs_[j].start, submit_, j, 0);
}

void HostSide::on_state_change(const policies::Controller& c, policies::ControllerState from,
                               policies::ControllerState to, std::string_view why) {
  const std::uint32_t conn = transport_->conn_of(c);
  const std::int64_t now = sched_.now();
  metrics_->event(now, "ctrl-state", c.name(),
                  std::string(policies::to_string(from)) + "->" + std::string(policies::to_string(to)) +
                      (why.empty() ? "" : " (" + std::string(why) + ")"));
  metrics_->controller_changed(now, conn);
  if (to != policies::ControllerState::Live) return;
  for (std::uint32_t h : heads_of_conn_[conn]) {
    if (heads_[h].device_ready) continue;
    heads_[h].device_ready = true;  // the first live path creates the device: waiting jobs start
    for (std::uint32_t j : heads_[h].jobs) refill_.push_back(j);
  }
}

void HostSide::on_ana_change(const policies::Path& p, policies::AnaState from, policies::AnaState to) {
  const std::uint32_t conn = transport_->conn_of(*p.ctrl);
  metrics_->event(sched_.now(), "ana", p.ctrl->name(),
                  p.head->name() + " grp " + std::to_string(p.ana_grpid) + ": " +
                      std::string(policies::to_string(from)) + "->" + std::string(policies::to_string(to)));
  metrics_->controller_changed(sched_.now(), conn);
}

}  // namespace mpsim::sim
