// The target model on its own (no engine): nvmet_check_ana_state, the ANA log, controllers a
// crash forgets, media queues, and the ANATT a subsystem reports; then ANATT end to end.
#include <catch2/catch.hpp>

#include <algorithm>

#include "scenario_fixture.h"
#include "sim/target_model.h"

using namespace mpsim;
using namespace mpsim::sim;
using namespace mpsim::sim::testing;

namespace {

std::string with_anatt(std::string topo, const std::string& anatt) {
  replace_all(topo, "namespaces {", "anatt_s: " + anatt + " namespaces {");
  return topo;
}

}  // namespace

TEST_CASE("target model: ANA check and log follow the port's group states", "[sim][target]") {
  const auto topo = parse(two_path_topology("NON_OPTIMIZED"));
  const auto models = models::default_models();
  TargetModel t(topo, models, 1);
  const std::uint32_t p0 = t.find_port("t0.p0").value(), p1 = t.find_port("t0.p1").value();
  CHECK_FALSE(t.find_port("t0.p9"));
  CHECK(t.check_ana(p0, 1).ok());
  CHECK(t.check_ana(p1, 1).ok());
  CHECK(t.check_ana(p0, 7).code == policies::status::kAnaInaccessible);  // a group the port does not list
  t.set_ana(p0, 1, topology::CHANGE);
  CHECK(t.check_ana(p0, 1).code == policies::status::kAnaTransition);
  t.set_ana(p0, 1, topology::PERSISTENT_LOSS);
  CHECK(t.check_ana(p0, 1).code == policies::status::kAnaPersistentLoss);
  CHECK(t.initial_ana(p0, 1) == topology::OPTIMIZED);
  const policies::AnaLog log = t.ana_log(p1, {1});
  REQUIRE(log.size() == 1);
  CHECK(log[0].state == policies::AnaState::NonOptimized);
}

TEST_CASE("target model: a node that goes down forgets its controllers", "[sim][target]") {
  const auto topo = parse(two_path_topology());
  const auto models = models::default_models();
  TargetModel t(topo, models, 1);
  const std::uint32_t c = t.add_controller(t.find_port("t0.p0").value());
  CHECK_FALSE(t.knows(c, 1));
  t.accept(c, 1);
  CHECK(t.knows(c, 1));
  CHECK_FALSE(t.knows(c, 2));  // another connection of the same host controller
  t.node_down(t.port(t.find_port("t0.p0").value()).node);
  CHECK_FALSE(t.knows(c, 1));
  t.accept(c, 2);
  CHECK(t.knows(c, 2));
  t.forget(c);
  CHECK_FALSE(t.knows(c, 2));
}

TEST_CASE("target model: a media queue serves parallelism I/Os at once, then queues", "[sim][target]") {
  const auto topo = parse(two_path_topology());
  auto models = models::default_models();
  TargetModel t(topo, models, 1);
  const std::uint32_t m = t.media_of("nqn.test:s1", 1, "nand-tlc-gen4");
  CHECK(t.media_of("nqn.test:s1", 1, "nand-tlc-gen4") == m);
  CHECK_THROWS_AS(t.media_of("nqn.test:s1", 2, "no-such-media"), std::invalid_argument);
  std::vector<std::int64_t> done;
  const std::uint32_t units = models::MediaModel(models.media.at("nand-tlc-gen4")).parallelism();
  const std::uint32_t channel = t.channel(m, "nqn.test:s1", 1, "h0");
  for (std::uint32_t i = 0; i <= units; ++i) done.push_back(t.serve_media(channel, 0, true, 4096));
  const std::int64_t first_free = *std::min_element(done.begin(), done.end() - 1);
  CHECK(done.back() > first_free);  // the extra I/O waited for the first unit to free up
}

TEST_CASE("target model: ANATT comes from the subsystem, nvmet's 10 s by default", "[sim][target]") {
  const auto models = models::default_models();
  CHECK(TargetModel(parse(two_path_topology()), models, 1).anatt("nqn.test:s1") == std::chrono::seconds(10));
  CHECK(TargetModel(parse(with_anatt(two_path_topology(), "3")), models, 1).anatt("nqn.test:s1") ==
        std::chrono::seconds(3));
}

// A group stuck in CHANGE: the host resets the controller after 2 x ANATT (nvme_anatt_timeout).
TEST_CASE("a group stuck in change resets its controller after 2 x the subsystem's ANATT", "[sim][target]") {
  auto anatt_reset_at = [](const std::string& topo) -> Duration {
    Scenario s = scenario(topo, "numa", job(4, 8s));
    FaultSpec f;
    f.label = "stuck";
    f.kind = faults::AnaChange{1, topology::CHANGE};
    f.target = "t0.p0";
    f.at = 1s;
    s.faults.push_back(f);
    const RunResult r = run_scenario(s);
    for (const auto& e : r.events) {
      if (e.kind == "ctrl-state" && e.detail.find("ANATT timeout") != std::string::npos) return e.at;
    }
    return Duration(-1);
  };
  const Duration with_2s = anatt_reset_at(with_anatt(two_path_topology(), "2"));
  // The AEN's log read arms the timer just after 1 s, at jiffy 250 (HZ 250): 2 x 2 s = 1000
  // jiffies ahead is timer-wheel level 2 (64-jiffy buckets), so expiry 1250 runs at the end of
  // its bucket, jiffy 1280 = 5.12 s (mod_timer, kernel/time/timer.c calc_index).
  CHECK(with_2s == 5120ms);
  CHECK(anatt_reset_at(two_path_topology()) == Duration(-1));  // 1 s + 20 s is past the run's end
}
