// The nvmet target side of a fabric: target nodes (their CPUs, and a generation that a crash
// bumps), ports with their ANA groups and states, nvmet_check_ana_state, the ANA log a port
// reports, the controllers the target holds for each connection, the namespaces' media queues,
// and the Identify Controller data the hosts read (ANATT).
//
// It is plain state and rules in virtual nanoseconds: no SimGrid, no fabric, no calendar. The
// des engine drives it from its events; a real-time engine can drive it from sockets.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "models/media.h"
#include "models/model_set.h"
#include "policies/controller.h"
#include "policies/types.h"
#include "sim/target_capacity.h"
#include "sim/target_keepalive.h"
#include "topologies/topology.pb.h"

namespace mpsim::sim {

policies::AnaState to_policies(topology::AnaState s);

struct TargetPortState {
  std::string name;                    // "<node>.<port>"
  int node = -1;
  std::vector<std::pair<std::uint32_t, topology::AnaState>> ana;  // (grpid, state)
  std::vector<std::pair<std::uint32_t, topology::AnaState>> initial;
  std::vector<std::uint32_t> controllers;  // controller ids connected through it
  // Down with IMMEDIATE detection the target closed its listener: a connect is refused at once.
  // Down silently (AUTO, SILENT) the port answers nothing: a SYN is lost, and the retry or the
  // connect timeout follows.
  bool refuses_while_down = true;
  topology::AnaState state(std::uint32_t grpid) const;
};

// A command past the ANA check whose media work is booked: it reaches the media at `lands`
// whatever the host does meanwhile (nvmet cannot take back a bio it has submitted; a host that
// tears its queue down only stops hearing the answer). Only its node going down first stops it.
// The host-side fields are the engine's, carried so the landing can be reported.
struct MediaCommand {
  std::uint32_t slot = 0, attempt = 0;  // the engine's key: I/O slot and its attempt's tag
  std::int64_t sent = 0;                // when the attempt left the host
  std::int64_t lands = 0;
  int node = -1;
  std::uint32_t generation = 0;         // of its node when it arrived
  std::uint32_t conn = 0;
  std::uint32_t media = 0;
  std::uint64_t io_id = 0;
  std::uint64_t host_done_stamp = 0;    // set when the host finished the I/O: the next I/O id then
  std::uint64_t offset = 0;
  std::uint32_t bytes = 0;
  bool write = false;
};

class TargetModel {
 public:
  TargetModel(const topology::Topology& topo, const models::ModelSet& models, std::uint64_t seed);

  // Ports, in node order then port order.
  std::optional<std::uint32_t> find_port(const std::string& id) const;  // "<node>.<port>"
  const TargetPortState& port(std::uint32_t p) const { return ports_[p]; }

  // Identify Controller ANATT of a subsystem (topology `anatt_s`, nvmet's 10 s by default).
  policies::Duration anatt(const std::string& nqn) const;

  // Controllers: one id per host connection, registered before the run. The target holds a
  // controller for connection `epoch` from accept() until forget(), a crash of its node, or
  // the next accept(). A host that closes its connection is not forgotten at once: the target
  // lets go when the host's FIN reaches it, or, if the connection died silently, when its own
  // keep-alive timer expires (Transport::disconnect).
  // `io_queues`: the connection's I/O queues (nr_io_queues), each pinned to a core (TargetCores);
  // `kato_ns`: the kato the host connects with, nvmet's own keep-alive timer (0 = none).
  std::uint32_t add_controller(std::uint32_t port, std::uint32_t io_queues = 1, std::int64_t kato_ns = 0);
  void accept(std::uint32_t ctrl, std::uint32_t epoch, std::int64_t now = 0);
  void forget(std::uint32_t ctrl) { ctrls_[ctrl].epoch = 0; }
  bool knows(std::uint32_t ctrl, std::uint32_t epoch) const {
    const TargetController& c = ctrls_[ctrl];
    return c.epoch == epoch && c.generation == nodes_[c.node].generation;
  }
  // The same at `now`, and its keep-alive timer has not expired (target_keepalive.h); a command
  // of the controller reaching the target at `now` then resets the timer with command().
  bool knows(std::uint32_t ctrl, std::uint32_t epoch, std::int64_t now) const {
    return knows(ctrl, epoch) && keep_alive_.alive(ctrl, now);
  }
  void command(std::uint32_t ctrl, std::int64_t now, bool keep_alive = false) {
    keep_alive_.command(ctrl, now, keep_alive);
  }
  const TargetKeepAlive& keep_alive() const { return keep_alive_; }
  TargetKeepAlive& keep_alive() { return keep_alive_; }

