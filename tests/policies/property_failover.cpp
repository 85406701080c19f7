// Property test of the failover state machine: seeded random sequences of submissions,
// completions with random status, ANA changes, transport errors, silent link losses, resets,
// failed reconnects and controller deletions over 2-4 controllers and 1-3 namespaces, once per
// registered policy (with that policy's stack rules). Invariants checked after every step:
//  - no I/O is lost or duplicated: each is finished exactly once or still tracked by its head,
//    and submitted = completed + failed + outstanding for every head;
//  - no dispatch goes to a path the policy could not have chosen (path_usable), except a
//    same-path retry on a LIVE controller (nvme_retry_req);
//  - the transport's view of in-flight I/O matches the controllers' tag tables;
//  - head counters equal the sums of their paths' counters.
#include <random>

#include <catch2/catch.hpp>

#include "tests/policies/fake_env.h"

using namespace mpsim::policies;
using namespace mpsim::policies::headtest;

namespace {

const NvmeStatus kStatuses[] = {
    {0, false, 0},      {0, false, 0},      {0, false, 0},      {0, false, 0},
    {0x302, false, 0},  {0x303, false, 0},  {0x301, false, 0},  {0x300, false, 0},
    {0x370, false, 0},  {0x281, false, 0},  {0x281, false, 1},  {0x082, false, 2},
    {0x002, true, 0},   {0x302, true, 0},
};
const AnaState kAnaStates[] = {AnaState::Optimized, AnaState::Optimized, AnaState::NonOptimized,
                               AnaState::Inaccessible, AnaState::Change, AnaState::PersistentLoss};

// What the random runs went through, summed over all of them: the test insists every kind of
// event happened, so a change that makes the scenarios trivial fails instead of passing.
struct Coverage {
  std::uint64_t completed = 0, failed = 0, failovers = 0, retries = 0, requeues = 0, tag_waits = 0,
                io_timeouts = 0, ka_timeouts = 0, anatt_expiries = 0, resets = 0, deleted = 0, cancelled = 0,
                stale = 0, dm_failures = 0;
};

class Scenario {
 public:
  Scenario(const PolicyInfo& policy, std::uint64_t seed) : policy_(policy), rng_(seed) {
    rig_.transport.rtt = 1ms;
    // First connects succeed (a failed one deletes the controller); reconnects fail 30 % of the time.
    rig_.transport.connect_ok = [this](Controller& c) { return c.nr_reconnects() == 0 || coin(0.7); };
    std::size_t nctrl = pick(2, 4), nheads = pick(1, 3);
    for (std::size_t h = 0; h < nheads; ++h) {
      HeadConfig cfg;
      cfg.stack = policy_.stack;
      cfg.crdt = {100ms, 200ms, 300ms};
      cfg.delayed_removal = coin(0.3) ? 5s : 0s;
      cfg.dm_queue_if_no_path = coin(0.5);
      cfg.dm_no_path_retry = coin(0.5) ? 2 : 0;
      rig_.head(cfg, make_selector({policy_.name, {}}));
    }
    for (std::size_t c = 0; c < nctrl; ++c) add_controller();
    rig_.connect_all();
  }

  void run(int steps, Coverage& cov) {
    for (int i = 0; i < steps; ++i) {
      step();
      check();
    }
    heal_and_drain();
    check();
    tally(cov);
  }

 private:
  const PolicyInfo& policy_;
  std::mt19937_64 rng_;
  Rig rig_;
  int next_ctrl_ = 0;

  std::size_t pick(std::size_t lo, std::size_t hi) { return std::uniform_int_distribution<std::size_t>(lo, hi)(rng_); }
  bool coin(double p) { return std::bernoulli_distribution(p)(rng_); }
  Controller& any_ctrl() { return *rig_.ctrls[pick(0, rig_.ctrls.size() - 1)]; }

  std::size_t alive() const {
    std::size_t n = 0;
    for (const auto& c : rig_.ctrls) n += c->state() != ControllerState::Dead ? 1 : 0;
    return n;
  }

