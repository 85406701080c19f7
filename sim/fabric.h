// The data-path view of the fabric: every component a message can cross (NIC, link, switch,
// target port, target node), its up/down state, and per link direction a FIFO server.
//
// A message crossing a route is a packet train: at each link it waits for the link direction
// to be idle (LinkSchedule), occupies it for bytes / bandwidth, then travels the link latency.
// The whole route is booked when the message is sent (one calendar event per message, not per
// hop); see sim/README.md for what this approximation gives and where it differs from SimGrid's
// max-min fair sharing.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/link_schedule.h"
#include "topologies/fabric_graph.h"
#include "topologies/topology.pb.h"

namespace mpsim::sim {

enum class CompKind : std::uint8_t { Nic, Link, Switch, Port, Node };

struct Component {
  std::string name;
  CompKind kind = CompKind::Link;
  int host = -1;                    // owning host (NIC)
  int node = -1;                    // owning target node (port, node)
  double bps = 0;                   // current bandwidth, bits/s (NIC, link, port)
  double latency_ns = 0;            // current latency (link)
  int holds = 0;                    // overlapping faults holding it down
  bool is_up = true;                // as SimGrid reports it
  std::int64_t last_down = std::numeric_limits<std::int64_t>::min();
  double loss = 0;                  // random loss: probability that one segment crossing it is dropped
  std::uint64_t loss_draws = 0;     // draws so far (its random stream is the run seed's, per component)
  bool up() const { return is_up; }
};

struct Hop {
  std::uint32_t link : 31;          // index into Fabric::links()
  std::uint32_t dir : 1;            // 0 = a -> b
};

// A route's hops, the first kInline of them inside the route itself: sending a message reads
// them once per I/O, and at 1,024 hosts a separate heap array was one more cache miss each time.
class RouteHops {
 public:
  static constexpr std::size_t kInline = 8;  // a three-tier leaf-spine route has 6
  void push_back(Hop h) {
    if (n_ < kInline) {
      inline_[n_] = h;
    } else {
      more_.push_back(h);
    }
    ++n_;
  }
  std::size_t size() const { return n_; }
  const Hop& operator[](std::size_t i) const { return i < kInline ? inline_[i] : more_[i - kInline]; }
  const void* data() const { return inline_; }

 private:
  std::uint32_t n_ = 0;
  Hop inline_[kInline] = {};
  std::vector<Hop> more_;           // beyond kInline (none in the shipped topologies)
};

struct Route {
  int host = -1;
  int node = -1;
  std::uint32_t nic_comp = 0;
  std::uint32_t port_comp = 0;
  std::uint32_t node_comp = 0;
  RouteHops hops;                   // host -> target order
  std::vector<std::uint32_t> comps; // every component crossed (loss check)
};

struct FabricLink {
  std::uint32_t comp;               // the link itself
  std::uint32_t end_comp[2];        // NIC/switch/port at end a, end b
  std::int64_t ps_per_byte = 0;     // current, from the slowest of link and end devices
  std::int64_t latency_ns = 0;      // current
  LinkSchedule busy[2];
  // Checked: a 1 Kbps link slowed by a gray divisor carrying a 1 GiB message passes 64 bits of
  // picoseconds. The result is capped at ~9 years, so a route's sum of hops stays in range.
  static constexpr std::int64_t kMaxSerialiseNs = std::int64_t(1) << 58;
  std::int64_t serialise_ns(std::uint64_t bytes) const {
    // Every real message fits 64 bits (the product < 2^64 - 500 gives < 2^54 ns, below the cap):
    // the same rounding without the 128-bit division, a libgcc call per hop (issue 18).
    std::uint64_t ps = 0;
    const bool fits = ps_per_byte >= 0 && !__builtin_mul_overflow(bytes, std::uint64_t(ps_per_byte), &ps);
    if (fits && ps < ~std::uint64_t{0} - 500) return std::int64_t((ps + 500) / 1000);
    const __int128 ns = (static_cast<__int128>(bytes) * ps_per_byte + 500) / 1000;
    return ns > kMaxSerialiseNs ? kMaxSerialiseNs : static_cast<std::int64_t>(ns);
  }
};

class Fabric {
 public:
  explicit Fabric(const topology::Topology& topo);
  ~Fabric();
  Fabric(const Fabric&) = delete;
  Fabric& operator=(const Fabric&) = delete;