  // A node that goes down forgets every controller it held.
  void node_down(int node) { ++nodes_[node].generation; }
  // Work of `cost` ns from `now` on the core nvmet-tcp runs the queue on (target_capacity.h):
  // job `job`'s I/O queue, or the admin queue; returns when it is done.
  std::int64_t run_io_cpu(std::uint32_t ctrl, std::uint32_t job, std::int64_t now, std::int64_t cost) {
    return cores_.run_io(ctrl, job, now, cost);
  }
  std::int64_t run_admin_cpu(std::uint32_t ctrl, std::int64_t now, std::int64_t cost) {
    return cores_.run_admin(ctrl, now, cost);
  }
  // Without a registered queue (the live emulator): the node's earliest-free core.
  std::int64_t run_cpu(int node, std::int64_t now, std::int64_t cost) { return cores_.run_earliest(node, now, cost); }
  const TargetCores& cores() const { return cores_; }

  // nvmet_check_ana_state: the status a command to group `grpid` through `port` gets before
  // it reaches the media (success, 0x302 inaccessible, 0x301 persistent loss, 0x303 change).
  policies::NvmeStatus check_ana(std::uint32_t port, std::uint32_t grpid) const;
  // The ANA log page as `port` reports it, for the given groups.
  policies::AnaLog ana_log(std::uint32_t port, const std::vector<std::uint32_t>& grpids) const;
  void set_ana(std::uint32_t port, std::uint32_t grpid, topology::AnaState state);
  topology::AnaState initial_ana(std::uint32_t port, std::uint32_t grpid) const;
  void set_refuses_while_down(std::uint32_t port, bool refuses) { ports_[port].refuses_while_down = refuses; }

  // Media queue of namespace (nqn, nsid) with the named model, created on first use; namespaces
  // on one device (topology `device`) share its queue.
  std::uint32_t media_of(const std::string& nqn, std::uint32_t nsid, const std::string& model);
  // The way one job's I/O to a namespace takes at the target (its QoS buckets, then the media);
  // serve_media takes the channel. Capacity and QoS live in TargetCapacity (target_capacity.h).
  std::uint32_t channel(std::uint32_t media, const std::string& nqn, std::uint32_t nsid, const std::string& host) {
    return capacity_.channel(media, nqn, nsid, host);
  }
  void set_qos(const std::vector<TargetQosSpec>& specs) { capacity_.set_qos(specs); }
  const TargetCapacity& capacity() const { return capacity_; }
  // When an I/O of `channel` that reaches the QoS layer at `t` may go on to the media (t itself
  // when nothing limits it): SPDK QoS holds it in its queue until then.
  std::int64_t admit(std::uint32_t channel, std::int64_t t, bool read, std::uint32_t bytes) {
    return capacity_.admit(channel, t, read, bytes);
  }
  // When an I/O that is ready for the media at `t` (admitted) finishes: the first free of its
  // media's `parallelism` units serves it.
  std::int64_t serve_media(std::uint32_t channel, std::int64_t t, bool read, std::uint32_t bytes);

  // Commands at the media, by the engine's slot (a slot holds few: its current attempt and
  // any it was cancelled from). admit() when booked; land() at `lands` takes it back, with
  // `reached` false if its node went down first (the command died with it). A slot's first
  // command lives in flat per-slot arrays (what land() checks in one 32-byte record, the rest
  // apart), so the usual admit/land touches one line instead of chasing a per-slot list; only
  // a second command in the same slot (a cancelled attempt still at the media) goes to the
  // overflow map. A landing the host still awaits is not reported, so land() reads the other
  // fields only when asked for the `whole` command; otherwise `cmd` holds only the key record's
  // fields (slot, attempt, lands, node, generation, io_id).
  void admit(const MediaCommand& c);
  // The I/O pool's size, once known: the per-slot arrays grow to the highest slot used without
  // the doubling's slack (up to half their size; 1.5 MB at 1,024 hosts).
  void reserve_slots(std::size_t slots) {
    held_.reserve(slots);
    held_rest_.reserve(slots);
  }
  struct Landing {
    MediaCommand cmd;
    bool reached = false;
  };
  std::optional<Landing> land(std::uint32_t slot, std::uint32_t attempt, std::int64_t now, bool whole);
  // The host finished I/O `io_id` in `slot`: its commands still at the media (or held by QoS)
  // are orphans now.
  void host_finished(std::uint32_t slot, std::uint64_t io_id, std::uint64_t stamp);

