#include "sim/world.h"

#include <cmath>
#include <ctime>

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "topologies/topology.h"
#include "topologies/units.h"

namespace mpsim::sim {

namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

policies::Duration seconds(double s) {
  return std::chrono::duration_cast<policies::Duration>(std::chrono::duration<double>(s));
}

// nvme connect options over the kernel's defaults (ControllerConfig's own); an unset
// nr_io_queues means one queue per host CPU. (topology::effective_options says the same, but
// looks the host up by name for every connection.)
policies::ControllerConfig controller_config(const topology::ConnectOptions& o, const topology::Host& host,
                                             std::uint32_t host_cpus) {
  policies::ControllerConfig cfg;
  if (o.has_kato_s()) cfg.kato = seconds(o.kato_s());
  if (o.has_reconnect_delay_s()) cfg.reconnect_delay = seconds(o.reconnect_delay_s());
  if (o.has_ctrl_loss_tmo_s()) cfg.ctrl_loss_tmo = seconds(o.ctrl_loss_tmo_s());
  if (o.has_fast_io_fail_tmo_s()) cfg.fast_io_fail_tmo = seconds(o.fast_io_fail_tmo_s());
  if (o.has_io_timeout_s()) cfg.io_timeout = seconds(o.io_timeout_s());
  if (o.has_admin_timeout_s()) cfg.admin_timeout = seconds(o.admin_timeout_s());
  if (o.has_queue_size()) cfg.queue_size = o.queue_size();
  cfg.nr_io_queues = o.has_nr_io_queues() ? o.nr_io_queues() : host_cpus;
  cfg.tbkas = true;  // every target is nvmet, which advertises CTRATT.TBKAS (admin-cmd.c)
  if (host.kernel_hz() != 0) cfg.request_timer.hz = host.kernel_hz();  // else the policies' default
  return cfg;
}

std::int64_t run_length(const Scenario& s) {
  if (s.duration.count() > 0) return s.duration.count();
  std::int64_t end = 0;
  for (const auto& j : s.jobs) end = std::max(end, (j.start_delay + j.ramp_time + j.runtime).count());
  if (end <= 0) throw std::invalid_argument("scenario \"" + s.name + "\": no duration and no job runtime");
  return end;
}

}  // namespace

policies::AnaState to_policies(topology::AnaState s) {
  switch (s) {
    case topology::OPTIMIZED: return policies::AnaState::Optimized;
    case topology::NON_OPTIMIZED: return policies::AnaState::NonOptimized;
    case topology::PERSISTENT_LOSS: return policies::AnaState::PersistentLoss;
    case topology::CHANGE: return policies::AnaState::Change;
    default: return policies::AnaState::Inaccessible;
  }
}

topology::AnaState PortState::state(std::uint32_t grpid) const {
  for (const auto& [g, st] : ana) {
    if (g == grpid) return st;
  }
  return topology::INACCESSIBLE;
}

World::World(const Scenario& s)
    : s_(s), end_(run_length(s)), fabric_(s.topology), transport_(s.models.transport),
      media_rng_(splitmix64(s.seed ^ 0x6D65646961ull)) {
  if (s.timeline_interval.count() <= 0) throw std::invalid_argument("scenario: timeline_interval must be > 0");
  for (const auto& h : s.topology.hosts()) {
    std::uint32_t cpus = 0;
    for (const auto& n : h.numa_nodes()) cpus += n.cpus();
    const std::uint64_t pause_seed = splitmix64(s.seed ^ 0x68637075ull) + hosts_.size();  // "hcpu"
    hosts_.push_back(HostState{h.name(), CpuPool(cpus, s.models.host_cpu, pause_seed)});
  }
  platform_ = std::make_unique<Platform>(s.topology, fabric_, *this);
  build_targets();
  build_connections();
  build_heads();
  build_jobs();
  actions_ = plan_faults(s.faults, end_);
  for (std::uint32_t c = 0; c < fabric_.size(); ++c) nominal_.emplace_back(fabric_.comp(c).bps, fabric_.comp(c).latency_ns);
  build_fault_tracks();
}

