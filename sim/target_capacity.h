// The target's shared capacity: the cores its queues run on (TargetCores), which media queue a
// job's I/O reaches and the SPDK QoS buckets it passes first — one per limited namespace and one
// per limited (host, namespace) pair (the pair's bucket first, then the namespace's). Plain state
// in virtual nanoseconds, part of TargetModel so a real-time engine gets it too.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "models/model_set.h"
#include "sim/cpu_pool.h"
#include "sim/qos_spec.h"
#include "sim/spdk_qos.h"

namespace mpsim::sim {

// A target node's cores as nvmet-tcp uses them. Every queue (the admin queue and each I/O
// queue of a host connection) has its own socket, and nvmet queues the queue's io_work on the
// CPU that socket receives on (drivers/nvme/target/tcp.c: queue_cpu() is
// sk->sk_incoming_cpu, nvmet_tcp_data_ready() does queue_work_on(queue_cpu(queue), ...)). That
// CPU is where the NIC's receive-side scaling steers the flow: a hash of the 4-tuple, so the
// queues spread over the cores at random, two may share one, and a reconnect (new source ports)
// may move them. Modelled so: each queue's core is a hash of (seed, controller, connection
// epoch, queue id) modulo the node's cores; work on a queue runs on its core only, to
// completion, behind whatever that core already has (one io_work at a time per core). An I/O of
// host job j goes on I/O queue 1 + j % nr_io_queues: blk-mq maps the submitting CPU to its queue
// and a fio job stays on one CPU (simplified: the job index stands for that CPU).
class TargetCores {
 public:
  explicit TargetCores(std::uint64_t seed = 0) : seed_(seed) {}
  void add_node(std::uint32_t cores, const models::CpuParams& params, std::uint64_t seed);
  // Controller ids are dense and given in order: the id returned is the number registered before.
  std::uint32_t add_controller(int node, std::uint32_t io_queues);
  // The connection `epoch` opened new sockets: its queues land on the cores RSS now picks.
  void bind(std::uint32_t ctrl, std::uint32_t epoch);

  // `cost` ns of work from `now` on the core of job `job`'s I/O queue; returns when it is done.
  std::int64_t run_io(std::uint32_t ctrl, std::uint32_t job, std::int64_t now, std::int64_t cost) {
    const Controller& c = ctrls_[ctrl];
    return run_on(c.first_core + c.queue_core[1 + job % c.io_queues], now, cost);
  }
  // The same on the admin queue's core (connect, and the fabric commands of the controller).
  std::int64_t run_admin(std::uint32_t ctrl, std::int64_t now, std::int64_t cost) {
    const Controller& c = ctrls_[ctrl];
    return run_on(c.first_core + c.queue_core[0], now, cost);
  }
  // The node's earliest-free core (ties: the lowest), for an engine that registers no queues
  // (the live emulator, sim/live).
  std::int64_t run_earliest(int node, std::int64_t now, std::int64_t cost);
  // Node-relative core of queue `qid` (0 = admin) of a controller, for tests and reports.
  std::uint32_t core_of(std::uint32_t ctrl, std::uint32_t qid) const { return ctrls_[ctrl].queue_core[qid]; }

 private:
  struct Node {
    std::uint32_t first = 0, cores = 1;
  };
  struct Controller {
    int node = 0;
    std::uint32_t first_core = 0, io_queues = 1;
    std::vector<std::uint32_t> queue_core;  // by qid, node-relative
  };
  std::int64_t run_on(std::uint32_t core, std::int64_t now, std::int64_t cost) {
    std::int64_t& free_at = free_at_[core];
    const std::int64_t start = std::max(now, free_at);
    free_at = pauses_.empty() ? start + cost : pauses_[core].finish(start, cost);
    return free_at;
  }

  std::uint64_t seed_;
  std::vector<Node> nodes_;
  std::vector<Controller> ctrls_;
  std::vector<std::int64_t> free_at_;  // by core over all nodes
  std::vector<PauseTrack> pauses_;     // by core; empty = no pauses anywhere
};

class TargetCapacity {
 public:
  void set_qos(const std::vector<TargetQosSpec>& specs);
  std::uint32_t channel(std::uint32_t media, const std::string& nqn, std::uint32_t nsid, const std::string& host);

  std::uint32_t media(std::uint32_t channel) const { return channels_[channel].media; }
  // When an I/O reaching the QoS layer at `t` leaves its queues for the media.
  std::int64_t admit(std::uint32_t channel, std::int64_t t, bool read, std::uint32_t bytes) {
    Channel& c = channels_[channel];
    if (c.pair < 0 && c.ns < 0) return t;  // the common case: no QoS on the way
    return admit_limited(c, t, read, bytes);
  }

  // Time this channel's I/O waited in QoS queues (sum over I/O), and how many waited.
  std::int64_t throttled_ns(std::uint32_t channel) const { return channels_[channel].throttled_ns; }
  std::uint64_t throttled_ios(std::uint32_t channel) const { return channels_[channel].throttled_ios; }

 private:
  struct Channel {
    std::uint32_t media = 0;
    int pair = -1, ns = -1;  // indices into buckets_, -1 = unlimited
    std::int64_t throttled_ns = 0;
    std::uint64_t throttled_ios = 0;
  };
  std::int64_t admit_limited(Channel& c, std::int64_t t, bool read, std::uint32_t bytes);
  int bucket(const std::string& nqn, std::uint32_t nsid, const std::string& host);

  std::map<std::tuple<std::string, std::uint32_t, std::string>, SpdkQosLimits> limits_;  // host "" = namespace
  std::map<std::tuple<std::string, std::uint32_t, std::string>, int> bucket_of_;
  std::vector<SpdkQos> buckets_;
  std::vector<Channel> channels_;
};

}  // namespace mpsim::sim
