// Test fixture for path selectors: controllers brought LIVE through their public lifecycle
// (with fake timers and transport that never answer on their own), namespace heads that
// only anchor paths, and path lists built by hand so each test controls order and state.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "policies/controller.h"
#include "policies/namespace_head.h"
#include "policies/selector.h"

namespace mpsim::policies::testing {

// Timers are recorded and never fire: selector tests must not depend on controller timing.
class FakeTimers : public TimerService {
 public:
  TimePoint now() const override { return now_; }
  TimerId schedule_after(Duration, std::function<void()>) override { return ++last_id_; }
  void cancel(TimerId) override {}
  TimePoint now_{};

 private:
  TimerId last_id_ = 0;
};

class FakeTransport : public ControllerTransport {
 public:
  void connect(Controller&) override {}
  void send_keep_alive(Controller&) override {}
  void read_ana_log(Controller&) override {}
  void dispatch(IoRequest&) override {}
  void disconnect(Controller&) override {}
};

class NullSink : public IoCompletionSink {
 public:
  void finished(IoRequest&, const IoResult&) override {}
};

class Fabric {
 public:
  // A controller that completed its first connect (state LIVE).
  Controller& live_controller(const std::string& name, int numa_node = kNumaNoNode) {
    Controller& c = new_controller(name, numa_node);
    c.start();
    c.on_connect_done(true, {});
    return c;
  }
  // A controller still trying its first connect (not LIVE, so its paths are disabled).
  Controller& connecting_controller(const std::string& name) {
    Controller& c = new_controller(name, kNumaNoNode);
    c.start();
    return c;
  }
  NamespaceHead& head(const std::string& name) {
    HeadConfig config;
    config.name = name;
    heads_.push_back(std::make_unique<NamespaceHead>(config, make_selector({"numa", {}}), timers, sink_));
    return *heads_.back();
  }
  // Appends a path to `list` with Path::index = its position, the way head->list is built.
  // The path is not attached to the controller, so controller events never reach the
  // anchor head; tests drive the selector hooks themselves.
  Path& add_path(PathList& list, NamespaceHead& h, Controller& c, AnaState ana) {
    paths_.push_back(std::make_unique<Path>(c, h, list.size(), 1, ana));
    list.push_back(paths_.back().get());
    return *paths_.back();
  }

  FakeTimers timers;

 private:
  Controller& new_controller(const std::string& name, int numa_node) {
    ControllerConfig config;
    config.numa_node = numa_node;
    controllers_.push_back(std::make_unique<Controller>(name, config, timers, transport_));
    return *controllers_.back();
  }

  FakeTransport transport_;
  NullSink sink_;
  std::vector<std::unique_ptr<Controller>> controllers_;
  std::vector<std::unique_ptr<NamespaceHead>> heads_;
  std::vector<std::unique_ptr<Path>> paths_;
};

// One namespace seen through several controllers: the common selector test setup.
struct PathSet {
  Fabric fabric;
  NamespaceHead& head = fabric.head("nvme0n1");
  PathList list;

  Path& add(AnaState ana, int numa_node = kNumaNoNode) {
    Controller& c = fabric.live_controller("nvme" + std::to_string(list.size()), numa_node);
    return fabric.add_path(list, head, c, ana);
  }
};

inline char letter(const Path* p) { return p ? char('A' + p->index) : '-'; }

inline IoRequest make_io(std::uint32_t bytes = 4096, int numa_node = 0, std::uint32_t thread = 0) {
  IoRequest io;
  io.bytes = bytes;
  io.numa_node = numa_node;
  io.thread = thread;
  return io;
}

inline Path* pick(PathSelector& s, const PathList& list, int numa_node = 0, std::uint32_t thread = 0,
                  TimePoint now = {}) {
  const IoRequest io = make_io(4096, numa_node, thread);
  return s.select(list, io, SelectContext{numa_node, thread, now});
}

// Letters of `n` consecutive choices, without dispatching anything ('-' = no path).
inline std::string sequence(PathSelector& s, const PathList& list, int n, int numa_node = 0,
                            std::uint32_t thread = 0) {
  std::string out;
  for (int i = 0; i < n; ++i) out += letter(pick(s, list, numa_node, thread));
  return out;
}

inline std::unique_ptr<PathSelector> make(const std::string& name,
                                          std::map<std::string, std::string> params = {}) {
  return make_selector(PolicyConfig{name, std::move(params)});
}

}  // namespace mpsim::policies::testing
