// Fuzz target: `--set PATH=VALUE` overrides (experiments/overrides.*), one per input line,
// applied to the quickstart experiment and followed by the loader's full validation, as
// `mpsim run --set` does.
#include <sstream>

#include "experiments/experiment_loader.h"
#include "experiments/overrides.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mpsim_fuzz_one(data, size, [](const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line) && lines.size() < 16;) lines.push_back(line);
    std::vector<mpsim::experiments::Override> overrides;
    try {
      overrides = mpsim::experiments::parse_overrides(lines);
    } catch (const mpsim::experiments::OverrideError&) {
      return;  // the CLI reports these as bad input
    }
    mpsim::experiments::load_experiment_file(MPSIM_SOURCE_DIR "/experiments/quickstart.textproto", overrides);
  });
}
