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
constexpr size_t kMaxNqnLength = 223;     // NVMF_NQN_SIZE - 1 (drivers/nvme/host/fabrics.h)

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

struct ParsedFile {
  nc::Config config;
  std::string source;
};

// Where a namespace was first defined, to check that files sharing a subsystem agree.
struct NamespaceOrigin {
  std::string where;  // "a.json subsystems[0].namespaces[1]"
  uint32_t grpid;
};

// A merged subsystem: which hosts may connect, and its namespaces so far.
struct SubsystemState {
  bool any_host = false;
  std::set<std::string> hosts;  // host names
  std::map<uint32_t, NamespaceOrigin> namespaces;
};

class Importer {
 public:
  Importer(const std::vector<ParsedFile>& files, const NvmetcliImportOptions& options) : files_(files), opt_(options) {}

  std::string run() {
    check_options();
    topo_.set_name("nvmetcli-import");
    std::string sources;
    for (const ParsedFile& f : files_) sources += (sources.empty() ? "" : ", ") + f.source;
    topo_.set_description("imported from " + sources);
    collect_hosts();
    add_hosts_and_switch();
    for (size_t f = 0; f < files_.size(); ++f) add_file(f);
    diag_.throw_if_any();
    for (TargetNode& node : *topo_.mutable_target_nodes()) add_missing_groups(node);
    add_connections();
    return header() + print();
  }

 private:
  // Notes name their file when there are several.
  std::string note_prefix(size_t f) const { return files_.size() == 1 ? "" : files_[f].source + ": "; }