// Controllers and heads cancel their timers when destroyed: they go before the timer table.
World::~World() {
  heads_.clear();
  conns_.clear();
}

void World::build_targets() {
  for (const auto& node : s_.topology.target_nodes()) {
    const std::uint64_t pause_seed = splitmix64(s_.seed ^ 0x74637075ull) + nodes_.size();  // "tcpu"
    nodes_.push_back(NodeState{1, CpuPool(node.cpus(), s_.models.target_cpu, pause_seed)});
    for (const auto& port : node.ports()) {
      PortState p{*fabric_.find(topology::port_id(node, port)), int(nodes_.size() - 1), {}, {}, {}};
      for (const auto& g : port.ana_groups()) p.ana.emplace_back(g.grpid(), g.state());
      p.initial = p.ana;
      port_of_comp_[p.comp] = std::uint32_t(ports_.size());
      ports_.push_back(std::move(p));
    }
  }
}

void World::build_connections() {
  const auto& topo = s_.topology;
  std::map<std::string, int> name_count;
  for (const auto& c : topo.connections()) ++name_count[c.host() + "/" + c.port()];
  std::map<std::string, int> host_index;
  for (int h = 0; h < topo.hosts_size(); ++h) host_index[topo.hosts(h).name()] = h;
  for (const auto& c : topo.connections()) {
    Conn k;
    auto host = host_index.find(c.host());
    k.host = host == host_index.end() ? -1 : host->second;
    if (k.host < 0) throw std::invalid_argument("connection: unknown host \"" + c.host() + "\"");
    k.name = c.host() + "/" + c.port();
    if (name_count[k.name] > 1) k.name += "/" + c.nqn();
    k.route = fabric_.route(c);
    k.port = port_of_comp_.at(*fabric_.find(c.port()));
    const auto* sub = topology::find_subsystem(topo, c.nqn());
    if (!sub) throw std::invalid_argument("connection " + k.name + ": unknown subsystem \"" + c.nqn() + "\"");
    for (const auto& ns : sub->namespaces()) k.grpids.push_back(ns.ana_grpid());
    std::sort(k.grpids.begin(), k.grpids.end());
    k.grpids.erase(std::unique(k.grpids.begin(), k.grpids.end()), k.grpids.end());
    policies::ControllerConfig cfg = controller_config(c.options(), topo.hosts(k.host), std::uint32_t(hosts_[k.host].cpu.cores()));
    cfg.anatt = std::chrono::seconds(10);  // nvmet's Identify Controller ANATT
    const auto index = std::uint32_t(conns_.size());
    ports_[k.port].conns.push_back(index);
    conns_.push_back(std::move(k));
    Conn& stored = conns_.back();
    stored.ctrl = std::make_unique<policies::Controller>(stored.name, cfg, *this, *this, this);
  }
  for (std::uint32_t i = 0; i < conns_.size(); ++i) conn_by_ctrl_[conns_[i].ctrl.get()] = i;
}

void World::build_heads() {
  const auto& topo = s_.topology;
  heads_of_conn_.resize(conns_.size());
  std::map<std::pair<std::string, std::uint32_t>, std::uint32_t> media_of;
  // (host, subsystem) -> its connections, in connection order (= head->list order).
  std::map<std::pair<int, std::string>, std::vector<std::uint32_t>> conns_of;
  for (std::uint32_t c = 0; c < conns_.size(); ++c) conns_of[{conns_[c].host, topo.connections(int(c)).nqn()}].push_back(c);
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
        auto key = std::make_pair(sub.nqn(), ns.nsid());
        if (!media_of.count(key)) {
          auto m = s_.models.media.find(ns.media());
          if (m == s_.models.media.end())
            throw std::invalid_argument("namespace " + sub.nqn() + "/" + std::to_string(ns.nsid()) +
                                        ": unknown media model \"" + ns.media() + "\"");
          models::MediaModel model(m->second);
          MediaState st{model, {}};
          for (std::uint32_t u = 0; u < model.parallelism(); ++u) st.free_at.push(0);
          media_of[key] = std::uint32_t(media_.size());
          media_.push_back(std::move(st));
        }
        HeadState hs;
        hs.host = h;
        hs.nqn = sub.nqn();
        hs.nsid = ns.nsid();
        hs.grpid = ns.ana_grpid();
        hs.media = media_of[key];
        hs.size_bytes = topology::parse_size(ns.size());
        policies::HeadConfig cfg;
        cfg.name = topo.hosts(h).name() + ":" + sub.nqn() + "/" + std::to_string(ns.nsid());
        cfg.stack = policies::find_policy(policy->name).stack;
        hs.head = std::make_unique<policies::NamespaceHead>(cfg, policies::make_selector(*policy), *this, *this);
        for (std::uint32_t c : conns) {
          heads_of_conn_[c].push_back(std::uint32_t(heads_.size()));
          const auto& port = ports_[conns_[c].port];
          hs.head->add_path(*conns_[c].ctrl, ns.ana_grpid(), to_policies(port.state(ns.ana_grpid())));
          hs.conn_of_path.push_back(c);
        }
        path_ios_.emplace_back(conns.size(), 0);
        heads_.push_back(std::move(hs));
      }
    }
  }
}

