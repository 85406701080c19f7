// Test environment for Controller / NamespaceHead: a deterministic event queue behind
// TimerService, a scripted transport that answers through that queue (never from inside the
// call), and a sink that records every finished I/O. Namespace headtest keeps these apart from
// the selector tests' fakes (one test binary, one definition per name).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "policies/controller.h"
#include "policies/namespace_head.h"
#include "policies/selector.h"

namespace mpsim::policies::headtest {

using namespace std::chrono_literals;

inline TimePoint at(Duration d) { return TimePoint(d); }

// Events run in (time, scheduling order); cancelling removes the event.
class FakeTimers : public TimerService {
 public:
  TimePoint now() const override { return now_; }
  TimerId schedule_after(Duration delay, std::function<void()> fn) override {
    TimerId id = ++last_id_;
    TimePoint when = now_ + (delay < Duration(0) ? Duration(0) : delay);
    events_.emplace(std::make_pair(when, id), std::move(fn));
    when_.emplace(id, when);
    return id;
  }
  void cancel(TimerId id) override {
    auto it = when_.find(id);
    if (it == when_.end()) return;
    events_.erase(std::make_pair(it->second, id));
    when_.erase(it);
  }

  // Runs the earliest event; false when there is none.
  bool run_next() {
    if (events_.empty()) return false;
    auto it = events_.begin();
    now_ = it->first.first;
    std::function<void()> fn = std::move(it->second);
    when_.erase(it->first.second);
    events_.erase(it);
    fn();
    return true;
  }
  // Runs everything due up to and including t, then sets the clock to t.
  void advance_to(TimePoint t) {
    while (!events_.empty() && events_.begin()->first.first <= t) run_next();
    if (t > now_) now_ = t;
  }
  void advance_by(Duration d) { advance_to(now_ + d); }
  // Runs until nothing is scheduled (never returns while keep-alive runs: use advance_to then).
  std::size_t run_until_idle(std::size_t max_events = 1000000) {
    std::size_t n = 0;
    while (n < max_events && run_next()) ++n;
    return n;
  }
  std::size_t pending() const { return events_.size(); }
  TimePoint next_event() const { return events_.empty() ? TimePoint::max() : events_.begin()->first.first; }

 private:
  TimePoint now_{};
  TimerId last_id_ = 0;
  std::map<std::pair<TimePoint, TimerId>, std::function<void()>> events_;
  std::map<TimerId, TimePoint> when_;
};

struct Dispatched {
  IoRequest* io;
  Controller* ctrl;
  std::uint32_t attempt;
  TimePoint at;
};

// Answers connects, keep-alives and ANA reads after `rtt` (unless told to stay silent); keeps
// dispatched I/O until the test completes it. Checks every dispatch against path_usable.
class FakeTransport : public ControllerTransport {
 public:
  explicit FakeTransport(FakeTimers& timers) : timers_(timers) {}

  Duration rtt = Duration(0);
  std::function<bool(Controller&)> connect_ok = [](Controller&) { return true; };
  std::map<const Controller*, AnaLog> ana_log;  // what connect and read_ana_log return
  std::set<const Controller*> silent;           // link lost: nothing is answered
  std::map<const Controller*, int> connects, keep_alives, ana_reads, disconnects;
  std::vector<Dispatched> history;
  std::deque<Dispatched> outstanding;
  std::uint64_t ineligible_dispatches = 0;

  void connect(Controller& c) override {
    ++connects[&c];
    if (silent.count(&c) != 0) return;
    timers_.schedule_after(rtt, [this, &c] { c.on_connect_done(connect_ok(c), ana_log[&c]); });
  }
  void send_keep_alive(Controller& c) override {
    ++keep_alives[&c];
    if (silent.count(&c) != 0) return;
    timers_.schedule_after(rtt, [&c] { c.on_keep_alive_done(); });
  }
  void read_ana_log(Controller& c) override {
    ++ana_reads[&c];
    if (silent.count(&c) != 0) return;
    timers_.schedule_after(rtt, [this, &c] { c.on_ana_log(ana_log[&c]); });
  }
  // A path the selector could choose, or a same-path retry on a LIVE controller (nvme_retry_req
  // keeps a retry on its path whatever the ANA state, as the kernel does).
  void dispatch(IoRequest& io) override {
    const Path& p = *io.path;
    bool retry_on_live = io.retries > 0 && p.ctrl->state() == ControllerState::Live;
    if (!path_usable(p) && !retry_on_live) ++ineligible_dispatches;
    Dispatched d{&io, p.ctrl, io.attempt, timers_.now()};
    history.push_back(d);
    outstanding.push_back(d);
  }
  void disconnect(Controller& c) override {
    ++disconnects[&c];
    std::deque<Dispatched> keep;
    for (const Dispatched& d : outstanding)
      if (d.ctrl != &c) keep.push_back(d);
    outstanding.swap(keep);
  }

