// `mpsim bench [--quick] [--case NAME]`: the simulator's speed and memory, one line per case
// ending in "ios_per_wall_s=<N> peak_rss_kib=<M>". Wall-clock figures: they vary by machine.
#include <iostream>

#include "experiments/bench/bench.h"
#include "experiments/cli/commands.h"

namespace mpsim::cli {
namespace {

struct BenchOptions {
  bool quick = false;
  std::vector<std::string> only;
};

int bench(const BenchOptions& opt) {
  int rc = kExitOk;
  bool any = false;
  for (const bench::BenchCase& c : bench::standard_cases(opt.quick)) {
    if (!opt.only.empty() && std::find(opt.only.begin(), opt.only.end(), c.name) == opt.only.end()) continue;
    any = true;
    bench::BenchFigures f = bench::run_case_in_child(c);
    std::cout << bench::format_figures(c, f) << std::endl;
    if (!f.ok) rc = kExitCheckFailed;
  }
  if (!any) {
    std::cerr << "no benchmark case matches --case\n";
    return kExitBadInput;
  }
  return rc;
}

}  // namespace

void add_bench_command(CLI::App& app, Action& action) {
  auto opt = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand("bench", "Measure simulated I/Os per wall-clock second and peak memory");
  cmd->add_flag("--quick", opt->quick, "Simulate a tenth of the time (CI smoke test)");
  cmd->add_option("--case", opt->only,
                  "Run only these cases: quickstart-qd128, leaf-spine-1, leaf-spine-16, leaf-spine-256, leaf-spine-1024");
  cmd->callback([opt, &action] { action = [opt] { return bench(*opt); }; });
}

}  // namespace mpsim::cli
