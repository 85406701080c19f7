// After the run: the ledger check and the RunResult.
#include <stdexcept>

#include "sim/world.h"
#include "topologies/topology.h"

namespace mpsim::sim {

namespace {

std::string policy_label(const policies::PolicyConfig& p) {
  if (p.params.empty()) return p.name;
  std::string out = p.name + "(";
  bool first = true;
  for (const auto& [k, v] : p.params) {
    out += (first ? "" : ",") + k + "=" + v;
    first = false;
  }
  return out + ")";
}

DirectionStats direction(const DirectionStats& d, const Histogram& h, std::int64_t runtime) {
  DirectionStats out = d;
  out.runtime = Duration(std::max<std::int64_t>(runtime, 0));
  out.clat = h.stats();
  out.lat = out.clat;
  return out;
}

}  // namespace

RunCost World::run_cost() const {
  using Seconds = std::chrono::duration<double>;
  const auto now = std::chrono::steady_clock::now();
  const auto io_start = io_started_ ? io_start_wall_ : now;
  RunCost c;
  c.setup_wall_s = Seconds(io_start - created_wall_).count();
  c.io_wall_s = Seconds(now - io_start).count();
  c.io_cpu_s = io_started_ ? process_cpu_s() - io_start_cpu_s_ : 0;
  c.events = events_;
  c.events_before_io = io_started_ ? events_before_io_ : events_;
  return c;
}

RunResult World::result() {
  RunResult r;
  r.scenario = s_.name;
  r.policy = policy_label(s_.policy);
  r.seed = s_.seed;
  r.simulated = Duration(end_);
  r.simulated_ios = attempts_;
  r.cost = run_cost();

  std::uint64_t live = 0;
  for (const auto& s : slots_) live += s.live ? 1 : 0;
  std::uint64_t held = 0;
  for (const auto& h : heads_) held += h.head->queued() + h.head->inflight();
  ledger_.inflight_at_end = live;
  if (!ledger_.balanced() || held > live || live + free_slots_.size() != slots_.size()) {
    throw std::logic_error("I/O ledger does not balance: submitted " + std::to_string(ledger_.submitted) +
                           ", completed " + std::to_string(ledger_.completed) + ", failed " +
                           std::to_string(ledger_.failed) + ", in flight " + std::to_string(live) +
                           ", held by heads " + std::to_string(held) + ", free slots " +
                           std::to_string(free_slots_.size()) + " of " + std::to_string(slots_.size()));
  }
  r.ledger = ledger_;

  for (const auto& j : jobs_) {
    JobResult jr;
    jr.name = j.name;
    jr.host = hosts_[j.host].name;
    jr.nqn = j.spec->nqn;
    jr.nsid = j.spec->nsid;
    jr.read = direction(j.read, j.read_lat, j.end - j.measure_from);
    jr.write = direction(j.write, j.write_lat, j.end - j.measure_from);
    r.jobs.push_back(std::move(jr));
  }
  for (std::size_t h = 0; h < heads_.size(); ++h) {
    const HeadState& hs = heads_[h];
    std::uint64_t total = 0;
    for (auto n : path_ios_[h]) total += n;
    const auto& paths = hs.head->paths();
    for (std::size_t p = 0; p < paths.size(); ++p) {
      PathResult pr;
      pr.host = hosts_[hs.host].name;
      pr.nqn = hs.nqn;
      pr.nsid = hs.nsid;
      pr.controller = conns_[hs.conn_of_path[p]].name;
      pr.ios = path_ios_[h][p];
      pr.share = total ? double(pr.ios) / double(total) : 0;
      pr.failovers = paths[p]->counters.failovers;
      pr.retries = paths[p]->counters.retries;
      r.paths.push_back(std::move(pr));
    }
  }
  metrics_->finish(end_, r);
  return r;
}

}  // namespace mpsim::sim