void World::build_jobs() {
  std::size_t slots = 0;
  std::uint64_t stream = 0;
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
      j.clone = i;
      j.rng.seed(splitmix64(s_.seed + 0x9E3779B97F4A7C15ull * ++stream));
      j.start = spec.start_delay.count();
      j.measure_from = j.start + spec.ramp_time.count();
      j.end = spec.runtime.count() > 0 ? std::min(end_, j.measure_from + spec.runtime.count()) : end_;
      j.rate_gap = spec.rate_iops ? std::int64_t(1'000'000'000 / spec.rate_iops) : 0;
      j.next_allowed = j.start;
      j.wire[0] = transport_.io_cost(false, spec.block_size);
      j.wire[1] = transport_.io_cost(true, spec.block_size);
      j.host_call_ns = std::llround(s_.models.host_cpu.per_call_us * 1000.0);
      for (const bool read : {false, true}) {
        j.host_cpu_ns[read] = models::cpu_cost_ns(s_.models.host_cpu, spec.block_size, read);
        j.target_cpu_ns[read] = models::cpu_cost_ns(s_.models.target_cpu, spec.block_size, read);
      }
      slots += spec.iodepth;
      heads_[head].jobs.push_back(std::uint32_t(jobs_.size()));
      jobs_.push_back(std::move(j));
    }
  }
  // Fixed pool: a job never has more than iodepth I/Os outstanding, and the library keeps
  // pointers into it, so it must never reallocate.
  slots_.resize(slots);
  for (std::size_t i = slots; i-- > 0;) free_slots_.push_back(std::uint32_t(i));
}

std::uint32_t World::conn_of(const policies::Controller& c) const {
  auto it = conn_by_ctrl_.find(&c);
  if (it == conn_by_ctrl_.end()) throw std::logic_error("transport: unknown controller " + c.name());
  return it->second;
}

void World::start() {
  for (auto& c : conns_) c.ctrl->start();
  for (std::uint32_t j = 0; j < jobs_.size(); ++j) cal_.push(jobs_[j].start, EventKind::Submit, j, 0);
}

void World::run_until(std::int64_t t) {
  while (!cal_.empty() && cal_.top_time() < t) {
    const Event e = cal_.pop();
    now_ = e.time;
    fabric_.set_now(now_);
    ++events_;
    handle(e);
    drain_refills();
  }
  now_ = std::max(now_, t);
}

