// Generator parameters checked before expansion (so an expansion always validates), the
// resolution of a topology that may hold a generator, and the one-line-per-element printer.
#include <google/protobuf/text_format.h>

#include <functional>

#include "topologies/generate.h"
#include "topologies/topology.h"
#include "topologies/units.h"

namespace mpsim::topology {
namespace {

// Keeps a generated fabric to a size the simulator can hold (each connection is a controller).
constexpr std::uint64_t kMaxConnections = 1u << 20;

struct Checker {
  const SourceMap& map;
  Diagnostics& diag;
  const google::protobuf::Message& msg;
  std::size_t problems_before = diag.problems().size();

  void error(const char* field, const std::string& message) const { diag.error(map, msg, field, message); }

  // An optional count: when written, within [lo, hi].
  void range(bool has, std::uint64_t value, const char* field, std::uint64_t lo, std::uint64_t hi) const {
    if (has && (value < lo || value > hi)) {
      error(field, std::to_string(value) + " is out of range: " + std::to_string(lo) + ".." + std::to_string(hi));
    }
  }
  void positive(bool has, double value, const char* field) const {
    if (has && !(value > 0)) error(field, "must be greater than 0");
  }
  // A unit string, when written, parses (`parse` throws a message saying why not).
  void parses(const std::string& text, const char* field, const std::function<double(const std::string&)>& parse) const {
    if (text.empty()) return;
    try {
      if (!(parse(text) > 0)) error(field, "must be greater than 0");
    } catch (const std::exception& e) {
      error(field, e.what());
    }
  }
  void common_strings(const std::string& nic, const std::string& port, const std::string& size) const {
    auto bandwidth = [](const std::string& t) { return parse_bandwidth(t); };
    parses(nic, "nic_speed", bandwidth);
    parses(port, "port_speed", bandwidth);
    parses(size, "namespace_size", [](const std::string& t) { return static_cast<double>(parse_size(t)); });
  }
  void name(const std::string& text) const {
    for (char c : text) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) {
        error("name", "\"" + text + "\" is not a valid name (use letters, digits, '-' and '_')");
        return;
      }
    }
    if (text.size() > 64) error("name", "longer than 64 characters");
  }
};

void check_leaf_spine(const LeafSpine& p, const Checker& c) {
  if (p.hosts() == 0) c.error("hosts", "required: the number of hosts (1..65536)");
  c.range(true, p.hosts(), "hosts", p.hosts() == 0 ? 0 : 1, 65536);
  c.range(p.has_hosts_per_rack(), p.hosts_per_rack(), "hosts_per_rack", 1, 65536);
  c.range(p.has_nics_per_host(), p.nics_per_host(), "nics_per_host", 1, 8);
  c.range(p.has_spines(), p.spines(), "spines", 1, 64);
  c.range(p.has_arrays(), p.arrays(), "arrays", 1, 256);
  if (p.has_arrays() && p.arrays_at() == LeafSpine::RACKS) c.error("arrays", "arrays_at: RACKS puts one array in each rack");
  c.range(p.has_nodes_per_array(), p.nodes_per_array(), "nodes_per_array", 1, 128);
  c.range(p.has_namespaces_per_array(), p.namespaces_per_array(), "namespaces_per_array", 1, 1024);
  c.range(p.has_numa_nodes_per_host(), p.numa_nodes_per_host(), "numa_nodes_per_host", 1, 64);
  c.range(p.has_cpus_per_numa_node(), p.cpus_per_numa_node(), "cpus_per_numa_node", 1, 4096);
  c.range(p.has_target_cpus(), p.target_cpus(), "target_cpus", 1, 4096);
  c.positive(p.has_access_latency_us(), p.access_latency_us(), "access_latency_us");
  c.positive(p.has_fabric_latency_us(), p.fabric_latency_us(), "fabric_latency_us");
  c.common_strings(p.nic_speed(), p.port_speed(), p.namespace_size());
  c.parses(p.uplink_speed(), "uplink_speed", [](const std::string& t) { return parse_bandwidth(t); });
  c.name(p.name());
  if (c.diag.problems().size() > c.problems_before) return;  // the sizes below need sane counts

  const std::uint64_t hosts = p.hosts();
  const std::uint64_t per_rack = p.has_hosts_per_rack() ? p.hosts_per_rack() : 32;
  const std::uint64_t racks = (hosts + per_rack - 1) / per_rack;
  const bool on_spines = p.arrays_at() == LeafSpine::SPINES;
  const std::uint64_t attach = on_spines ? (p.has_spines() ? p.spines() : 2) : (p.has_nics_per_host() ? p.nics_per_host() : 1);
  const std::uint64_t ports = p.has_ports_per_node() ? p.ports_per_node() : attach;
  if (p.has_ports_per_node() && (ports == 0 || ports % attach != 0 || ports > 254)) {
    c.error("ports_per_node", std::to_string(ports) + " must be a multiple of the " + std::to_string(attach) +
                                  (on_spines ? " spines" : " leaves of a rack") + " a node attaches to, at most 254");
    return;
  }
  const std::uint64_t arrays = on_spines ? (p.has_arrays() ? p.arrays() : 1) : racks;
  const std::uint64_t nodes = arrays * (p.has_nodes_per_array() ? p.nodes_per_array() : 4);
  if (nodes > 65536) c.error("nodes_per_array", std::to_string(nodes) + " target nodes in all: at most 65536");
  if (hosts * nodes * ports > kMaxConnections) {
    c.error("hosts", std::to_string(hosts * nodes * ports) + " connections (hosts x target nodes x ports): at most " +
                         std::to_string(kMaxConnections));
  }
}