  std::optional<std::uint32_t> find(const std::string& name) const;
  const Component& comp(std::uint32_t id) const { return comps_[id]; }
  std::size_t size() const { return comps_.size(); }
  const std::vector<FabricLink>& links() const { return links_; }

  // The connection's route as the topology layer chooses it (topologies/fabric_graph.h: lowest
  // total latency, ties by file order), so `mpsim topo` and the engine agree; throws
  // std::invalid_argument if there is none.
  Route route(const topology::Connection& conn) const;

  // The engine's clock: no message sent from now on can reach a link before it.
  void set_now(std::int64_t now) { now_ = now; }
  // Books the route for a message of `bytes` leaving at `start` (>= now); returns its arrival.
  std::int64_t send(const Route& r, bool to_target, std::uint64_t bytes, std::int64_t start);
  // After the run, before the result is assembled: every cable's bookings freed (3.7 MB at
  // 1,024 hosts that would otherwise sit under the result's allocations at the run's peak).
  void release_schedules() {
    for (auto& l : links_) {
      for (auto& b : l.busy) b.release();
    }
  }
  // Same without reserving (an idle fabric), for tests and estimates.
  std::int64_t idle_transit_ns(const Route& r, std::uint64_t bytes) const;

  // A message sent at `sent` over `r` is lost if a component is down now or went down since.
  // ignore_port: a down port answers a connect with RST instead of silence.
  bool lost(const Route& r, std::int64_t sent, bool ignore_port = false) const;
  // The same, and a message of `segments` segments crossing a component with random loss is
  // lost if one of its segments is (one draw per component from the component's stream).
  bool lost_or_dropped(const Route& r, std::int64_t sent, std::uint32_t segments);
  // Random loss of `segments` segments on the route's lossy components, drawn now.
  bool dropped(const Route& r, std::uint32_t segments);
  bool route_up(const Route& r) const;
  bool lossy() const { return lossy_now_ != 0; }  // some component drops segments at random

  // Overlapping faults on one component: hold() is true for the first, release() for the last.
  bool hold(std::uint32_t id) { return comps_[id].holds++ == 0; }
  bool release(std::uint32_t id) { return comps_[id].holds > 0 && --comps_[id].holds == 0; }
  void set_state(std::uint32_t id, bool up, std::int64_t now);
  void set_rate(std::uint32_t id, double bps, double latency_ns);
  // Random segment loss on a component (0 = none); draws are seeded from `seed` per component.
  void set_loss(std::uint32_t id, double probability);
  void set_loss_seed(std::uint64_t seed) { loss_seed_ = seed; }

  std::vector<std::uint32_t> links_of(std::uint32_t end_comp) const;

 private:
  std::uint32_t add(Component c);
  void add_link(const topology::Link& l, const topology::Topology& topo);
  void refresh_link(FabricLink& l);

  std::vector<Component> comps_;
  std::vector<FabricLink> links_;
  std::vector<std::int32_t> link_of_comp_;   // comp id -> link index or -1
  std::map<std::string, std::uint32_t> by_name_;
  std::vector<std::vector<std::uint32_t>> adj_;  // end comp -> link indices, in link order
  std::map<std::string, int> host_index_;
  std::int64_t now_ = 0;
  int lossy_now_ = 0;  // components with random loss right now
  std::uint64_t loss_seed_ = 0;
  int down_now_ = 0;  // components down right now, and when the last one went down:
  std::int64_t last_any_down_ = std::numeric_limits<std::int64_t>::min();  // lost() fast path
  std::unique_ptr<topology::FabricGraph> graph_;
};

}  // namespace mpsim::sim
