// The cost estimate (experiments/run_estimate.*): runs that cannot finish are refused before
// they start, with the estimate in the message (issue 17: 1,024 hosts x QD4096 x 1 hour started
// without a word; a 1 ms timeline over a year grew memory until it ran out).
#include <catch2/catch.hpp>

#include "experiments/experiment_loader.h"
#include "experiments/run_estimate.h"
#include "topologies/textproto.h"

namespace ex = mpsim::experiments;

namespace {

std::string leaf_spine(int hosts, int iodepth, const std::string& runtime, const std::string& extra = "") {
  std::string text = "name: \"big\"\nseed: 1\npolicy { name: \"numa\" }\ntopology { generator { leaf_spine { hosts: " +
                     std::to_string(hosts) + " } } }\n" + extra;
  for (int h = 0; h < hosts; ++h) {
    text += "jobs { name: \"j" + std::to_string(h) + "\" host: \"h" + std::to_string(h) +
            "\" nqn: \"nqn.2026-11.io.mpsim:leaf-spine\" nsid: 1 rw: \"randread\" iodepth: " + std::to_string(iodepth) +
            " runtime: \"" + runtime + "\" }\n";
  }
  return text;
}

std::string refusal(const ex::LoadedExperiment& exp, const ex::EstimateBounds& bounds) {
  try {
    ex::check_estimate(exp, ex::estimate_run(exp), bounds);
  } catch (const mpsim::topology::InputError& e) {
    return e.what();
  }
  return "";
}

ex::EstimateBounds generous() { return {64.0 * (1ull << 30), 24 * 3600.0}; }

}  // namespace

TEST_CASE("estimate: the quickstart is small and runs") {
  const auto exp = ex::load_experiment_file(MPSIM_SOURCE_DIR "/experiments/quickstart.textproto");
  const ex::RunEstimate e = ex::estimate_run(exp);
  CHECK(e.runs == 3);
  CHECK(e.simulated_s == Approx(6.0));
  CHECK(e.in_flight_ios == 32);
  // It simulates 1.9 M I/Os per run (README); the bound is above that and not absurdly so.
  CHECK(e.ios_per_run >= 1.9e6);
  CHECK(e.ios_per_run <= 1e8);
  CHECK(e.fault_actions == 2);
  CHECK(e.timeline_points == 60 * 3);  // 60 intervals x (all paths + 2 controllers)
  CHECK(e.memory_bytes < 512.0 * (1 << 20));
  CHECK(e.wall_s < 600);
  CHECK(refusal(exp, ex::EstimateBounds::for_this_machine()).empty());
}

TEST_CASE("estimate: 1,024 hosts x QD4096 x 1 hour is refused with the estimate") {
  const auto exp = ex::load_experiment_text(leaf_spine(1024, 4096, "1h"), "big.textproto", ".");
  const ex::RunEstimate e = ex::estimate_run(exp);
  CHECK(e.in_flight_ios == 1024u * 4096u);
  CHECK(e.memory_bytes > 4.0 * (1ull << 30));  // 4 Mi I/Os in flight at ~1 KiB each
  const std::string why = refusal(exp, generous());
  CHECK_THAT(why, Catch::StartsWith("big.textproto: the run cannot finish here: it would run for up to"));
  CHECK_THAT(why, Catch::Contains("4194304 I/Os in flight"));
  CHECK_THAT(why, Catch::Contains("--allow-large"));
  const std::string memory = refusal(exp, {1.0 * (1ull << 30), 1e12});
  CHECK_THAT(memory, Catch::Contains("of memory, over the 1.0 GiB this machine can give"));
}

TEST_CASE("estimate: a year of 1 ms timeline rows is refused for its memory") {
  const auto exp = ex::load_experiment_text(leaf_spine(4, 1, "1s", "duration: \"366d\"\ntimeline_interval: \"1ms\"\n"),
                                            "long.textproto", ".");
  const ex::RunEstimate e = ex::estimate_run(exp);
  CHECK(e.timeline_points > 3e10);
  CHECK_THAT(refusal(exp, generous()), Catch::Contains("of memory"));
}
