// NamespaceHead under Linux native multipath rules (multipath-behaviour.md §1.4-1.6, §1.9).
#include <catch2/catch.hpp>

#include "policies/stacks/dm_rules.h"
#include "policies/stacks/linux_rules.h"
#include "policies/stacks/spdk_rules.h"
#include "tests/policies/fake_env.h"

using namespace mpsim::policies;
using namespace mpsim::policies::headtest;

namespace {
constexpr NvmeStatus kOk{};
NvmeStatus st(std::uint16_t code, bool dnr = false, std::uint8_t crd = 0) { return NvmeStatus{code, dnr, crd}; }

// Two LIVE controllers, one head with a path through each (both optimized, group 1).
struct TwoPaths : Rig {
  Controller& a = controller("nvme0");
  Controller& b = controller("nvme1");
  NamespaceHead& h;
  Path& pa;
  Path& pb;
  explicit TwoPaths(HeadConfig cfg = {})
      : h(head(cfg)), pa(h.add_path(a, 1, AnaState::Optimized)), pb(h.add_path(b, 1, AnaState::Optimized)) {
    connect_all();
  }
};
}  // namespace

TEST_CASE("nvme_decide_disposition (§1.5): the table per stack", "[head][disposition]") {
  CHECK(linux_disposition(kOk, 5, 5) == Disposition::Complete);
  CHECK(linux_disposition(st(status::kAnaInaccessible), 0, 5) == Disposition::Failover);
  CHECK(linux_disposition(st(status::kUnrecoveredReadError), 0, 5) == Disposition::RetrySamePath);
  CHECK(linux_disposition(st(status::kUnrecoveredReadError), 5, 5) == Disposition::Fail);
  // the retry budget is checked before path errors
  CHECK(linux_disposition(st(status::kHostAbortedCommand), 5, 5) == Disposition::Fail);
  CHECK(linux_disposition(st(status::kHostAbortedCommand, true), 0, 5) == Disposition::Fail);  // DNR wins
  CHECK(dm_disposition(kOk) == Disposition::Complete);
  CHECK(dm_disposition(st(status::kHostAbortedCommand, true)) == Disposition::FailPath);  // whatever DNR says
  CHECK(dm_disposition(st(status::kUnrecoveredReadError)) == Disposition::Fail);
  CHECK(spdk_disposition(kOk, 3, 3) == Disposition::Complete);
  CHECK(spdk_disposition(st(status::kUnrecoveredReadError), 0, 3) == Disposition::RetryReselect);
  CHECK(spdk_disposition(st(status::kHostAbortedCommand), 0, 3) == Disposition::Failover);
  CHECK(spdk_disposition(st(status::kHostAbortedCommand), 3, 3) == Disposition::Fail);
  CHECK(spdk_disposition(st(status::kUnrecoveredReadError, true), 0, 3) == Disposition::Fail);
  std::array<Duration, 3> crdt{100ms, 200ms, 300ms};
  CHECK(retry_delay(st(0x281, false, 0), crdt) == 0ms);
  CHECK(retry_delay(st(0x281, false, 2), crdt) == 200ms);
}

TEST_CASE("nvme_failover_req (§1.5): 0x302 fails over, marks the path ANA-pending and re-reads the log",
          "[head][failover][ana]") {
  TwoPaths r;
  IoRequest& io = r.submit(r.h);
  REQUIRE(r.transport.outstanding.size() == 1);
  CHECK(io.path == &r.pa);
  int reads_before = r.transport.ana_reads[&r.a];
  r.transport.ana_log[&r.a] = {{1, AnaState::Inaccessible}};

  r.transport.complete_front(st(status::kAnaInaccessible));
  CHECK(r.pa.ana_pending);
  CHECK_FALSE(path_usable(r.pa));
  CHECK(r.transport.ana_reads[&r.a] == reads_before + 1);
  CHECK(r.h.queued() == 1);  // stolen onto the requeue list, reissued by the requeue work
  r.timers.advance_by(0ms);  // requeue work and the log read's answer
  CHECK_FALSE(r.pa.ana_pending);
  CHECK(r.pa.ana_state == AnaState::Inaccessible);
  REQUIRE(r.transport.outstanding.size() == 1);
  CHECK(r.transport.outstanding.front().ctrl == &r.b);
  CHECK(io.retries == 0);  // failover does not consume the retry budget
  r.transport.complete_front(kOk);
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].result.ok());
  CHECK(r.pa.counters.failovers == 1);
  CHECK(r.h.counters().failovers == 1);
  CHECK(r.h.counters().retries == 0);
  CHECK(r.h.outstanding() == 0);
}

