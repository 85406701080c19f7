#include "topologies/nvmetcli.h"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "topologies/file_io.h"
#include "topologies/nvmetcli.pb.h"
#include "topologies/topology.h"

namespace mpsim::topology {

namespace {

namespace nc = nvmetcli;

constexpr uint32_t kDefaultAnaGroup = 1;  // nvmet's NVMET_DEFAULT_ANA_GRPID, optimized on every port

std::optional<AnaState> ana_state_from(const std::string& s) {
  static const std::map<std::string, AnaState> states{{"optimized", OPTIMIZED},
                                                      {"non-optimized", NON_OPTIMIZED},
                                                      {"inaccessible", INACCESSIBLE},
                                                      {"persistent-loss", PERSISTENT_LOSS},
                                                      {"change", CHANGE}};
  auto it = states.find(s);
  if (it == states.end()) return std::nullopt;
  return it->second;
}

std::string idx(const std::string& field, int i) { return field + "[" + std::to_string(i) + "]"; }

class Importer {
 public:
  Importer(const nc::Config& config, const std::string& source, const NvmetcliImportOptions& options)
      : config_(config), source_(source), opt_(options) {}

  std::string run() {
    check_options();
    topo_.set_name("nvmetcli-import");
    topo_.set_description("imported from " + source_);
    add_host_and_switch();
    TargetNode* node = topo_.add_target_nodes();
    node->set_name("nvmet");
    node->set_cpus(opt_.target_cpus);
    for (int p = 0; p < config_.ports_size(); ++p) add_port(*node, p);
    for (int s = 0; s < config_.subsystems_size(); ++s) add_subsystem(s);
    check_port_subsystems();
    diag_.throw_if_any();
    add_missing_groups(*node);
    add_connections();
    return header() + print();
  }

 private:
  void error(const std::string& field, const std::string& message) { diag_.add(source_, field, message); }

  // The options come from the command line, so their errors name the flag, not the file.
  void check_options() {
    std::vector<std::string> problems;
    auto check = [&](const char* flag, auto parse, const std::string& value) {
      try {
        parse(value);
      } catch (const std::invalid_argument& e) {
        problems.push_back(std::string(flag) + ": " + e.what());
      }
    };
    check("--ns-size", [](const std::string& v) { parse_size(v); }, opt_.ns_size);
    check("--host-nic-speed", [](const std::string& v) { parse_bandwidth(v); }, opt_.nic_speed);
    check("--port-speed", [](const std::string& v) { parse_bandwidth(v); }, opt_.port_speed);
    if (opt_.media.empty()) problems.push_back("--media: must not be empty");
    if (opt_.host_cpus == 0 || opt_.target_cpus == 0) problems.push_back("--host-cpus/--target-cpus: must be > 0");
    if (!problems.empty()) throw InputError(problems);
  }

  void add_host_and_switch() {
    Host* host = topo_.add_hosts();
    host->set_name("host0");
    NumaNode* numa = host->add_numa_nodes();
    numa->set_id(0);
    numa->set_cpus(opt_.host_cpus);
    Nic* nic = host->add_nics();
    nic->set_name("nic0");
    nic->set_speed(opt_.nic_speed);
    topo_.add_switches()->set_name("sw0");
    add_link("host0.nic0", opt_.nic_speed);
  }

  void add_link(const std::string& end, const std::string& bandwidth) {
    Link* link = topo_.add_links();
    link->set_a(end);
    link->set_b("sw0");
    link->set_bandwidth(bandwidth);
    link->set_latency_us(opt_.link_latency_us);
  }

