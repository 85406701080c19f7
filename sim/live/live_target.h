// The NVMe target the live engine exports: the topology's subsystems, namespaces and ports as
// NVMe-oF controllers a real host can use. ANA state per port and group, the ANA status of a
// command and the media and CPU service times come from the simulator's own sim::TargetModel;
// this class adds what a real host needs on top of it (controllers with their properties and
// cntlid, Identify data, log pages, features, asynchronous events, RAM-backed data).
//
// It knows no socket and no clock: a Session (session.h) hands it one command at a time with
// the time in nanoseconds, and it reaches the connections only through TargetHooks.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/model_set.h"
#include "sim/live/nvme_wire.h"
#include "sim/live/sparse_store.h"
#include "sim/target_model.h"
#include "topologies/topology.pb.h"

namespace mpsim::live {

using ConnId = std::uint64_t;

// What the target asks of whoever owns the connections (the emulator, or a test).
class TargetHooks {
 public:
  virtual ~TargetHooks() = default;
  // A completion that was held (an Asynchronous Event Request) is due on connection `conn`.
  virtual void complete_held(ConnId conn, const Cqe& cqe) = 0;
  // The target drops connection `conn` (controller fatal error, its admin queue went away).
  virtual void close_connection(ConnId conn, const std::string& reason) = 0;
  // A line for the events log (kind, subject, detail as events.csv has them).
  virtual void event(std::string_view kind, std::string_view subject, const std::string& detail) = 0;
};

// Limits the target advertises, and the per-connection memory bound that follows from them.
struct TargetLimits {
  static constexpr std::uint16_t kMaxQueueEntries = 128;      // CAP.MQES + 1
  static constexpr std::uint16_t kMaxIoQueues = 64;
  static constexpr std::uint8_t kMdts = 5;                    // 2^5 x 4 KiB = 128 KiB per command
  static constexpr std::uint32_t kMaxTransfer = 4096u << kMdts;
  static constexpr std::uint32_t kInlineData = 8192;          // in-capsule write data (IOCCSZ)
  static constexpr std::uint32_t kMaxH2CData = kMaxTransfer;  // ICResp MAXH2CDATA
  static constexpr std::uint32_t kNamespacesMax = 1024;       // NN and MNAN
  static constexpr std::uint32_t kAnaGroupsMax = 128;         // ANAGRPMAX, NANAGRPID (nvmet's)
  static constexpr std::uint8_t kAerLimit = 3;                // AERL (0's based): 4 outstanding
  static constexpr std::uint32_t kBlockSize = 512;
};

// Where a command came from: its connection, port and, once connected, controller and queue.
struct QueueRef {
  ConnId conn = 0;
  std::uint32_t port = 0;       // index into LiveTarget::ports()
  std::uint32_t ctrl = 0;       // controller id (valid when connected)
  std::uint16_t qid = 0;
  std::uint16_t sqsize = 0;     // 0's based, from Connect
  bool connected = false;
};

// The answer to one command.
struct Outcome {
  Outcome() = default;
  explicit Outcome(std::uint16_t st, std::uint64_t res = 0, Bytes payload = {})
      : status(st), result(res), data(std::move(payload)) {}
  std::uint16_t status = sc::kSuccess;
  std::uint64_t result = 0;
  Bytes data;                   // controller-to-host data
  bool held = false;            // no completion now (an AER waits for an event)
  std::int64_t delay_ns = 0;    // complete this much later (modelled service time, gray)
};

struct LivePort {
  std::string name;             // "<node>.<port>", as the model and the fault schedule name it
  std::uint32_t model_port = 0; // index in sim::TargetModel
  std::string traddr;
  std::uint32_t trsvcid = 0;
  std::vector<std::uint32_t> subsystems;
  double link_latency_s = 0;    // of the link plugged into it (gray faults scale it)
  double link_bps = 0;
};

class LiveTarget {
 public:
  // `apply_models`: delay each I/O by the models' target CPU and media time, in real time.
  LiveTarget(const topology::Topology& topo, const models::ModelSet& models, std::uint64_t seed,
             std::uint64_t memory_limit_bytes, bool apply_models, TargetHooks& hooks);
  ~LiveTarget();