  // A late or duplicated answer for an attempt that is no longer on the wire must change nothing.
  void replay_stale() {
    const auto& hist = rig_.transport.history;
    if (hist.empty()) return;
    Dispatched d = hist[pick(0, hist.size() - 1)];
    for (const Dispatched& o : rig_.transport.outstanding)
      if (o.io == d.io && o.attempt == d.attempt) return;  // still in flight: not stale
    std::size_t finished = rig_.sink.done.size();
    std::uint64_t stale = 0;
    for (const auto& hh : rig_.heads) stale += hh->counters().stale_completions;
    heads_of_io_.at(d.io->id)->complete(*d.io, NvmeStatus{}, d.attempt);
    std::uint64_t stale_after = 0;
    for (const auto& hh : rig_.heads) stale_after += hh->counters().stale_completions;
    REQUIRE(rig_.sink.done.size() == finished);
    REQUIRE(stale_after == stale + 1);
  }

  // Which head each I/O was submitted to (the transport may answer after the I/O left it).
  std::map<std::uint64_t, NamespaceHead*> heads_of_io_;

  void add_controller() {
    ControllerConfig cfg;
    cfg.reconnect_delay = 1s;
    cfg.ctrl_loss_tmo = coin(0.5) ? 4s : Duration(-1);
    cfg.fast_io_fail_tmo = coin(0.5) ? 2s : Duration(-1);
    cfg.io_timeout = 3s;
    cfg.anatt = 2s;
    cfg.queue_size = 8;
    cfg.tbkas = coin(0.3);
    std::uint32_t grp = static_cast<std::uint32_t>(pick(1, 2));
    Controller& c = rig_.controller("nvme" + std::to_string(next_ctrl_++), cfg, {{1, AnaState::Optimized}, {2, AnaState::NonOptimized}});
    for (auto& h : rig_.heads) h->add_path(c, grp, AnaState::Optimized);
    c.start();
  }

  void step() {
    switch (pick(0, 16)) {
      case 0: case 1: case 2: {  // submit
        NamespaceHead& h = *rig_.heads[pick(0, rig_.heads.size() - 1)];
        rig_.ios.emplace_back();
        IoRequest& io = rig_.ios.back();
        io.id = rig_.ios.size();
        io.numa_node = static_cast<int>(pick(0, 1));
        io.thread = static_cast<std::uint32_t>(pick(0, 3));
        io.bytes = 4096;
        heads_of_io_[io.id] = &h;
        h.submit(io);
        break;
      }
      case 3: case 4: case 5: case 6: case 13: case 14: {  // complete something in flight
        auto& out = rig_.transport.outstanding;
        if (out.empty()) break;
        std::size_t i = pick(0, out.size() - 1);
        Dispatched d = out[i];
        out.erase(out.begin() + static_cast<long>(i));
        const NvmeStatus& s = kStatuses[pick(0, std::size(kStatuses) - 1)];
        d.io->path->head->complete(*d.io, s, d.attempt);
        break;
      }
      case 7: {  // ANA change on one controller
        Controller& c = any_ctrl();
        rig_.transport.ana_log[&c] = {{1, kAnaStates[pick(0, 5)]}, {2, kAnaStates[pick(0, 5)]}};
        c.on_ana_change_notice();
        break;
      }
      case 8: any_ctrl().on_transport_error(); break;
      case 9: any_ctrl().reset(); break;
      case 10: {  // link silence on / off
        Controller& c = any_ctrl();
        if (rig_.transport.silent.count(&c) != 0) rig_.transport.silent.erase(&c);
        else if (coin(0.3)) rig_.transport.silent.insert(&c);
        break;
      }
      case 11:
        if (coin(0.1)) any_ctrl().remove();
        if (rig_.ctrls.size() < 8 && (alive() < 2 || coin(0.1))) add_controller();
        break;
      case 12: replay_stale(); break;
      default: rig_.timers.advance_by(std::chrono::milliseconds(pick(0, 1500))); break;
    }
  }

