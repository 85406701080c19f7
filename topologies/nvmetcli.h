// Import of nvmetcli save files (config.json) as one mpsim topology.
//
// nvmetcli describes only the target: ports (address, ANA groups, exported subsystems),
// subsystems (namespaces and their ANA groups, the hosts allowed to connect) and the host NQNs
// it knows. Each file becomes one target node ("nvmet" for one file, "nvmet0", "nvmet1"... for
// several); a subsystem NQN found in several files is one subsystem exported by all their ports
// (an active-active pair), its namespaces merged by nsid. Hosts: one per host NQN any
// subsystem's `allowed_hosts` names ("host0", "host1"... in order of first appearance), or one
// "host0" when no file restricts its hosts; each connects to every (port, subsystem) pair it is
// allowed on (allow_any_host "1", or listed). The rest is filled with stated defaults: one NUMA
// node and one NIC per host, one switch cabled to every NIC and port, namespace sizes from the
// options. The output starts with a comment listing every default used and every host's NQN.
//
// nvmet semantics kept: a port always has ANA group 1, optimized unless the file says
// otherwise; a group the port was not configured with is inaccessible there. The import writes
// each port's state for every group its namespaces use, so the textproto is explicit.
// Ports whose transport is not TCP are skipped (commented), and so are subsystems left with no
// port and disabled namespaces.
//
// Errors name the file and the JSON field ("config.json: ports[1].addr: ..."); the output is
// checked as a topology before it is returned.
#pragma once

#include <string>
#include <vector>

#include "topologies/textproto.h"

namespace mpsim::topology {

struct NvmetcliImportOptions {
  std::string media = "nand-tlc-gen4";
  std::string ns_size = "1TiB";
  unsigned host_cpus = 8;
  unsigned target_cpus = 8;
  std::string nic_speed = "25Gbps";
  std::string port_speed = "100Gbps";
  double link_latency_us = 2;
};

struct NvmetcliInput {
  std::string json;
  std::string source;  // the file name errors are reported against
};

// Returns the topology as commented textproto, already checked to load cleanly.
// Throws InputError "SOURCE: json.field: message" for malformed input.
// The first problem of the InputError thrown when the importer's own output does not load: a rule
// of the user's files went unchecked (a bug; the nvmetcli fuzz target treats it as a crash).
inline constexpr const char* kImportMadeInvalidTopology = "the import made a topology that does not load";

std::string import_nvmetcli(const std::vector<NvmetcliInput>& inputs, const NvmetcliImportOptions& options);
std::string import_nvmetcli(const std::string& json, const std::string& source_name,
                            const NvmetcliImportOptions& options);
std::string import_nvmetcli_files(const std::vector<std::string>& paths, const NvmetcliImportOptions& options);
std::string import_nvmetcli_file(const std::string& path, const NvmetcliImportOptions& options);

}  // namespace mpsim::topology