TEST_CASE("nvme_retry_req (§1.5): a media error retries on the same path max_retries times, then errors",
          "[head][retry]") {
  TwoPaths r;
  IoRequest& io = r.submit(r.h);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(r.transport.outstanding.size() == 1);
    CHECK(r.transport.outstanding.front().ctrl == &r.a);
    r.transport.complete_front(st(status::kUnrecoveredReadError));
    CHECK(r.sink.done.empty());
    r.timers.advance_by(0ms);
  }
  REQUIRE(r.transport.outstanding.size() == 1);
  r.transport.complete_front(st(status::kUnrecoveredReadError));
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].result.reason == FailReason::ErrorStatus);
  CHECK(r.sink.done[0].result.status.code == status::kUnrecoveredReadError);
  CHECK(io.attempt == 6);
  CHECK(r.pa.counters.ios == 6);
  CHECK(r.pa.counters.retries == 5);
  CHECK(r.pa.counters.errors == 1);
  CHECK(r.pb.counters.ios == 0);
  CHECK(r.h.counters().failed == 1);
}

TEST_CASE("nvme_retry_req (§1.5): the retry waits crdt[crd-1]; DNR fails at once", "[head][retry]") {
  HeadConfig cfg;
  cfg.crdt = {100ms, 500ms, 1s};
  TwoPaths r(cfg);
  r.submit(r.h);
  r.transport.complete_front(st(status::kNamespaceNotReady, false, 2));
  r.timers.advance_by(499ms);
  CHECK(r.transport.outstanding.empty());
  CHECK(r.h.delayed() == 1);
  r.timers.advance_by(1ms);
  REQUIRE(r.transport.outstanding.size() == 1);
  CHECK(r.transport.outstanding.front().at == at(500ms));
  r.transport.complete_front(st(status::kNamespaceNotReady, true));
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].result.reason == FailReason::ErrorStatus);
}

TEST_CASE("nvme_available_path (§1.4): all paths inaccessible queue I/O, flushed in order when one returns",
          "[head][nopath][ana]") {
  Rig r;
  Controller& a = r.controller("nvme0", {}, {{1, AnaState::Inaccessible}});
  Controller& b = r.controller("nvme1", {}, {{1, AnaState::Inaccessible}});
  NamespaceHead& h = r.head();
  h.add_path(a, 1, AnaState::Inaccessible);
  Path& pb = h.add_path(b, 1, AnaState::Inaccessible);
  r.connect_all();
  // Nothing has gone live yet: the head disk does not exist, I/O cannot be queued.
  CHECK_FALSE(h.live());
  CHECK_FALSE(h.available_path());
  r.transport.ana_log[&b] = {{1, AnaState::Optimized}};
  b.on_ana_change_notice();
  r.timers.advance_by(0ms);
  REQUIRE(h.live());
  r.transport.ana_log[&b] = {{1, AnaState::Inaccessible}};
  b.on_ana_change_notice();
  r.timers.advance_by(0ms);

  IoRequest& i1 = r.submit(h);
  IoRequest& i2 = r.submit(h);
  IoRequest& i3 = r.submit(h);
  CHECK(h.queued() == 3);
  CHECK(r.sink.done.empty());
  CHECK(r.transport.outstanding.empty());
  CHECK(h.counters().requeue_no_usable_path == 3);
  r.timers.advance_by(10s);
  CHECK(h.queued() == 3);

  r.transport.ana_log[&b] = {{1, AnaState::NonOptimized}};
  b.on_ana_change_notice();
  r.timers.advance_by(0ms);
  REQUIRE(r.transport.outstanding.size() == 3);
  CHECK(r.transport.outstanding[0].io == &i1);
  CHECK(r.transport.outstanding[1].io == &i2);
  CHECK(r.transport.outstanding[2].io == &i3);
  CHECK(i1.path == &pb);
  CHECK(r.transport.ineligible_dispatches == 0);
}

TEST_CASE("tag wait: a full controller holds I/O committed to its path until a tag frees", "[head][tags]") {
  Rig r;
  ControllerConfig cfg;
  cfg.queue_size = 2;
  Controller& a = r.controller("nvme0", cfg);
  NamespaceHead& h = r.head();
  h.add_path(a, 1, AnaState::Optimized);
  r.connect_all();
  r.submit(h);
  r.submit(h);
  IoRequest& third = r.submit(h);
  CHECK(r.transport.outstanding.size() == 2);
  CHECK(h.waiting_for_tag() == 1);
  CHECK(a.waiting_for_tag() == 1);
  CHECK_FALSE(a.can_accept());
  r.transport.complete_front(kOk);
  CHECK(h.waiting_for_tag() == 0);
  REQUIRE(r.transport.outstanding.size() == 2);
  CHECK(r.transport.outstanding.back().io == &third);
  CHECK(a.counters().tag_waits == 1);
}

