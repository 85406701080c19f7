// Cost of the I/O path (submit -> dispatch -> complete) through Controller and NamespaceHead,
// for the simulator's budget of ~1M I/Os per second. Hidden ([.perf]): run it explicitly with
//   build/tests/policies/test_policies "[.perf]" -s
#include <chrono>

#include <catch2/catch.hpp>

#include "tests/policies/fake_env.h"

using namespace mpsim::policies;
using namespace mpsim::policies::headtest;

namespace {
// Keeps only what is in flight: the fake transport's history would dominate the measurement.
class LeanTransport : public ControllerTransport {
 public:
  explicit LeanTransport(FakeTimers& t) : timers_(t) {}
  void connect(Controller& c) override {
    timers_.schedule_after(Duration(0), [&c] { c.on_connect_done(true, {{1, AnaState::Optimized}}); });
  }
  void send_keep_alive(Controller& c) override {
    timers_.schedule_after(Duration(0), [&c] { c.on_keep_alive_done(); });
  }
  void read_ana_log(Controller&) override {}
  void dispatch(IoRequest& io) override { inflight.push_back(&io); }
  void disconnect(Controller&) override {}
  std::vector<IoRequest*> inflight;

 private:
  FakeTimers& timers_;
};

class CountingSink : public IoCompletionSink {
 public:
  void finished(IoRequest&, const IoResult& r) override { ok += r.ok() ? 1 : 0; }
  std::uint64_t ok = 0;
};
}  // namespace

TEST_CASE("perf: submit + complete cost per I/O, 4 controllers, queue depth 32, every policy", "[.perf]") {
  for (const PolicyInfo& policy : registered_policies()) {
    FakeTimers timers;
    LeanTransport transport(timers);
    CountingSink sink;
    std::vector<std::unique_ptr<Controller>> ctrls;
    HeadConfig cfg;
    cfg.stack = policy.stack;
    NamespaceHead head(cfg, make_selector({policy.name, {}}), timers, sink);
    for (int i = 0; i < 4; ++i) {
      ctrls.push_back(std::make_unique<Controller>("nvme" + std::to_string(i), ControllerConfig{}, timers, transport));
      head.add_path(*ctrls.back(), 1, AnaState::Optimized);
      ctrls.back()->start();
    }
    timers.advance_by(Duration(0));
    std::vector<IoRequest> ios(32);
    for (IoRequest& io : ios) head.submit(io);
    constexpr std::uint64_t kCycles = 1000000;
    auto t0 = std::chrono::steady_clock::now();
    for (std::uint64_t i = 0; i < kCycles; ++i) {
      IoRequest* io = transport.inflight[i % transport.inflight.size()];
      std::swap(transport.inflight[i % transport.inflight.size()], transport.inflight.back());
      transport.inflight.pop_back();
      head.complete(*io, NvmeStatus{});
      head.submit(*io);
      if ((i & 0xffff) == 0) timers.advance_by(1ms);
    }
    double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / kCycles;
    CHECK(sink.ok == kCycles);
    CHECK(head.outstanding() == 32);
    WARN(policy.name << ": " << ns << " ns per submit+complete");
  }
}