  void error(size_t file, const std::string& field, const std::string& message) {
    diag_.add(files_[file].source, field, message);
  }

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
    if (opt_.host_cpus > limits::kMaxCpus || opt_.target_cpus > limits::kMaxCpus) {
      problems.push_back("--host-cpus/--target-cpus: must be at most " + std::to_string(limits::kMaxCpus));
    }
    if (!problems.empty()) throw InputError(problems);
  }

  // One host per NQN that some subsystem restricts itself to, in order of first appearance.
  void collect_hosts() {
    for (size_t f = 0; f < files_.size(); ++f) {
      const nc::Config& config = files_[f].config;
      for (int s = 0; s < config.subsystems_size(); ++s) {
        const nc::Subsystem& sub = config.subsystems(s);
        for (int h = 0; h < sub.allowed_hosts_size(); ++h) {
          const std::string& nqn = sub.allowed_hosts(h);
          const std::string field = idx("subsystems", s) + "." + idx("allowed_hosts", h);
          if (nqn.empty()) error(f, field, "empty host NQN");
          else if (nqn.size() > kMaxNqnLength) error(f, field, "host NQN is longer than 223 bytes");
          else if (!host_names_.count(nqn)) {
            host_names_[nqn] = "host" + std::to_string(host_order_.size());
            host_order_.push_back(nqn);
          }
        }
      }
    }
    if (host_order_.empty()) host_order_.push_back("");  // nobody is restricted: one host for all
  }

  void add_hosts_and_switch() {
    topo_.add_switches()->set_name("sw0");
    for (size_t i = 0; i < host_order_.size(); ++i) {
      Host* host = topo_.add_hosts();
      host->set_name("host" + std::to_string(i));
      NumaNode* numa = host->add_numa_nodes();
      numa->set_id(0);
      numa->set_cpus(opt_.host_cpus);
      Nic* nic = host->add_nics();
      nic->set_name("nic0");
      nic->set_speed(opt_.nic_speed);
      add_link(host->name() + ".nic0", opt_.nic_speed);
    }
  }

  void add_link(const std::string& end, const std::string& bandwidth) {
    Link* link = topo_.add_links();
    link->set_a(end);
    link->set_b("sw0");
    link->set_bandwidth(bandwidth);
    link->set_latency_us(opt_.link_latency_us);
  }

  void add_file(size_t f) {
    const nc::Config& config = files_[f].config;
    TargetNode* node = topo_.add_target_nodes();
    node->set_name(files_.size() == 1 ? "nvmet" : "nvmet" + std::to_string(f));
    node->set_cpus(opt_.target_cpus);
    exports_.clear();
    port_fields_.clear();
    std::set<std::string> port_names;
    for (int p = 0; p < config.ports_size(); ++p) add_port(f, *node, p, port_names);
    std::set<std::string> nqns;
    for (int s = 0; s < config.subsystems_size(); ++s) add_subsystem(f, s, nqns);
    for (const auto& [nqn, ports] : exports_) {
      if (!nqns.count(nqn)) error(f, port_fields_[ports.front()] + ".subsystems", "port exports unknown subsystem \"" + nqn + "\"");
    }
  }

  void add_port(size_t f, TargetNode& node, int p, std::set<std::string>& port_names) {
    const nc::Port& in = files_[f].config.ports(p);
    std::string field = idx("ports", p);
    std::string trtype = in.addr().trtype().empty() ? "tcp" : in.addr().trtype();
    if (trtype != "tcp") {
      notes_.push_back(note_prefix(f) + "port " + std::to_string(in.portid()) + " skipped: transport \"" + trtype +
                       "\" is not modelled");
      return;
    }
    if (in.addr().traddr().empty()) error(f, field + ".addr.traddr", "required field is missing");
    uint32_t trsvcid = parse_trsvcid(f, in.addr().trsvcid(), field + ".addr.trsvcid");
    std::string adrfam = in.addr().adrfam().empty() ? "ipv4" : in.addr().adrfam();
    if (adrfam != "ipv4" && adrfam != "ipv6") error(f, field + ".addr.adrfam", "\"" + adrfam + "\" is not ipv4 or ipv6");
    if (!in.addr().traddr().empty() && trsvcid != 0) {
      const std::string address = in.addr().traddr() + ":" + std::to_string(trsvcid);
      auto [it, fresh] = addresses_.emplace(address, files_[f].source + " " + field);
      if (!fresh) error(f, field + ".addr", "address " + address + " is already used by " + it->second);
    }
    TargetPort* port = node.add_ports();
    port->set_name("port" + std::to_string(in.portid()));
    if (!port_names.insert(port->name()).second) error(f, field + ".portid", "duplicate portid " + std::to_string(in.portid()));
    port->set_trtype("tcp");
    port->set_adrfam(adrfam);
    port->set_traddr(in.addr().traddr());
    port->set_trsvcid(trsvcid);
    port->set_speed(opt_.port_speed);
    add_port_groups(f, *port, in, field);
    std::string id = port_id(node, *port);
    add_link(id, opt_.port_speed);
    std::set<std::string> exported;
    for (int k = 0; k < in.subsystems_size(); ++k) {
      const std::string& nqn = in.subsystems(k);
      if (!exported.insert(nqn).second) {
        error(f, field + "." + idx("subsystems", k), "subsystem \"" + nqn + "\" is listed twice on this port");
        continue;
      }
      exports_[nqn].push_back(id);
    }
    port_fields_[id] = field;
  }

  uint32_t parse_trsvcid(size_t f, const std::string& text, const std::string& field) {
    if (text.empty()) {
      error(f, field, "required field is missing");
      return 0;
    }
    char* end = nullptr;
    unsigned long v = std::strtoul(text.c_str(), &end, 10);
    if (*end != '\0' || v == 0 || v > 65535) {
      error(f, field, "\"" + text + "\" is not a TCP port number (1..65535)");
      return 0;
    }
    return static_cast<uint32_t>(v);
  }

  void add_port_groups(size_t f, TargetPort& port, const nc::Port& in, const std::string& field) {
    bool has_default = false;
    std::set<uint32_t> grpids;
    for (int g = 0; g < in.ana_groups_size(); ++g) {
      const nc::AnaGroup& group = in.ana_groups(g);
      std::string gfield = field + "." + idx("ana_groups", g);
      if (group.grpid() < 1 || group.grpid() > 128) error(f, gfield + ".grpid", "ANA group id must be 1..128");
      else if (!grpids.insert(group.grpid()).second) {
        error(f, gfield + ".grpid", "duplicate ANA group " + std::to_string(group.grpid()) + " on this port");
      }
      auto state = ana_state_from(group.ana().state());
      if (!state) error(f, gfield + ".ana.state", "unknown ANA state \"" + group.ana().state() + "\"");
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

  void add_subsystem(size_t f, int s, std::set<std::string>& nqns) {
    const nc::Subsystem& in = files_[f].config.subsystems(s);
    std::string field = idx("subsystems", s);
    if (in.nqn().empty()) {
      error(f, field + ".nqn", "required field is missing");
      return;
    }
    if (in.nqn().size() > kMaxNqnLength) error(f, field + ".nqn", "NQN is longer than 223 bytes");
    if (!nqns.insert(in.nqn()).second) {
      error(f, field + ".nqn", "duplicate subsystem \"" + in.nqn() + "\"");
      return;
    }
    auto ports = exports_.find(in.nqn());
    if (ports == exports_.end()) {
      notes_.push_back(note_prefix(f) + "subsystem " + in.nqn() + " skipped: no TCP port exports it");
      return;
    }
    auto [state_it, first] = subsystems_.try_emplace(in.nqn());
    SubsystemState& state = state_it->second;
    Subsystem* out = find_or_add_subsystem(in.nqn());
    for (const std::string& id : ports->second) out->add_ports(id);
    // nvmetcli writes allow_any_host "1" with an empty list; an absent attr means the same.
    if (in.attr().allow_any_host() != "0") state.any_host = true;
    for (const std::string& nqn : in.allowed_hosts()) {
      if (host_names_.count(nqn)) state.hosts.insert(host_names_.at(nqn));
    }
    std::set<uint32_t> nsids;
    for (int n = 0; n < in.namespaces_size(); ++n) {
      add_namespace(f, *out, state, in.namespaces(n), field + "." + idx("namespaces", n), nsids, first);
    }
  }

  Subsystem* find_or_add_subsystem(const std::string& nqn) {
    for (Subsystem& s : *topo_.mutable_subsystems()) {
      if (s.nqn() == nqn) return &s;
    }
    Subsystem* s = topo_.add_subsystems();
    s->set_nqn(nqn);
    return s;
  }

  void add_namespace(size_t f, Subsystem& subsys, SubsystemState& state, const nc::Namespace& in,
                     const std::string& field, std::set<uint32_t>& nsids, bool first_file) {
    if (in.nsid() == 0) error(f, field + ".nsid", "required field is missing");
    else if (!nsids.insert(in.nsid()).second) {
      error(f, field + ".nsid", "duplicate nsid " + std::to_string(in.nsid()) + " in this subsystem");
      return;
    }
    if (in.has_enable() && in.enable() == 0) {
      notes_.push_back(note_prefix(f) + "namespace " + std::to_string(in.nsid()) + " of " + subsys.nqn() +
                       " skipped: disabled");
      return;
    }
    uint32_t grpid = in.ana_grpid() == 0 ? kDefaultAnaGroup : in.ana_grpid();
    if (grpid > 128) error(f, field + ".ana_grpid", "ANA group id must be 1..128");
    const NamespaceOrigin here{files_[f].source + " " + field, grpid};
    auto [it, fresh] = state.namespaces.emplace(in.nsid(), here);
    if (!fresh) {  // the same subsystem in another file: the namespace must be the same one
      if (it->second.grpid != grpid) {
        error(f, field + ".ana_grpid", "nsid " + std::to_string(in.nsid()) + " is in ANA group " + std::to_string(grpid) +
                                           " here but in group " + std::to_string(it->second.grpid) + " in " + it->second.where);
      }
      return;
    }
    if (!first_file) notes_.push_back(note_prefix(f) + "nsid " + std::to_string(in.nsid()) + " of " + subsys.nqn() +
                                      " is exported by this file only");
    Namespace* ns = subsys.add_namespaces();
    ns->set_nsid(in.nsid());
    ns->set_size(opt_.ns_size);
    ns->set_ana_grpid(grpid);
    ns->set_media(opt_.media);
  }

  // nvmet answers for every group on every port: group 1 optimized by default, any other group
  // the port was not configured with inaccessible. Write those states out explicitly.
  void add_missing_groups(TargetNode& node) {
    for (const Subsystem& subsys : topo_.subsystems()) {
      for (const Namespace& ns : subsys.namespaces()) {
        for (const std::string& id : subsys.ports()) {
          auto end = resolve_endpoint(topo_, id);
          if (!end || topo_.target_nodes(end->owner).name() != node.name()) continue;
          TargetPort* port = node.mutable_ports(end->index);
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
      const SubsystemState& state = subsystems_.at(subsys.nqn());
      for (const Host& host : topo_.hosts()) {
        if (!state.any_host && !state.hosts.count(host.name())) continue;
        for (const std::string& port : subsys.ports()) {
          Connection* conn = topo_.add_connections();
          conn->set_host(host.name());
          conn->set_port(port);
          conn->set_nqn(subsys.nqn());
        }
      }
    }
  }

  std::string header() const {
    std::ostringstream h;
    std::string sources;
    for (const ParsedFile& f : files_) sources += (sources.empty() ? "" : ", ") + f.source;
    h << "# Imported by `mpsim topo import --nvmetcli` from " << sources << ".\n"
      << "# The target side (ports, ANA groups, subsystems, namespaces) comes from "
      << (files_.size() == 1 ? "that file, as one\n# target node \"nvmet\"" : "those files, one target node\n# each (\"nvmet0\", ...)")
      << ". Everything nvmetcli does not record was filled with these defaults:\n"
      << "#   target node cpus: " << opt_.target_cpus << "; port speed: " << opt_.port_speed << "\n"
      << "#   namespace size: " << opt_.ns_size << " (nvmetcli does not know it; --ns-size); media: " << opt_.media
      << " (--media)\n";
    if (host_order_.size() == 1 && host_order_.front().empty()) {
      h << "#   host \"host0\": 1 NUMA node with " << opt_.host_cpus << " cpus (--host-cpus), NIC nic0 at "
        << opt_.nic_speed << " (--host-nic-speed)\n";
    } else {
      h << "#   one host per allowed host NQN, each 1 NUMA node with " << opt_.host_cpus
        << " cpus (--host-cpus), NIC nic0 at " << opt_.nic_speed << " (--host-nic-speed):\n";
      for (size_t i = 0; i < host_order_.size(); ++i) h << "#     host" << i << " = " << host_order_[i] << "\n";
    }
    h << "#   one switch \"sw0\" cabled to every host NIC and every port; every link " << opt_.link_latency_us
      << "us one way\n"
      << "#   each host connects to every (port, subsystem) pair it is allowed on, with the kernel's default options\n"
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

  const std::vector<ParsedFile>& files_;
  const NvmetcliImportOptions& opt_;
  Topology topo_;
  Diagnostics diag_;
  std::vector<std::string> notes_;
  std::map<std::string, std::string> host_names_;            // host NQN -> "hostN"
  std::vector<std::string> host_order_;                      // host NQNs; {""} = one unrestricted host
  std::map<std::string, std::string> addresses_;             // "traddr:trsvcid" -> "file ports[i]"
  std::map<std::string, SubsystemState> subsystems_;         // by NQN, over every file
  std::map<std::string, std::vector<std::string>> exports_;  // this file: nqn -> exporting port ids
  std::map<std::string, std::string> port_fields_;           // this file: port id -> "ports[i]"
};

}  // namespace

std::string import_nvmetcli(const std::vector<NvmetcliInput>& inputs, const NvmetcliImportOptions& options) {
  std::vector<ParsedFile> files;
  std::vector<std::string> problems;
  for (const NvmetcliInput& in : inputs) {
    ParsedFile f;
    f.source = in.source;
    google::protobuf::util::JsonParseOptions parse_options;
    parse_options.ignore_unknown_fields = true;
    auto status = google::protobuf::util::JsonStringToMessage(in.json, &f.config, parse_options);
    if (!status.ok()) problems.push_back(in.source + ": not a valid nvmetcli save file: " + std::string(status.message()));
    files.push_back(std::move(f));
  }
  if (!problems.empty()) throw InputError(problems);
  if (files.empty()) throw InputError("mpsim topo import: no nvmetcli file given");
  std::string text = Importer(files, options).run();
  // Every rule of the user's files is checked above, against their JSON fields; a failure here
  // means the importer missed one, and the message says so rather than pointing at lines the
  // user never saw.
  try {
    parse_topology(text, "imported topology");
  } catch (const InputError& e) {
    std::vector<std::string> bug{files.front().source + ": the import made a topology that does not load (an mpsim bug: "
                                 "please report it with the file); its problems:"};
    bug.insert(bug.end(), e.problems().begin(), e.problems().end());
    throw InputError(bug);
  }
  return text;
}

std::string import_nvmetcli(const std::string& json, const std::string& source_name,
                            const NvmetcliImportOptions& options) {
  return import_nvmetcli(std::vector<NvmetcliInput>{{json, source_name}}, options);
}

std::string import_nvmetcli_files(const std::vector<std::string>& paths, const NvmetcliImportOptions& options) {
  std::vector<NvmetcliInput> inputs;
  std::vector<std::string> problems;
  for (const std::string& path : paths) {
    try {
      inputs.push_back({read_file(path, limits::kMaxInputFileBytes), path});
    } catch (const FileError& e) {
      problems.push_back(e.what());
    }
  }
  if (!problems.empty()) throw InputError(problems);
  return import_nvmetcli(inputs, options);
}

std::string import_nvmetcli_file(const std::string& path, const NvmetcliImportOptions& options) {
  return import_nvmetcli_files({path}, options);
}

}  // namespace mpsim::topology