void check_dual_fabric(const DualFabric& p, const Checker& c) {
  c.range(p.has_hosts(), p.hosts(), "hosts", 1, 65536);
  c.range(p.has_target_nodes(), p.target_nodes(), "target_nodes", 1, 26);
  c.range(p.has_namespaces(), p.namespaces(), "namespaces", 1, 1024);
  c.range(p.has_cpus_per_numa_node(), p.cpus_per_numa_node(), "cpus_per_numa_node", 1, 4096);
  c.range(p.has_target_cpus(), p.target_cpus(), "target_cpus", 1, 4096);
  c.positive(p.has_latency_us(), p.latency_us(), "latency_us");
  c.common_strings(p.nic_speed(), p.port_speed(), p.namespace_size());
  c.name(p.name());
}

}  // namespace

void check_generator(const Generator& gen, const SourceMap& map, Diagnostics& diag) {
  if (gen.has_leaf_spine()) {
    check_leaf_spine(gen.leaf_spine(), Checker{map, diag, gen.leaf_spine()});
  } else if (gen.has_dual_fabric()) {
    check_dual_fabric(gen.dual_fabric(), Checker{map, diag, gen.dual_fabric()});
  } else {
    diag.error(map, gen, "", "names no family: write leaf_spine { ... } or dual_fabric { ... }");
  }
}

std::optional<Topology> resolve_topology(const Topology& topo, const SourceMap& map, Diagnostics& diag) {
  const std::size_t before = diag.problems().size();
  if (!topo.has_generator()) {
    validate_topology(topo, map, diag);
    if (diag.problems().size() > before) return std::nullopt;
    return topo;
  }
  const char* written[] = {"hosts", "switches", "target_nodes", "links", "subsystems", "connections"};
  for (const char* field : written) {
    const auto* fd = topo.GetDescriptor()->FindFieldByName(field);
    if (topo.GetReflection()->FieldSize(topo, fd) > 0) {
      diag.error(map, topo, field, "a topology with a generator lists no " + std::string(field) + " of its own");
    }
  }
  check_generator(topo.generator(), map, diag);
  if (diag.problems().size() > before) return std::nullopt;

  Topology out = generate(topo.generator());
  if (!topo.name().empty()) out.set_name(topo.name());
  if (!topo.description().empty()) out.set_description(topo.description());
  // A checked generator expands into a valid fabric; should it not, say where it came from.
  validate_topology(out, SourceMap(map.where(topo.generator()) + ": (generated)"), diag);
  if (diag.problems().size() > before) return std::nullopt;
  return out;
}

std::string format_topology(const Topology& topo, const std::string& header) {
  std::string out;
  std::size_t start = 0;
  while (start < header.size()) {
    std::size_t end = header.find('\n', start);
    if (end == std::string::npos) end = header.size();
    out += "# " + header.substr(start, end - start) + "\n";
    start = end + 1;
  }
  google::protobuf::TextFormat::Printer line;
  line.SetSingleLineMode(true);
  Topology scalars;
  scalars.set_name(topo.name());
  scalars.set_description(topo.description());
  std::string text;
  google::protobuf::TextFormat::Printer().PrintToString(scalars, &text);
  out += text;

  const auto* desc = topo.GetDescriptor();
  const auto* refl = topo.GetReflection();
  for (int f = 0; f < desc->field_count(); ++f) {
    const auto* fd = desc->field(f);
    if (!fd->is_repeated()) continue;
    if (refl->FieldSize(topo, fd) > 0) out += "\n";
    for (int i = 0; i < refl->FieldSize(topo, fd); ++i) {
      line.PrintToString(refl->GetRepeatedMessage(topo, fd, i), &text);
      while (!text.empty() && text.back() == ' ') text.pop_back();
      out += fd->name() + " { " + text + " }\n";
    }
  }
  return out;
}

}  // namespace mpsim::topology