  void add_port(TargetNode& node, int p) {
    const nc::Port& in = config_.ports(p);
    std::string field = idx("ports", p);
    std::string trtype = in.addr().trtype().empty() ? "tcp" : in.addr().trtype();
    if (trtype != "tcp") {
      notes_.push_back("port " + std::to_string(in.portid()) + " skipped: transport \"" + trtype + "\" is not modelled");
      return;
    }
    if (in.addr().traddr().empty()) error(field + ".addr.traddr", "required field is missing");
    uint32_t trsvcid = parse_trsvcid(in.addr().trsvcid(), field + ".addr.trsvcid");
    std::string adrfam = in.addr().adrfam().empty() ? "ipv4" : in.addr().adrfam();
    if (adrfam != "ipv4" && adrfam != "ipv6") error(field + ".addr.adrfam", "\"" + adrfam + "\" is not ipv4 or ipv6");
    TargetPort* port = node.add_ports();
    port->set_name("port" + std::to_string(in.portid()));
    if (!port_names_.insert(port->name()).second) error(field + ".portid", "duplicate portid " + std::to_string(in.portid()));
    port->set_trtype("tcp");
    port->set_adrfam(adrfam);
    port->set_traddr(in.addr().traddr());
    port->set_trsvcid(trsvcid);
    port->set_speed(opt_.port_speed);
    add_port_groups(*port, in, field);
    std::string id = port_id(node, *port);
    add_link(id, opt_.port_speed);
    for (const std::string& nqn : in.subsystems()) exports_[nqn].push_back(id);
    port_fields_[id] = field;
  }

  uint32_t parse_trsvcid(const std::string& text, const std::string& field) {
    if (text.empty()) {
      error(field, "required field is missing");
      return 0;
    }
    char* end = nullptr;
    unsigned long v = std::strtoul(text.c_str(), &end, 10);
    if (*end != '\0' || v == 0 || v > 65535) error(field, "\"" + text + "\" is not a TCP port number (1..65535)");
    return static_cast<uint32_t>(v);
  }

  void add_port_groups(TargetPort& port, const nc::Port& in, const std::string& field) {
    bool has_default = false;
    for (int g = 0; g < in.ana_groups_size(); ++g) {
      const nc::AnaGroup& group = in.ana_groups(g);
      std::string gfield = field + "." + idx("ana_groups", g);
      if (group.grpid() < 1 || group.grpid() > 128) error(gfield + ".grpid", "ANA group id must be 1..128");
      auto state = ana_state_from(group.ana().state());
      if (!state) error(gfield + ".ana.state", "unknown ANA state \"" + group.ana().state() + "\"");
      AnaGroup* out = port.add_ana_groups();
      out->set_grpid(group.grpid());
      out->set_state(state.value_or(INACCESSIBLE));
      has_default = has_default || group.grpid() == kDefaultAnaGroup;
    }
    if (!has_default) {
      AnaGroup* out = port.add_ana_groups();
      out->set_grpid(kDefaultAnaGroup);
      out->set_state(OPTIMIZED);
    }
  }

  void add_subsystem(int s) {
    const nc::Subsystem& in = config_.subsystems(s);
    std::string field = idx("subsystems", s);
    if (in.nqn().empty()) {
      error(field + ".nqn", "required field is missing");
      return;
    }
    if (!nqns_.insert(in.nqn()).second) error(field + ".nqn", "duplicate subsystem \"" + in.nqn() + "\"");
    auto ports = exports_.find(in.nqn());
    if (ports == exports_.end()) {
      notes_.push_back("subsystem " + in.nqn() + " skipped: no TCP port exports it");
      return;
    }
    Subsystem* out = topo_.add_subsystems();
    out->set_nqn(in.nqn());
    for (const std::string& id : ports->second) out->add_ports(id);
    for (int n = 0; n < in.namespaces_size(); ++n) add_namespace(*out, in.namespaces(n), field + "." + idx("namespaces", n));
  }

  void add_namespace(Subsystem& subsys, const nc::Namespace& in, const std::string& field) {
    if (in.nsid() == 0) error(field + ".nsid", "required field is missing");
    if (in.has_enable() && in.enable() == 0) {
      notes_.push_back("namespace " + std::to_string(in.nsid()) + " of " + subsys.nqn() + " skipped: disabled");
      return;
    }
    uint32_t grpid = in.ana_grpid() == 0 ? kDefaultAnaGroup : in.ana_grpid();
    if (grpid > 128) error(field + ".ana_grpid", "ANA group id must be 1..128");
    Namespace* ns = subsys.add_namespaces();
    ns->set_nsid(in.nsid());
    ns->set_size(opt_.ns_size);
    ns->set_ana_grpid(grpid);
    ns->set_media(opt_.media);
  }

