// Fuzz target: the nvmetcli JSON importer (`mpsim topo import`), which checks its own output as
// a topology before returning it. Bad JSON must be refused against the user's fields; an output
// that does not load (kImportMadeInvalidTopology) means the importer let a bad config through,
// so it aborts here like any crash instead of passing as an ordinary input error.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tests/fuzz/fuzz_input.h"
#include "topologies/nvmetcli.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mpsim_fuzz_one(data, size, [](const std::string& text) {
    try {
      mpsim::topology::import_nvmetcli(text, "fuzz.json", mpsim::topology::NvmetcliImportOptions{});
    } catch (const mpsim::topology::InputError& e) {
      if (std::strstr(e.what(), mpsim::topology::kImportMadeInvalidTopology) != nullptr) {
        std::fprintf(stderr, "%s\n", e.what());
        std::abort();
      }
      throw;
    }
  });
}
