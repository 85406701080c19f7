// Regression (issue 17, overflow): keep-alive arithmetic in jiffies multiplied nanoseconds by HZ,
// which passes 64 bits after 106 days at HZ=1000 (UBSan: signed overflow in Controller::jiffies).
// A run that far into simulated time must detect a silent loss exactly as it does at 20 s.
#include <catch2/catch.hpp>

#include "tests/policies/fake_env.h"

using namespace mpsim::policies;
using namespace mpsim::policies::headtest;

namespace {

Duration detection_at(TimePoint start, std::uint32_t hz) {
  Rig r;
  r.timers.advance_to(start);  // nothing scheduled yet: the clock just moves
  ControllerConfig cfg;
  cfg.kato = 2s;
  cfg.tbkas = true;
  cfg.request_timer.hz = hz;
  Controller& a = r.controller("nvme0", cfg);
  r.connect_all();
  const TimePoint loss = start + 20s;
  r.timers.advance_to(loss);
  r.transport.silent.insert(&a);
  r.timers.advance_to(loss + 60s);
  return r.observer.first(a, ControllerState::Resetting, loss) - loss;
}

}  // namespace

TEST_CASE("limits: keep-alive detection 300 days into a run equals the one at the start (jiffies overflow)",
          "[controller][keepalive][limits]") {
  using days = std::chrono::duration<std::int64_t, std::ratio<86400>>;
  for (std::uint32_t hz : {100u, 1000u}) {
    INFO("HZ=" << hz);
    const Duration early = detection_at(TimePoint(0s), hz);
    const Duration late = detection_at(TimePoint(days(300)), hz);
    CHECK(early > 2s);
    CHECK(early < 5s);
    CHECK(late > 2s);
    CHECK(late < 5s);
  }
}