  void check_port_subsystems() {
    for (const auto& [nqn, ports] : exports_) {
      if (nqns_.count(nqn)) continue;
      error(port_fields_[ports.front()] + ".subsystems", "port exports unknown subsystem \"" + nqn + "\"");
    }
  }

  // nvmet answers for every group on every port: group 1 optimized by default, any other group
  // the port was not configured with inaccessible. Write those states out explicitly.
  void add_missing_groups(TargetNode& node) {
    for (const Subsystem& subsys : topo_.subsystems()) {
      for (const Namespace& ns : subsys.namespaces()) {
        for (const std::string& id : subsys.ports()) {
          TargetPort* port = node.mutable_ports(resolve_endpoint(topo_, id)->index);
          bool present = false;
          for (const AnaGroup& g : port->ana_groups()) present = present || g.grpid() == ns.ana_grpid();
          if (present) continue;
          AnaGroup* g = port->add_ana_groups();
          g->set_grpid(ns.ana_grpid());
          g->set_state(INACCESSIBLE);
        }
      }
    }
  }

  void add_connections() {
    for (const Subsystem& subsys : topo_.subsystems()) {
      for (const std::string& port : subsys.ports()) {
        Connection* conn = topo_.add_connections();
        conn->set_host("host0");
        conn->set_port(port);
        conn->set_nqn(subsys.nqn());
      }
    }
  }

  std::string header() const {
    std::ostringstream h;
    h << "# Imported by `mpsim topo import --nvmetcli` from " << source_ << ".\n"
      << "# The target side (ports, ANA groups, subsystems, namespaces) comes from that file, as one\n"
      << "# target node \"nvmet\". Everything nvmetcli does not record was filled with these defaults:\n"
      << "#   target node cpus: " << opt_.target_cpus << "; port speed: " << opt_.port_speed << "\n"
      << "#   namespace size: " << opt_.ns_size << " (nvmetcli does not know it; --ns-size); media: " << opt_.media
      << " (--media)\n"
      << "#   host \"host0\": 1 NUMA node with " << opt_.host_cpus << " cpus (--host-cpus), NIC nic0 at "
      << opt_.nic_speed << " (--host-nic-speed)\n"
      << "#   one switch \"sw0\" cabled to host0.nic0 and to every port; every link " << opt_.link_latency_us
      << "us one way\n"
      << "#   host0 connects to every (port, subsystem) pair the file exports, with the kernel's default options\n"
      << "#   a port without ANA group 1 gets it optimized, and a group a port was not configured with is\n"
      << "#   inaccessible there (nvmet's defaults)\n";
    for (const std::string& note : notes_) h << "# NOTE: " << note << "\n";
    return h.str() + "\n";
  }

  std::string print() const {
    std::string text;
    google::protobuf::TextFormat::PrintToString(topo_, &text);
    return text;
  }

  const nc::Config& config_;
  const std::string& source_;
  const NvmetcliImportOptions& opt_;
  Topology topo_;
  Diagnostics diag_;
  std::vector<std::string> notes_;
  std::set<std::string> port_names_, nqns_;
  std::map<std::string, std::vector<std::string>> exports_;  // nqn -> exporting port ids
  std::map<std::string, std::string> port_fields_;           // port id -> "ports[i]"
};

}  // namespace

std::string import_nvmetcli(const std::string& json, const std::string& source_name,
                            const NvmetcliImportOptions& options) {
  nc::Config config;
  google::protobuf::util::JsonParseOptions parse_options;
  parse_options.ignore_unknown_fields = true;
  auto status = google::protobuf::util::JsonStringToMessage(json, &config, parse_options);
  if (!status.ok()) throw InputError(source_name + ": not a valid nvmetcli save file: " + std::string(status.message()));
  std::string text = Importer(config, source_name, options).run();
  // The output must load as it is; a failure here is a bug in the importer, reported as such.
  try {
    parse_topology(text, source_name + " (imported)");
  } catch (const InputError& e) {
    throw InputError(source_name + ": the imported topology is not valid:\n" + std::string(e.what()));
  }
  return text;
}

std::string import_nvmetcli_file(const std::string& path, const NvmetcliImportOptions& options) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const FileError& e) {
    throw InputError(e.what());
  }
  return import_nvmetcli(text, path, options);
}

}  // namespace mpsim::topology
