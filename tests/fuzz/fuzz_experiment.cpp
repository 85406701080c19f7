// Fuzz target: the experiment text-format loader with every validation (jobs, faults, policies,
// models, the inline or referenced fabric). A topology_file resolves against experiments/, so the
// seed corpus (the repository's experiments) loads as it does for users.
#include "experiments/experiment_loader.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mpsim_fuzz_one(data, size, [](const std::string& text) {
    mpsim::experiments::load_experiment_text(text, "fuzz.textproto", MPSIM_SOURCE_DIR "/experiments");
  });
}