TEST_CASE("complete() ignores stale attempts", "[head][stale]") {
  TwoPaths r;
  IoRequest& io = r.submit(r.h);
  std::uint32_t first_attempt = io.attempt;
  r.a.on_transport_error();
  r.timers.advance_by(0ms);  // teardown cancels, requeue work reissues on b
  REQUIRE(io.path == &r.pb);
  r.h.complete(io, kOk, first_attempt);  // a late answer from the dead connection
  CHECK(r.sink.done.empty());
  CHECK(r.h.counters().stale_completions == 1);
  r.transport.complete_front(kOk);
  CHECK(r.sink.done.size() == 1);
  r.h.complete(io, kOk);  // no longer in flight anywhere
  CHECK(r.sink.done.size() == 1);
  CHECK(r.h.counters().stale_completions == 2);
}

TEST_CASE("delayed_removal_secs (§1.9): the last path gone queues I/O until the period ends", "[head][removal]") {
  HeadConfig cfg;
  cfg.delayed_removal = 30s;
  Rig r;
  Controller& a = r.controller("nvme0");
  NamespaceHead& h = r.head(cfg);
  h.add_path(a, 1, AnaState::Optimized);
  r.connect_all();
  a.remove();
  CHECK(a.state() == ControllerState::Dead);
  IoRequest& io = r.submit(h);
  CHECK(h.queued() == 1);
  r.timers.advance_by(29s);
  CHECK(r.sink.done.empty());
  r.timers.advance_by(1s);
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].io == &io);
  CHECK(r.sink.done[0].result.reason == FailReason::HeadRemoved);
  CHECK(r.sink.done[0].at == at(30s));
  CHECK(h.removed());
}

TEST_CASE("delayed_removal_secs (§1.9): a path returning in time completes the queued I/O", "[head][removal]") {
  HeadConfig cfg;
  cfg.delayed_removal = 30s;
  Rig r;
  Controller& a = r.controller("nvme0");
  NamespaceHead& h = r.head(cfg);
  h.add_path(a, 1, AnaState::Optimized);
  r.connect_all();
  a.remove();
  r.submit(h);
  r.timers.advance_by(10s);
  Controller& a2 = r.controller("nvme2");
  a2.start();
  r.timers.advance_by(0ms);
  h.add_path(a2, 1, AnaState::Optimized);
  r.timers.advance_by(0ms);
  REQUIRE(r.transport.outstanding.size() == 1);
  r.transport.complete_front(kOk);
  r.timers.advance_by(60s);
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].result.ok());
  CHECK_FALSE(h.removed());
}

TEST_CASE("last path removed without delayed removal: queued I/O fails, new I/O fails", "[head][removal]") {
  Rig r;
  ControllerConfig cfg;
  Controller& a = r.controller("nvme0", cfg);
  NamespaceHead& h = r.head();
  h.add_path(a, 1, AnaState::Optimized);
  r.connect_all();
  r.transport.ana_log[&a] = {{1, AnaState::Inaccessible}};
  a.on_ana_change_notice();
  r.timers.advance_by(0ms);
  r.submit(h);
  CHECK(h.queued() == 1);
  a.remove();
  r.timers.advance_by(0ms);
  REQUIRE(r.sink.done.size() == 1);
  CHECK(r.sink.done[0].result.reason == FailReason::NoAvailablePath);
  r.submit(h);
  CHECK(r.sink.count(FailReason::NoAvailablePath) == 2);
  CHECK(h.counters().fail_no_available_path == 2);
}

namespace {
// Records what the head passes to select().
class RecordingSelector : public FirstUsable {
 public:
  Path* select(const PathList& paths, const IoRequest& io, const SelectContext& ctx) override {
    seen.push_back(ctx);
    return FirstUsable::select(paths, io, ctx);
  }
  std::vector<SelectContext> seen;
};

// nvme0 and nvme1, both optimized, connected, under one head with `policy`.
NamespaceHead& two_optimized_paths(Rig& r, const char* policy) {
  Controller& a = r.controller("nvme0");
  Controller& b = r.controller("nvme1");
  NamespaceHead& h = r.head({}, make_selector({policy, {}}));
  h.add_path(a, 1, AnaState::Optimized);
  h.add_path(b, 1, AnaState::Optimized);
  r.connect_all();
  return h;
}
}  // namespace

