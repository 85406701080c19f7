// Fuzz target: fio job files (experiments/fio_job_file.*, fio_workload.*), as `mpsim run --fio`
// reads them: the ini reader with [global] sections and includes, then the conversion of every
// job's options into experiment jobs. An include of "common.fio" reads a fixed small file (so
// the fuzzer reaches the include path); every other include is a file that cannot be read.
#include <stdexcept>

#include "experiments/fio_job_file.h"
#include "experiments/fio_workload.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mpsim_fuzz_one(data, size, [](const std::string& text) {
    const auto read_include = [](const std::string& path) -> std::string {
      if (path == "common.fio") return "bs=16k\niodepth=8\nruntime=1s\n";
      throw std::runtime_error("no such file");
    };
    const std::vector<mpsim::experiments::FioJobSection> sections =
        mpsim::experiments::parse_fio_job_file(text, "fuzz.fio", read_include);
    const std::vector<mpsim::experiments::FioTarget> every_job = {{"", "h0", "nqn.2024-01.io.mpsim:fuzz", 1}};
    mpsim::experiments::fio_workload(sections, every_job);
  });
}
