#include "sim/world.h"

#include <ctime>

#include <algorithm>
#include <utility>
#include <stdexcept>

namespace mpsim::sim {

namespace {

std::int64_t run_length(const Scenario& s) {
  if (s.duration.count() > 0) return s.duration.count();
  std::int64_t end = 0;
  for (const auto& j : s.jobs) end = std::max(end, (j.start_delay + j.ramp_time + j.runtime).count());
  if (end <= 0) throw std::invalid_argument("scenario \"" + s.name + "\": no duration and no job runtime");
  return end;
}

}  // namespace

double process_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// The order matters: the transport's controllers need the hosts' CPU counts and observe the
// host side; heads need the controllers; metrics need the jobs' window; fault tracks need the
// connections' routes.
World::World(const Scenario& s) : s_(s), end_(run_length(s)), timers_(sched_), fabric_(s.topology) {
  if (s.timeline_interval.count() <= 0) throw std::invalid_argument("scenario: timeline_interval must be > 0");
  hosts_ = std::make_unique<HostSide>(s, end_, sched_, meter_);
  platform_ = std::make_unique<Platform>(s.topology, fabric_, *this);
  target_ = std::make_unique<TargetModel>(s.topology, s.models, s.seed);
  target_->set_qos(s.target_qos);
  transport_ = std::make_unique<Transport>(s, sched_, fabric_, *target_, hosts_->pool(), hosts_->host_cpus(), timers_,
                                           *hosts_, *hosts_);
  hosts_->build(*transport_, *target_, timers_);
  target_->reserve_slots(hosts_->pool().slots().size());
  actions_ = plan_faults(s.faults, end_);
  std::vector<std::string> names;
  for (std::uint32_t c = 0; c < transport_->size(); ++c) names.push_back(transport_->conn(c).name);
  const auto [from, to] = hosts_->measure_window();
  metrics_ = std::make_unique<Metrics>(hosts_->hosts().size(), transport_->size(), s.timeline_interval.count(), from,
                                       to, std::move(names), end_);
  hosts_->set_metrics(*metrics_);
  faults_ = std::make_unique<FaultApplier>(s, end_, sched_, fabric_, *platform_, *target_, *transport_, *metrics_,
                                           hosts_->hosts().size());
  if (s.check_invariants) invariants_ = std::make_unique<InvariantChecker>(s, end_, *hosts_, *transport_, *metrics_);
}

// Heads before controllers, both before the timers they cancel.
World::~World() {
  if (hosts_) hosts_->destroy_heads();
  if (transport_) transport_->destroy_controllers();
}

void World::start() {
  for (std::uint32_t c = 0; c < transport_->size(); ++c) transport_->conn(c).ctrl->start();
  hosts_->start();
}

void World::run_until(std::int64_t t) {
  Event e;
  while (sched_.pop_before(t, e)) {
    fabric_.set_now(e.time);
    sched_.dispatch(e);
    hosts_->drain_refills();
    if (invariants_) invariants_->after_event(e);
    if (s_.progress && (++events_since_progress_ & 0x3FFF) == 0) {
      s_.progress->simulated_ns.store(e.time, std::memory_order_relaxed);
      s_.progress->completed_ios.store(hosts_->ledger().completed, std::memory_order_relaxed);
    }
  }
  sched_.advance_to(t);
}

RunResult World::result() {
  fabric_.release_schedules();  // nothing crosses a cable any more; the result reads none of it
  return assemble_result(s_, end_, *hosts_, *transport_, *metrics_, meter_.cost(sched_.events()));
}

void World::on_component_state(std::uint32_t comp, bool up) {
  fabric_.set_state(comp, up, sched_.now());
  const Component& c = fabric_.comp(comp);
  if (c.kind == CompKind::Node && !up) target_->node_down(c.node);  // a crashed target forgets
}

void World::on_component_rate(std::uint32_t comp, double bps, double latency_ns) {
  fabric_.set_rate(comp, bps, latency_ns);
}

}  // namespace mpsim::sim
