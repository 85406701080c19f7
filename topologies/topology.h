// Loading and validating fabric descriptions (topologies/topology.proto).
//
//   Topology topo = load_topology_file("topologies/quickstart.textproto");  // throws InputError
//
// A Topology that comes back from these functions is whole and consistent: every reference
// resolves, every value with a unit parses, and every required field is set. A broken file
// gives an InputError listing every problem found, one "FILE:LINE:COL: field.path: message"
// per line, and no Topology.
//
// Ids: a host, switch or target node is named by its `name` (names are unique across all three
// kinds); a NIC by "<host>.<nic>", a target port by "<node>.<port>". Links name their ends by id.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "topologies/textproto.h"
#include "topologies/topology.pb.h"
#include "topologies/units.h"

namespace mpsim::topology {

// Parses and validates; throws InputError.
Topology load_topology_file(const std::string& path);
Topology parse_topology(std::string_view text, const std::string& source_name);

// Same, filling `out` in place and returning the SourceMap, for callers that later want to
// report their own problems (e.g. an unknown media model) at the right line.
SourceMap load_topology_file(const std::string& path, Topology& out);

// Adds every problem of `topo` to `diag`. `map` must describe `topo` itself (or the message
// holding it, e.g. an experiment with an inline topology); field paths come out relative to
// the map's root, e.g. "topology.hosts[0].name".
void validate_topology(const Topology& topo, const SourceMap& map, Diagnostics& diag);

std::string nic_id(const Host& host, const Nic& nic);
std::string port_id(const TargetNode& node, const TargetPort& port);
// A link's name, or "<a>--<b>" when it has none.
std::string link_name(const Link& link);

// What a link end names.
enum class EndpointKind { kNic, kSwitch, kPort };
struct Endpoint {
  EndpointKind kind;
  int owner = -1;  // host index (kNic), switch index (kSwitch) or target node index (kPort)
  int index = -1;  // NIC index in the host, port index in the node; -1 for a switch
};
std::optional<Endpoint> resolve_endpoint(const Topology& topo, std::string_view id);

// Lookups by name/id; nullptr when absent.
const Host* find_host(const Topology& topo, std::string_view name);
const Subsystem* find_subsystem(const Topology& topo, std::string_view nqn);
const TargetPort* find_port(const Topology& topo, std::string_view id);
const Nic* find_nic(const Host& host, std::string_view nic_name);
// A device "<node>.<device>" and the index of its node; nullopt when absent.
struct DeviceRef {
  int node = -1;
  const Device* device = nullptr;
};
std::optional<DeviceRef> find_device(const Topology& topo, std::string_view id);
// The media model a namespace's I/O is served by: its device's, else its own.
const std::string& namespace_media(const Topology& topo, const Namespace& ns);

// The ANA state `port` reports for group `grpid`; INACCESSIBLE if it does not serve the group
// (nvmet gives a port no access to a group it has not been configured with).
AnaState port_ana_state(const TargetPort& port, uint32_t grpid);
std::string ana_state_name(AnaState state);  // "optimized", "non-optimized", ... as nvmet spells them

// Connection options with the kernel's defaults filled in (see ConnectOptions in the proto).
struct EffectiveConnectOptions {
  double kato_s;
  double reconnect_delay_s;
  double ctrl_loss_tmo_s;
  double fast_io_fail_tmo_s;
  uint32_t nr_io_queues;
  uint32_t queue_size;
};
EffectiveConnectOptions effective_options(const Topology& topo, const Connection& conn);

}  // namespace mpsim::topology