  // Links up, connects succeed, ANA optimized; then complete everything for a while.
  void heal_and_drain() {
    rig_.transport.silent.clear();
    rig_.transport.connect_ok = [](Controller&) { return true; };
    for (auto& c : rig_.ctrls) {
      rig_.transport.ana_log[c.get()] = {{1, AnaState::Optimized}, {2, AnaState::Optimized}};
      c->on_ana_change_notice();
    }
    for (int round = 0; round < 200; ++round) {
      rig_.timers.advance_by(100ms);
      rig_.transport.complete_all();
      check();
    }
    for (auto& h : rig_.heads) {
      bool usable = false;
      for (const Path* p : h->paths()) usable = usable || path_usable(*p);
      if (usable) CHECK(h->outstanding() == 0);
    }
  }

  void tally(Coverage& cov) const {
    for (const auto& h : rig_.heads) {
      const HeadCounters& k = h->counters();
      cov.completed += k.completed;
      cov.failed += k.failed;
      cov.failovers += k.failovers;
      cov.retries += k.retries;
      cov.requeues += k.requeue_no_usable_path;
      cov.stale += k.stale_completions;
      cov.dm_failures += k.dm_path_failures;
    }
    for (const auto& c : rig_.ctrls) {
      const ControllerCounters& k = c->counters();
      cov.tag_waits += k.tag_waits;
      cov.io_timeouts += k.io_timeouts;
      cov.ka_timeouts += k.keep_alive_timeouts;
      cov.anatt_expiries += k.anatt_expiries;
      cov.resets += k.resets;
      cov.cancelled += k.cancelled_ios;
      cov.deleted += c->state() == ControllerState::Dead ? 1 : 0;
    }
  }

  void check() {
    INFO("policy " << policy_.name << " at t=" << rig_.timers.now().count() << " ns");
    REQUIRE(rig_.transport.ineligible_dispatches == 0);
    std::size_t tracked = 0;
    for (auto& h : rig_.heads) {
      const HeadCounters& k = h->counters();
      REQUIRE(k.submitted == k.completed + k.failed + h->outstanding());
      tracked += h->outstanding();
      std::uint64_t failovers = 0, retries = 0;
      for (const Path* p : h->paths()) {
        failovers += p->counters.failovers;
        retries += p->counters.retries;
      }
      REQUIRE(failovers == k.failovers);
      REQUIRE(retries == k.retries);
    }
    for (const auto& [id, n] : rig_.sink.times_finished) REQUIRE(n == 1);
    REQUIRE(rig_.ios.size() == rig_.sink.done.size() + tracked);
    std::size_t ctrl_inflight = 0, head_inflight = 0;
    for (auto& c : rig_.ctrls) ctrl_inflight += c->inflight();
    for (auto& h : rig_.heads) head_inflight += h->inflight();
    REQUIRE(ctrl_inflight == head_inflight);
    REQUIRE(rig_.transport.outstanding.size() == ctrl_inflight);
    for (const Dispatched& d : rig_.transport.outstanding) {
      REQUIRE(d.attempt == d.io->attempt);
      REQUIRE(d.ctrl->owns(*d.io));
    }
  }
};

}  // namespace

TEST_CASE("property: no I/O lost or duplicated, no ineligible dispatch, consistent counters — every policy",
          "[head][controller][property]") {
  Coverage cov;
  for (const PolicyInfo& policy : registered_policies()) {
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
      INFO("policy " << policy.name << " seed " << seed);
      Scenario s(policy, seed * 7919 + policy.name.size());
      s.run(1500, cov);
    }
  }
  INFO("completed " << cov.completed << " failed " << cov.failed << " failovers " << cov.failovers << " retries "
                    << cov.retries << " requeues " << cov.requeues << " tag waits " << cov.tag_waits
                    << " io timeouts " << cov.io_timeouts << " ka timeouts " << cov.ka_timeouts << " anatt "
                    << cov.anatt_expiries << " resets " << cov.resets << " deleted " << cov.deleted
                    << " cancelled " << cov.cancelled << " stale " << cov.stale << " dm failures " << cov.dm_failures);
  for (std::uint64_t n : {cov.completed, cov.failed, cov.failovers, cov.retries, cov.requeues, cov.tag_waits,
                          cov.io_timeouts, cov.ka_timeouts, cov.anatt_expiries, cov.resets, cov.deleted,
                          cov.cancelled, cov.stale, cov.dm_failures})
    CHECK(n > 0);
}
