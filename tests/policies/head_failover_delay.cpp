// failover_delay (policies/failover_delay.h): a CQT-like wait before a cancelled write goes down
// another path. Default 0 is the kernel's nvme_failover_req: requeued at once.
#include <catch2/catch.hpp>

#include "policies/failover_delay.h"
#include "tests/policies/fake_env.h"

using namespace mpsim::policies;
using namespace mpsim::policies::headtest;

namespace {
NvmeStatus st(std::uint16_t code) { return NvmeStatus{code, false, 0}; }

struct TwoPaths : Rig {
  Controller& a = controller("nvme0");
  Controller& b = controller("nvme1");
  NamespaceHead& h;
  Path& pa;
  Path& pb;
  explicit TwoPaths(HeadConfig cfg)
      : h(head(cfg)), pa(h.add_path(a, 1, AnaState::Optimized)), pb(h.add_path(b, 1, AnaState::Optimized)) {
    connect_all();
  }
  IoRequest& submit_dir(IoDirection dir) {
    ios.emplace_back();
    IoRequest& io = ios.back();
    io.id = ios.size();
    io.dir = dir;
    h.submit(io);
    return io;
  }
};

HeadConfig with_delay(Duration d) {
  HeadConfig cfg;
  cfg.failover_delay = d;
  return cfg;
}
}  // namespace

TEST_CASE("failover_wait: only a cancelled write waits, and only with a delay set", "[head][failover_delay]") {
  IoRequest write;
  write.dir = IoDirection::Write;
  IoRequest read;
  read.dir = IoDirection::Read;
  CHECK(failover_wait(write, st(status::kHostAbortedCommand), 5ms) == 5ms);
  CHECK(failover_wait(write, st(status::kHostAbortedCommand), 0ms) == 0ms);    // the kernel's behaviour
  CHECK(failover_wait(read, st(status::kHostAbortedCommand), 5ms) == 0ms);     // reads change nothing
  CHECK(failover_wait(write, st(status::kHostPathError), 5ms) == 0ms);         // never left the host
  CHECK(failover_wait(write, st(status::kAnaInaccessible), 5ms) == 0ms);       // the target refused it
}

TEST_CASE("failover_delay: a write cancelled by a reset waits the delay before going to the other path",
          "[head][failover_delay]") {
  TwoPaths r(with_delay(3ms));
  IoRequest& io = r.submit_dir(IoDirection::Write);
  REQUIRE(io.path == &r.pa);
  r.a.on_transport_error();  // error recovery: teardown cancels it with HOST_ABORTED_CMD
  r.timers.advance_by(0ms);
  CHECK(r.transport.outstanding.empty());
  CHECK(r.h.delayed() == 1);
  CHECK(r.h.outstanding() == 1);
  r.timers.advance_by(2ms);
  CHECK(r.transport.outstanding.empty());  // still waiting
  r.timers.advance_by(1ms);
  REQUIRE(r.transport.outstanding.size() == 1);
  CHECK(r.transport.outstanding.front().ctrl == &r.b);
  CHECK(r.h.counters().failovers_delayed == 1);
  r.transport.complete_front(NvmeStatus{});
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].result.ok());
}

TEST_CASE("failover_delay: reads, and writes with the default 0, fail over at once", "[head][failover_delay]") {
  SECTION("a read with a delay set") {
    TwoPaths r(with_delay(3ms));
    IoRequest& io = r.submit_dir(IoDirection::Read);
    REQUIRE(io.path == &r.pa);
    r.a.on_transport_error();
    r.timers.advance_by(0ms);
    REQUIRE(r.transport.outstanding.size() == 1);
    CHECK(r.transport.outstanding.front().ctrl == &r.b);
    CHECK(r.h.counters().failovers_delayed == 0);
  }
  SECTION("a write with the default") {
    TwoPaths r(HeadConfig{});
    IoRequest& io = r.submit_dir(IoDirection::Write);
    REQUIRE(io.path == &r.pa);
    r.a.on_transport_error();
    r.timers.advance_by(0ms);
    REQUIRE(r.transport.outstanding.size() == 1);
    CHECK(r.transport.outstanding.front().ctrl == &r.b);
    CHECK(r.h.delayed() == 0);
  }
  SECTION("a write refused with an ANA status") {
    TwoPaths r(with_delay(3ms));
    r.transport.ana_log[&r.a] = {{1, AnaState::Inaccessible}};
    IoRequest& io = r.submit_dir(IoDirection::Write);
    REQUIRE(io.path == &r.pa);
    r.transport.complete_front(st(status::kAnaInaccessible));
    r.timers.advance_by(0ms);
    REQUIRE(r.transport.outstanding.size() == 1);
    CHECK(r.transport.outstanding.front().ctrl == &r.b);
    CHECK(r.h.counters().failovers_delayed == 0);
  }
}
