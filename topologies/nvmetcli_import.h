// Internal to the nvmetcli importer (topologies/nvmetcli*.cpp): the state the files of one
// import share, and the conversion of one file into it.
//
//   nvmetcli.cpp       the import: JSON parsing, hosts over every file, the switch, the ANA
//                      groups nvmet implies, connections, the header, the final topology check
//   nvmetcli_file.cpp  one file: its ports, ANA groups, subsystems and namespaces, merged into the
//                      subsystems of earlier files by NQN and nsid
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "topologies/nvmetcli.h"
#include "topologies/nvmetcli.pb.h"
#include "topologies/topology.h"

namespace mpsim::topology::nvmetcli_import {

struct ParsedFile {
  nvmetcli::Config config;
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

// The topology being built and what the files of one import share.
struct Merge {
  Merge(const std::vector<ParsedFile>& files, const NvmetcliImportOptions& options) : files(files), opt(options) {}

  // Errors name the file and its JSON field; notes name their file when there are several.
  void error(size_t file, const std::string& field, const std::string& message) {
    diag.add(files[file].source, field, message);
  }
  std::string note_prefix(size_t f) const { return files.size() == 1 ? "" : files[f].source + ": "; }
  void add_link(const std::string& end, const std::string& bandwidth);  // cabled to "sw0"

  const std::vector<ParsedFile>& files;
  const NvmetcliImportOptions& opt;
  Topology topo;
  Diagnostics diag;
  std::vector<std::string> notes;
  std::map<std::string, std::string> host_names;            // host NQN -> "hostN"
  std::map<std::string, std::string> addresses;             // "traddr:trsvcid" -> "file ports[i]"
  std::map<std::string, SubsystemState> subsystems;         // by NQN, over every file
};

constexpr uint32_t kDefaultAnaGroup = 1;  // nvmet's NVMET_DEFAULT_ANA_GRPID, optimized on every port
constexpr size_t kMaxNqnLength = 223;     // NVMF_NQN_SIZE - 1 (drivers/nvme/host/fabrics.h)

std::string idx(const std::string& field, int i);  // "field[i]"

// File `f` as one target node of m.topo ("nvmet", or "nvmetF" when there are several files).
void add_file(Merge& m, size_t f);

}  // namespace mpsim::topology::nvmetcli_import
