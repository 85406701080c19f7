// Fuzz target: the topology text-format loader with every validation rule and the structural
// analysis `topo check` runs on a fabric that loads.
#include "tests/fuzz/fuzz_input.h"
#include "topologies/analysis.h"
#include "topologies/topology.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mpsim_fuzz_one(data, size, [](const std::string& text) {
    const mpsim::topology::Topology topo = mpsim::topology::parse_topology(text, "fuzz.textproto");
    mpsim::topology::analyze(topo);
  });
}
