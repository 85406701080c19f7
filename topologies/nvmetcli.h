// Import of an nvmetcli save file (config.json) as an mpsim topology.
//
// nvmetcli describes only the target: ports (address, ANA groups, exported subsystems) and
// subsystems (namespaces and their ANA groups). The import makes one target node of it and
// fills the rest with stated defaults: one host ("host0", one NUMA node, one NIC), one switch
// cabled to the NIC and to every port, and a connection from the host to every (port,
// subsystem) pair the config exports. Namespace sizes are unknown to nvmetcli and come from
// the options. The output starts with a comment listing every default used.
//
// nvmet semantics kept: a port always has ANA group 1, optimized unless the file says
// otherwise; a group the port was not configured with is inaccessible there. The import writes
// each port's state for every group its namespaces use, so the textproto is explicit.
// Ports whose transport is not TCP are skipped (commented), and so are subsystems left with no
// port and disabled namespaces.
#pragma once

#include <string>

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

// Returns the topology as commented textproto, already checked to load cleanly.
// Throws InputError "SOURCE: json.field: message" for malformed input.
std::string import_nvmetcli(const std::string& json, const std::string& source_name,
                            const NvmetcliImportOptions& options);
std::string import_nvmetcli_file(const std::string& path, const NvmetcliImportOptions& options);

}  // namespace mpsim::topology