void World::handle(const Event& e) {
  switch (e.kind) {
    case EventKind::IoAtTarget: return io_at_target(e.a, e.tag);
    case EventKind::MediaDone: return media_done(e.a, e.tag);
    case EventKind::IoDone: return io_done(e.a, e.tag);
    case EventKind::Submit:
      if (!io_started_) note_io_start();
      jobs_[e.a].submit_scheduled = false;
      return try_submit(e.a);
    case EventKind::Issued: return issued(e.a, e.tag);
    case EventKind::Timer: return fire_timer(e.a, e.tag);
    case EventKind::ConnectAtTarget: return connect_at_target(e.a, e.tag);
    case EventKind::ConnectReply: return connect_reply(e.a, e.tag);
    case EventKind::ConnectTimeout: return connect_timeout(e.a, e.tag);
    case EventKind::ConnectRetry: return connect_retry(e.a, e.tag);
    case EventKind::KeepAliveAtTarget: return keep_alive_at_target(e.a, e.tag);
    case EventKind::KeepAliveReply: return keep_alive_reply(e.a, e.tag);
    case EventKind::AnaLogAtTarget: return ana_log_at_target(e.a, e.tag);
    case EventKind::AnaLogReply: return ana_log_reply(e.a, e.tag);
    case EventKind::Aen: return aen(e.a, e.tag);
    case EventKind::Reset: return reset_arrived(e.a, e.tag);
  }
}

double process_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

void World::note_io_start() {
  io_started_ = true;
  io_start_wall_ = std::chrono::steady_clock::now();
  io_start_cpu_s_ = process_cpu_s();
  events_before_io_ = events_ - 1;
}

policies::TimerService::TimerId World::schedule_after(policies::Duration delay, std::function<void()> fn) {
  std::uint32_t slot;
  if (!free_timers_.empty()) {
    slot = free_timers_.back();
    free_timers_.pop_back();
  } else {
    slot = std::uint32_t(timers_.size());
    timers_.emplace_back();
  }
  timers_[slot].fn = std::move(fn);
  const std::uint32_t gen = timers_[slot].gen;
  cal_.push(now_ + std::max<std::int64_t>(delay.count(), 0), EventKind::Timer, slot, gen);
  return (TimerId(gen) << 32) | slot;
}

// Lazy deletion: the calendar entry stays; a generation mismatch makes it a no-op.
void World::cancel(TimerId id) {
  const auto slot = std::uint32_t(id & 0xFFFFFFFFu);
  const auto gen = std::uint32_t(id >> 32);
  if (id == kNoTimer || slot >= timers_.size() || timers_[slot].gen != gen) return;
  timers_[slot].fn = nullptr;
  ++timers_[slot].gen;
  free_timers_.push_back(slot);
}

void World::fire_timer(std::uint32_t slot, std::uint32_t gen) {
  if (timers_[slot].gen != gen) return;
  std::function<void()> fn = std::move(timers_[slot].fn);
  timers_[slot].fn = nullptr;
  ++timers_[slot].gen;
  free_timers_.push_back(slot);
  fn();
}

void World::on_state_change(const policies::Controller& c, policies::ControllerState from,
                            policies::ControllerState to, std::string_view why) {
  const std::uint32_t conn = conn_of(c);
  metrics_->event(now_, "ctrl-state", c.name(),
                  std::string(policies::to_string(from)) + "->" + std::string(policies::to_string(to)) +
                      (why.empty() ? "" : " (" + std::string(why) + ")"));
  metrics_->controller_changed(now_, conn);
  if (to != policies::ControllerState::Live) return;
  for (std::uint32_t h : heads_of_conn_[conn]) {
    if (heads_[h].device_ready) continue;
    heads_[h].device_ready = true;  // the first live path creates the device: waiting jobs start
    for (std::uint32_t j : heads_[h].jobs) refill_.push_back(j);
  }
}

void World::on_ana_change(const policies::Path& p, policies::AnaState from, policies::AnaState to) {
  const std::uint32_t conn = conn_of(*p.ctrl);
  metrics_->event(now_, "ana", p.ctrl->name(),
                  p.head->name() + " grp " + std::to_string(p.ana_grpid) + ": " +
                      std::string(policies::to_string(from)) + "->" + std::string(policies::to_string(to)));
  metrics_->controller_changed(now_, conn);
}

void World::on_component_state(std::uint32_t comp, bool up) {
  fabric_.set_state(comp, up, now_);
  const Component& c = fabric_.comp(comp);
  if (c.kind == CompKind::Node && !up) ++nodes_[c.node].generation;  // a crashed target forgets
}

void World::on_component_rate(std::uint32_t comp, double bps, double latency_ns) {
  fabric_.set_rate(comp, bps, latency_ns);
}

}  // namespace mpsim::sim