TEST_CASE("nvme_find_path input: SelectContext carries the submitter's node, thread and the time", "[head]") {
  Rig r;
  Controller& a = r.controller("nvme0");
  auto sel = std::make_unique<RecordingSelector>();
  RecordingSelector* rec = sel.get();
  NamespaceHead& h = r.head({}, std::move(sel));
  h.add_path(a, 1, AnaState::Optimized);
  r.connect_all();
  r.timers.advance_to(at(3s));
  r.ios.emplace_back();
  IoRequest& io = r.ios.back();
  io.numa_node = 1;
  io.thread = 7;
  h.submit(io);
  REQUIRE(rec->seen.size() == 1);
  CHECK(rec->seen[0].numa_node == 1);
  CHECK(rec->seen[0].thread == 7);
  CHECK(rec->seen[0].now == at(3s));
  CHECK(io.submitted == at(3s));
  CHECK(io.dispatched == at(3s));
}

TEST_CASE("iopolicy change (§1.1): queue-depth counts are returned after switching to numa mid-flight",
          "[head][iopolicy]") {
  Rig r;
  Controller& a = r.controller("nvme0");
  NamespaceHead& h = r.head({}, make_selector({"queue-depth", {}}));
  h.add_path(a, 1, AnaState::Optimized);
  r.connect_all();
  for (int i = 0; i < 3; ++i) r.submit(h);
  CHECK(a.nr_active == 3);
  h.set_selector(make_selector({"numa", {}}), Stack::LinuxNative);
  r.submit(h);
  CHECK(a.nr_active == 3);  // numa does not count
  r.transport.complete_all();
  CHECK(a.nr_active == 0);
  CHECK(r.sink.done.size() == 4);
}

TEST_CASE("reconnect zeroes nr_active (nvme_mpath_init_identify)", "[head][iopolicy]") {
  Rig r;
  NamespaceHead& h = two_optimized_paths(r, "queue-depth");
  Controller& a = *r.ctrls[0];
  Controller& b = *r.ctrls[1];
  for (int i = 0; i < 4; ++i) r.submit(h);
  CHECK(a.nr_active + b.nr_active == 4);
  a.reset();
  r.timers.advance_by(0ms);  // cancelled I/O fails over; a reconnects at once
  CHECK(a.state() == ControllerState::Live);
  r.transport.complete_all();
  CHECK(a.nr_active == 0);
  CHECK(b.nr_active == 0);
  CHECK(r.sink.done.size() == 4);
}

TEST_CASE("queue-depth under a block plug: choices see the depths from before the plug, the count moves at unplug",
          "[head][iopolicy][plug]") {
  Rig r;
  NamespaceHead& h = two_optimized_paths(r, "queue-depth");
  Controller& a = *r.ctrls[0];
  Controller& b = *r.ctrls[1];
  for (int i = 0; i < 4; ++i) r.submit(h);  // unplugged: each starts at once, so they alternate
  CHECK(a.nr_active == 2);
  CHECK(b.nr_active == 2);

  h.plug();
  for (int i = 0; i < 3; ++i) r.submit(h);
  CHECK(r.transport.outstanding.size() == 4);  // nothing reached a controller yet
  CHECK(a.nr_active == 2);
  CHECK(h.inflight() == 7);                     // but they are the head's, holding their path
  h.unplug();
  CHECK(a.nr_active == 5);  // equal depths all the way: every one went to the first path
  CHECK(b.nr_active == 2);
  REQUIRE(r.transport.outstanding.size() == 7);
  for (std::size_t i = 4; i < 7; ++i) CHECK(r.transport.outstanding[i].ctrl == &a);
  CHECK(r.transport.outstanding[4].io->id == 5);  // started in submission order
  CHECK(r.transport.outstanding[6].io->id == 7);
  CHECK_THROWS_AS((h.plug(), h.plug()), std::logic_error);
  h.unplug();
  r.transport.complete_all();
  CHECK(a.nr_active == 0);
  CHECK(r.sink.done.size() == 7);
}

TEST_CASE("round-robin under a block plug still alternates: its state moves at the choice", "[head][iopolicy][plug]") {
  Rig r;
  NamespaceHead& h = two_optimized_paths(r, "round-robin");
  Controller& a = *r.ctrls[0];
  Controller& b = *r.ctrls[1];
  h.plug();
  for (int i = 0; i < 4; ++i) r.submit(h);
  h.unplug();
  CHECK(r.transport.outstanding_on(a) == 2);
  CHECK(r.transport.outstanding_on(b) == 2);
}