  // Commands SPDK QoS holds before the media (target_capacity.h), by slot and attempt. nvmet
  // has read and submitted them, so they reach the media even if the host gives up meanwhile
  // (nvmet_sq_destroy waits for submitted requests); hold() when queued, unhold() at release.
  // unhold() gives nothing if the command died with its node meanwhile.
  void hold(const MediaCommand& c);
  std::optional<MediaCommand> unhold(std::uint32_t slot, std::uint32_t attempt);
  std::size_t commands_at_media() const { return at_media_count_; }
  // Whether nvmet already has the command (at the media, or held by QoS).
  bool has(std::uint32_t slot, std::uint32_t attempt) const;

  // Commands still on the wire when the host closed their connection (nvme-tcp shuts the socket
  // down: they reach nvmet ahead of the FIN, Transport::disconnect). `engine` and `epoch` are the
  // engine's (the job and the closed connection's epoch), carried to the arrival. arrive() takes
  // one back when it reaches the target; drop_on_wire() forgets a connection's that never will
  // (lost on the way), at its next teardown. host_finished() stamps them like those at the media.
  struct WireCommand {
    MediaCommand cmd;
    std::uint32_t engine = 0, epoch = 0;
  };
  void on_wire(const WireCommand& c) { on_wire_[{c.cmd.slot, c.cmd.attempt}] = c; }
  bool any_on_wire() const { return !on_wire_.empty(); }
  std::optional<WireCommand> arrive(std::uint32_t slot, std::uint32_t attempt);
  void drop_on_wire(std::uint32_t conn);

 private:
  struct Node {
    std::uint32_t generation = 1;      // bumped when the node goes down
  };
  struct TargetController {
    int node = -1;
    std::uint32_t epoch = 0;           // the connection it was created for (0 = none)
    std::uint32_t generation = 0;      // of its node when accepted
  };
  struct Media {
    models::MediaModel model;
    std::priority_queue<std::int64_t, std::vector<std::int64_t>, std::greater<>> free_at;  // per unit
    // A device (topology `device`) moves data through one channel at its bandwidth, so the
    // namespaces on it share that bandwidth; a private namespace keeps today's per-unit transfer.
    bool shared_transfer = false;
    std::int64_t transfer_free_at = 0;
  };

  const models::ModelSet& models_;
  std::vector<Node> nodes_;
  std::vector<TargetPortState> ports_;
  std::map<std::string, std::uint32_t> port_by_name_;
  std::map<std::string, policies::Duration> anatt_;  // subsystems that set anatt_s
  std::vector<TargetController> ctrls_;
  std::vector<Media> media_;
  std::map<std::pair<std::string, std::uint32_t>, std::uint32_t> media_by_ns_;
  std::map<std::string, std::uint32_t> media_by_device_;
  std::map<std::pair<std::string, std::uint32_t>, std::string> device_of_ns_;  // namespaces on a device
  std::map<std::string, std::string> device_media_;                             // device -> media model
  std::mt19937_64 media_rng_;
  // What land() and host_finished() read of a slot's first command (attempt 0: none).
  struct HeldKey {
    std::uint32_t attempt = 0;
    std::uint32_t generation = 0;       // of its node when it arrived
    std::int64_t lands = 0;
    std::uint64_t io_id = 0;
    int node = -1;
  };
  static MediaCommand rejoin(std::uint32_t slot, const HeldKey& k, const MediaCommand& rest);
  std::vector<HeldKey> held_;                                      // by slot
  std::vector<MediaCommand> held_rest_;                            // by slot: the other fields
  std::map<std::uint32_t, std::vector<MediaCommand>> overflow_;    // by slot: its further commands
  std::map<std::pair<std::uint32_t, std::uint32_t>, MediaCommand> qos_held_;  // by (slot, attempt)
  std::map<std::pair<std::uint32_t, std::uint32_t>, WireCommand> on_wire_;    // by (slot, attempt)
  std::size_t at_media_count_ = 0;
  TargetCapacity capacity_;
  TargetCores cores_;
  TargetKeepAlive keep_alive_;
};

}  // namespace mpsim::sim
