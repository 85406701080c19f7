// Where a one-core host's CPU time goes (models.host_cpu.completion_share, submitter_keeps_cpu):
// the part after the path choice keeps the command counted on its path before it reaches the
// wire, and whether fio's next io_submit runs before that work decides what queue-depth sees.
#include <catch2/catch.hpp>

#include "scenario_fixture.h"

using namespace mpsim;
using namespace mpsim::sim;
using namespace mpsim::sim::testing;

namespace {

double second_share(const RunResult& r) { return path(r, "h0/t0.p1").share; }

}  // namespace

TEST_CASE("split host CPU: the same CPU per I/O, so IOPS and latency stay where they were", "[sim][cpu]") {
  const RunResult whole = run_scenario(guest_like("numa", 0, 0));
  for (const double keeps : {0.0, 0.5, 1.0}) {
    INFO("submitter_keeps_cpu " << keeps);
    const RunResult split = run_scenario(guest_like("numa", 0.5, keeps));
    const auto& a = whole.jobs.at(0).read;
    const auto& b = split.jobs.at(0).read;
    CHECK(a.iops() == Approx(1e6 / 70).epsilon(0.02));  // one core, 50 + 20 us per I/O
    CHECK(b.iops() == Approx(a.iops()).epsilon(0.02));
    CHECK(b.clat.mean_ns == Approx(a.clat.mean_ns).epsilon(0.05));
  }
}

TEST_CASE("split host CPU: queue-depth's second idle path gets what fio submits before the kworkers run",
          "[sim][policy][cpu]") {
  // Everything before the choice (the model without a split): the first path always idle.
  CHECK(second_share(run_scenario(guest_like("queue-depth", 0, 0))) < 0.01);
  // The kworkers always first (an idle guest that preempts fio at the syscall's return): the
  // command is off the path before the next choice.
  CHECK(second_share(run_scenario(guest_like("queue-depth", 0.5, 0))) < 0.01);
  // fio always first (its host busy): every other choice sees the first path's command.
  CHECK(second_share(run_scenario(guest_like("queue-depth", 0.5, 1))) == Approx(0.5).margin(0.02));
  // In between, about one choice per kept CPU goes to the second path.
  const double some = second_share(run_scenario(guest_like("queue-depth", 0.5, 0.1)));
  CHECK(some > 0.06);
  CHECK(some < 0.14);
}

TEST_CASE("split host CPU: commands queued on a path when it turns inaccessible are refused and retried",
          "[sim][fault][cpu]") {
  auto refused_on_p0 = [](double share, double keeps) {
    Scenario s = guest_like("round-robin", share, keeps);
    FaultSpec f = fault(faults::AnaChange{1, topology::INACCESSIBLE}, "t0.p0", 200ms);
    s.faults.push_back(f);
    const RunResult r = run_scenario(s);
    CHECK(r.jobs.at(0).read.errors == 0);
    return path(r, "h0/t0.p0").failed_over_ios;
  };
  // Nothing waits after the choice: only the one command chosen before the host hears of it.
  const auto whole = refused_on_p0(0, 0);
  // fio runs ahead of the kworkers: commands wait on the core, counted on p0, when it changes.
  const auto split = refused_on_p0(0.5, 1);
  CHECK(whole <= 1);
  CHECK(split > whole);
}

TEST_CASE("split host CPU: the scheduler's draws are seeded", "[sim][cpu][determinism]") {
  const RunResult a = run_scenario(guest_like("queue-depth", 0.5, 0.3, 7));
  const RunResult b = run_scenario(guest_like("queue-depth", 0.5, 0.3, 7));
  CHECK(path(a, "h0/t0.p1").ios == path(b, "h0/t0.p1").ios);
  CHECK(a.jobs.at(0).read.clat.mean_ns == b.jobs.at(0).read.clat.mean_ns);
}
