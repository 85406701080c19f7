// run_scenario: two SimGrid actors on a control host. The engine actor advances the
// calendar and meets SimGrid's clock only at fault times; the fault-scheduler actor applies
// each fault action at its time and then lets the engine continue (a semaphore, so both see
// the same order at equal times).
#include "sim/engine.h"

#include <simgrid/s4u.hpp>

#include <exception>

#include "sim/world.h"

namespace sg4 = simgrid::s4u;

namespace mpsim::sim {

namespace {

// Both actors compute the same double for the same instant, so they meet exactly.
double sg_time(const Platform& p, std::int64_t ns) { return p.clock_base() + double(ns) * 1e-9; }

}  // namespace

RunResult run_scenario(const Scenario& scenario) {
  World world(scenario);
  const std::vector<std::int64_t> syncs = sync_times(world.fault_actions());
  auto ready = sg4::Semaphore::create(0);
  std::exception_ptr error;

  sg4::Actor::create("faults", world.platform().control_host(), [&] {
    try {
      std::size_t next = 0;
      const auto& actions = world.fault_actions();
      for (std::int64_t t : syncs) {
        sg4::this_actor::sleep_until(sg_time(world.platform(), t));
        if (error) return;  // the engine stopped: leave the world as it failed
        for (; next < actions.size() && actions[next].at == t; ++next) world.apply(actions[next]);
        ready->release();
      }
    } catch (...) {
      if (!error) error = std::current_exception();
      for (std::size_t i = 0; i < syncs.size(); ++i) ready->release();
    }
  });
  sg4::Actor::create("engine", world.platform().control_host(), [&] {
    try {
      world.start();
      for (std::int64_t t : syncs) {
        world.run_until(t);
        sg4::this_actor::sleep_until(sg_time(world.platform(), t));
        ready->acquire();
        if (error) return;
      }
      world.run_until(world.end_ns());
      sg4::this_actor::sleep_until(sg_time(world.platform(), world.end_ns()));
    } catch (...) {
      if (!error) error = std::current_exception();
    }
  });
  world.platform().run();
  if (error) std::rethrow_exception(error);
  return world.result();
}

}  // namespace mpsim::sim
