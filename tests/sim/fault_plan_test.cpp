// The fault contract: plan_faults' timed actions, fault windows, and who notices a down at once.
#include <catch2/catch.hpp>

#include "scenario_fixture.h"
#include "sim/fault_plan.h"

using namespace mpsim;
using namespace mpsim::sim;
using namespace mpsim::sim::testing;

namespace {

FaultSpec spec(FaultKind kind, Duration at) {
  FaultSpec f;
  f.kind = kind;
  f.at = at;
  return f;
}

std::int64_t ns(Duration d) { return d.count(); }

}  // namespace

TEST_CASE("a flap plans count down/up pairs, down for the first half of each period", "[sim][fault-plan]") {
  const auto actions = plan_faults({spec(faults::Flap{2, 300ms, Detection::Silent}, 500ms)}, ns(10s));
  REQUIRE(actions.size() == 4);
  const std::vector<std::int64_t> at = {ns(500ms), ns(650ms), ns(800ms), ns(950ms)};
  for (std::size_t i = 0; i < actions.size(); ++i) {
    CHECK(actions[i].at == at[i]);
    CHECK(actions[i].op.index() == (i % 2 == 0 ? FaultOp(fault_ops::Down{}).index() : FaultOp(fault_ops::Up{}).index()));
  }
  CHECK(std::get<fault_ops::Down>(actions[0].op).detection == Detection::Silent);
  CHECK(fault_window_end(spec(faults::Flap{2, 300ms, Detection::Silent}, 500ms)) == ns(1100ms));
}

TEST_CASE("an ANA change goes through CHANGE and is restored no earlier than its transition ends", "[sim][fault-plan]") {
  const FaultSpec ana = spec(faults::AnaChange{2, topology::INACCESSIBLE, 200ms, 100ms}, 1s);
  const auto actions = plan_faults({ana}, ns(10s));
  REQUIRE(actions.size() == 3);
  const auto& change = std::get<fault_ops::AnaSet>(actions[0].op);
  CHECK((actions[0].at == ns(1s) && change.state == topology::CHANGE && change.grpid == 2 && !change.restore));
  const auto& final_state = std::get<fault_ops::AnaSet>(actions[1].op);
  CHECK((actions[1].at == ns(1200ms) && final_state.state == topology::INACCESSIBLE));
  CHECK((actions[2].at == ns(1200ms) && std::get<fault_ops::AnaSet>(actions[2].op).restore));
  CHECK(fault_window_end(ana) == ns(1200ms));
  CHECK(!fault_window_end(spec(faults::AnaChange{2, topology::INACCESSIBLE, 200ms}, 1s)).has_value());
}

TEST_CASE("actions carry their kind's fields, sorted by time then fault order, cut at the end", "[sim][fault-plan]") {
  const auto actions = plan_faults({spec(faults::Gray{3, 2, 1s}, 2s), spec(faults::ControllerReset{ResetSide::Target}, 1s),
                                    spec(faults::Down{Detection::Auto, 5s}, 2s)},
                                   ns(4s));
  REQUIRE(actions.size() == 4);  // the down's Up at 7 s is past the end
  CHECK((actions[0].fault == 1 && std::get<fault_ops::Reset>(actions[0].op).side == ResetSide::Target));
  const auto& gray = std::get<fault_ops::GrayOn>(actions[1].op);
  CHECK((actions[1].fault == 0 && gray.latency_factor == 3 && gray.bandwidth_divisor == 2));
  CHECK((actions[2].fault == 2 && std::holds_alternative<fault_ops::Down>(actions[2].op)));
  CHECK((actions[3].at == ns(3s) && std::holds_alternative<fault_ops::GrayOff>(actions[3].op)));
  CHECK(fault_window_end(spec(faults::ControllerReset{}, 1s)) == ns(1s));
  CHECK(fault_window_end(spec(faults::Down{Detection::Auto, 5s}, 2s), ns(4s)) == ns(4s));
}

TEST_CASE("a down is noticed at once on the host's own NIC or its cable, else by keep-alive", "[sim][fault-plan]") {
  const topology::Topology topo = parse(two_path_topology());
  CHECK(noticed_at_once(Detection::Auto, topo, "h0.nic0", "h0"));
  CHECK(noticed_at_once(Detection::Auto, topo, "h0.nic1--sw-b", "h0"));
  CHECK(!noticed_at_once(Detection::Auto, topo, "h0.nic0", "h1"));  // another host's NIC
  CHECK(!noticed_at_once(Detection::Auto, topo, "sw-a--t0.p0", "h0"));
  CHECK(!noticed_at_once(Detection::Auto, topo, "sw-a", "h0"));
  CHECK(!noticed_at_once(Detection::Auto, topo, "t0.p0", "h0"));
  CHECK(noticed_at_once(Detection::Immediate, topo, "t0.p0", "h0"));
  CHECK(!noticed_at_once(Detection::Silent, topo, "h0.nic0", "h0"));
}