  // Completes the oldest outstanding I/O (optionally only one on controller c).
  bool complete_front(NvmeStatus s = {}, const Controller* c = nullptr) {
    for (auto it = outstanding.begin(); it != outstanding.end(); ++it) {
      if (c != nullptr && it->ctrl != c) continue;
      Dispatched d = *it;
      outstanding.erase(it);
      d.io->path->head->complete(*d.io, s, d.attempt);
      return true;
    }
    return false;
  }
  // Completes this I/O's outstanding attempt, if it has one.
  bool complete_io(const IoRequest& io, NvmeStatus s = {}) {
    for (auto it = outstanding.begin(); it != outstanding.end(); ++it) {
      if (it->io != &io) continue;
      Dispatched d = *it;
      outstanding.erase(it);
      d.io->path->head->complete(*d.io, s, d.attempt);
      return true;
    }
    return false;
  }
  std::size_t complete_all(NvmeStatus s = {}) {
    std::size_t n = 0;
    while (complete_front(s)) ++n;
    return n;
  }
  std::size_t outstanding_on(const Controller& c) const {
    std::size_t n = 0;
    for (const Dispatched& d : outstanding) n += d.ctrl == &c ? 1 : 0;
    return n;
  }

 private:
  FakeTimers& timers_;
};

struct Finished {
  IoRequest* io;
  IoResult result;
  TimePoint at;
};

class RecordingSink : public IoCompletionSink {
 public:
  explicit RecordingSink(const FakeTimers& timers) : timers_(timers) {}
  void finished(IoRequest& io, const IoResult& r) override {
    done.push_back({&io, r, timers_.now()});
    ++times_finished[io.id];
  }
  std::size_t count(FailReason r) const {
    std::size_t n = 0;
    for (const Finished& f : done) n += f.result.reason == r ? 1 : 0;
    return n;
  }
  std::vector<Finished> done;
  std::map<std::uint64_t, int> times_finished;

 private:
  const FakeTimers& timers_;
};

// Test-only policy: the first usable path in list order.
class FirstUsable : public PathSelector {
 public:
  Path* select(const PathList& paths, const IoRequest&, const SelectContext&) override {
    for (Path* p : paths)
      if (path_usable(*p)) return p;
    return nullptr;
  }
};

class ObserverLog : public ControllerObserver {
 public:
  explicit ObserverLog(const FakeTimers& timers) : timers_(timers) {}
  struct Event {
    const Controller* ctrl;
    ControllerState from, to;
    std::string why;
    TimePoint at;
  };
  void on_state_change(const Controller& c, ControllerState from, ControllerState to, std::string_view why) override {
    events.push_back({&c, from, to, std::string(why), timers_.now()});
  }
  // Time of the first transition of c into `to` at or after `after`.
  TimePoint first(const Controller& c, ControllerState to, TimePoint after = TimePoint::min()) const {
    for (const Event& e : events)
      if (e.ctrl == &c && e.to == to && e.from != to && e.at >= after) return e.at;
    return TimePoint::max();
  }
  std::vector<Event> events;

 private:
  const FakeTimers& timers_;
};

// A small fabric: controllers and heads wired to the fakes above.
struct Rig {
  FakeTimers timers;
  FakeTransport transport{timers};
  RecordingSink sink{timers};
  ObserverLog observer{timers};
  std::vector<std::unique_ptr<Controller>> ctrls;
  std::vector<std::unique_ptr<NamespaceHead>> heads;
  std::deque<IoRequest> ios;  // stable addresses

  Controller& controller(const std::string& name, ControllerConfig cfg = {}, AnaLog log = {{1, AnaState::Optimized}}) {
    ctrls.push_back(std::make_unique<Controller>(name, cfg, timers, transport, &observer));
    transport.ana_log[ctrls.back().get()] = std::move(log);
    return *ctrls.back();
  }
  NamespaceHead& head(HeadConfig cfg = {}, std::unique_ptr<PathSelector> sel = std::make_unique<FirstUsable>()) {
    if (cfg.name.empty()) cfg.name = "nvme0n" + std::to_string(heads.size() + 1);
    heads.push_back(std::make_unique<NamespaceHead>(cfg, std::move(sel), timers, sink));
    return *heads.back();
  }
  // Starts every controller and lets the connects answer.
  void connect_all() {
    for (auto& c : ctrls) c->start();
    timers.advance_by(transport.rtt);
  }
  IoRequest& submit(NamespaceHead& h) {
    ios.emplace_back();
    IoRequest& io = ios.back();
    io.id = ios.size();
    h.submit(io);
    return io;
  }
};

}  // namespace mpsim::policies::headtest
