// Fuzz target: the nvmetcli JSON importer (`mpsim topo import`), which checks its own output as
// a topology before returning it.
#include "tests/fuzz/fuzz_input.h"
#include "topologies/nvmetcli.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mpsim_fuzz_one(data, size, [](const std::string& text) {
    mpsim::topology::import_nvmetcli(text, "fuzz.json", mpsim::topology::NvmetcliImportOptions{});
  });
}
