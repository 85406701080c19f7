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
      // Only the importer's own verdict, which is the first problem and starts so: the phrase may
      // also appear inside a user's name echoed in an ordinary error (libFuzzer finds it there).
      const std::string bug = std::string("fuzz.json: ") + mpsim::topology::kImportMadeInvalidTopology;
      if (!e.problems().empty() && e.problems().front().rfind(bug, 0) == 0) {
        std::fprintf(stderr, "%s\n", e.what());
        std::abort();
      }
      throw;
    }
  });
}
