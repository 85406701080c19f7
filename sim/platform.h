// The SimGrid side of a run: the platform built in C++ from the topology (hosts and target
// nodes as s4u hosts, switches as routers, NICs, ports and links as s4u links, in a Dijkstra
// zone), and the resource state changes the fault scheduler makes on it. SimGrid's state and
// bandwidth callbacks report every change to a PlatformListener (the data-path model).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/fabric.h"
#include "topologies/topology.pb.h"

namespace simgrid::s4u {
class Engine;
class Host;
class Link;
}  // namespace simgrid::s4u

namespace mpsim::sim {

class PlatformListener {
 public:
  virtual ~PlatformListener() = default;
  virtual void on_component_state(std::uint32_t comp, bool up) = 0;
  virtual void on_component_rate(std::uint32_t comp, double bps, double latency_ns) = 0;
};

class Platform {
 public:
  // Creates the s4u Engine (once per process: SimGrid keeps global state) and the platform.
  Platform(const topology::Topology& topo, const Fabric& fabric, PlatformListener& listener);
  ~Platform();
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  simgrid::s4u::Host* control_host() const { return control_; }
  // SimGrid's clock does not restart with a new Engine in the same process: virtual time t of
  // this run is SimGrid time clock_base() + t.
  double clock_base() const { return clock_base_; }
  void run();

  void turn_off(std::uint32_t comp);
  void turn_on(std::uint32_t comp);
  // Gray failure: the component's bandwidth and latency (NIC, port, link).
  void set_rate(std::uint32_t comp, double bps, double latency_ns);

 private:
  static void install_callbacks();
  void build(const topology::Topology& topo);
  void report(const std::string& name, bool up);
  void report_rate(const std::string& name, double bytes_per_s, double latency_s);

  static Platform* active_;
  const Fabric& fabric_;
  PlatformListener& listener_;
  simgrid::s4u::Engine* engine_ = nullptr;
  simgrid::s4u::Host* control_ = nullptr;
  double clock_base_ = 0;
  std::vector<simgrid::s4u::Link*> link_of_comp_;   // NIC, port and link components
  std::vector<simgrid::s4u::Host*> host_of_comp_;   // target node components
};

}  // namespace mpsim::sim