  const std::vector<LivePort>& ports() const { return ports_; }
  const MemoryBudget& memory() const { return budget_; }

  Outcome execute(QueueRef& q, const Sqe& sqe, ByteSpan data, std::int64_t now_ns);
  // The connection behind `q` is gone: an admin queue takes its controller (and the controller's
  // I/O connections) with it.
  void disconnect(const QueueRef& q);

  // Fault schedule entry points (the emulator maps the fault plan onto these).
  void set_ana(std::uint32_t port, std::uint32_t grpid, topology::AnaState state);
  topology::AnaState initial_ana(std::uint32_t port, std::uint32_t grpid) const;
  // nvmet_ctrl_fatal_error for every controller on `port`: CSTS.CFS, connections closed.
  void fatal_error(std::uint32_t port, const std::string& why);
  // Gray: each completion through `port` waits `extra_ns` longer (0 = off).
  void set_port_delay(std::uint32_t port, std::int64_t extra_ns) { port_delay_ns_[port] = extra_ns; }
  std::int64_t port_delay(std::uint32_t port) const { return port_delay_ns_[port]; }
  // Controllers whose host sent nothing for longer than their KATO (nvmet's keep-alive
  // timer, traffic based: any command counts) get a fatal error. Call about once a second.
  void check_keep_alive(std::int64_t now_ns);
  std::size_t controller_count() const { return ctrls_.size(); }

  // I/O commands per port: completed with success, refused by the ANA check (0x301-0x303).
  struct PortCounters {
    std::uint64_t ios = 0, ana_refused = 0;
  };
  const PortCounters& counters(std::uint32_t port) const { return counters_[port]; }

 private:
  struct Namespace;
  struct Subsystem;
  struct Controller;

  Outcome dispatch(QueueRef& q, const Sqe& sqe, ByteSpan data, std::int64_t now_ns);
  Outcome connect(QueueRef& q, const Sqe& sqe, ByteSpan data);
  Outcome property_get(const Controller& c, const Sqe& sqe) const;
  Outcome property_set(Controller& c, const Sqe& sqe);
  Outcome admin(QueueRef& q, Controller& c, const Sqe& sqe);
  Outcome identify(const Controller& c, const Sqe& sqe) const;
  Outcome get_log_page(Controller& c, const Sqe& sqe) const;
  Outcome features(Controller& c, const Sqe& sqe);
  Outcome async_event(Controller& c, const QueueRef& q, const Sqe& sqe);
  Outcome io(const QueueRef& q, Controller& c, const Sqe& sqe, ByteSpan data, std::int64_t now_ns);
  Bytes identify_controller(const Controller& c) const;
  Bytes identify_namespace(const Namespace& ns) const;
  Bytes ana_log(const Controller& c, bool groups_only) const;
  Namespace* find_ns(const Controller& c, std::uint32_t nsid) const;
  void post_event(Controller& c, std::uint32_t dw0);
  void deliver_events(Controller& c);
  void drop_controller(std::uint32_t id, const std::string& reason);
  std::string ctrl_name(const Controller& c) const;

  TargetHooks& hooks_;
  sim::TargetModel model_;
  const models::ModelSet& models_;
  MemoryBudget budget_;
  bool apply_models_;
  std::vector<LivePort> ports_;
  std::vector<std::unique_ptr<Subsystem>> subsystems_;
  std::map<std::uint32_t, std::unique_ptr<Controller>> ctrls_;
  std::uint32_t next_ctrl_ = 1;
  std::uint64_t ana_change_count_ = 0;
  std::vector<std::int64_t> port_delay_ns_;
  std::vector<PortCounters> counters_;
};

}  // namespace mpsim::live
