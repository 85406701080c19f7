// `mpsim bench [--quick] [--scale] [--case NAME]`: the simulator's speed and memory, one line per
// case ending in "ios_per_wall_s=<N> peak_rss_kib=<M>", then the verdict lines: cost per I/O as a
// ratio to one host, the memory budgets, and fio's null-engine rate as the limit. Wall-clock
// figures: they vary by machine.
#include <iostream>
#include <optional>

#include "experiments/bench/bench.h"
#include "experiments/cli/commands.h"

namespace mpsim::cli {
namespace {

struct BenchOptions {
  bool quick = false;
  bool scale = false;
  std::vector<std::string> only;
};

int bench(const BenchOptions& opt) {
  int rc = kExitOk;
  std::vector<bench::CaseResult> results;
  for (const bench::BenchCase& c : bench::standard_cases(opt.quick, opt.scale)) {
    if (!opt.only.empty() && std::find(opt.only.begin(), opt.only.end(), c.name) == opt.only.end()) continue;
    bench::BenchFigures f = bench::run_case_in_child(c);
    std::cout << bench::format_figures(c, f) << std::endl;
    if (!f.ok) rc = kExitCheckFailed;
    results.push_back({c.name, c.hosts, f});
  }
  if (results.empty()) {
    std::cerr << "no benchmark case matches --case\n";
    return kExitBadInput;
  }
  // fio's 10 s run is the limit line; --quick (CI smoke) and single-case runs leave it out.
  std::optional<bench::FioLimit> fio;
  if (!opt.quick && opt.only.empty()) fio = bench::measure_fio_limit(10);
  for (const std::string& line : bench::summary_lines(results, fio ? &*fio : nullptr)) std::cout << line << "\n";
  return rc;
}

}  // namespace

void add_bench_command(CLI::App& app, Action& action) {
  auto opt = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand("bench", "Measure simulated I/Os per wall-clock second and peak memory");
  cmd->add_flag("--quick", opt->quick, "Simulate a tenth of the time; no fio limit line (CI smoke test)");
  cmd->add_flag("--scale", opt->scale, "Add the 10,240-host leaf-spine case (about a minute, ~1 GB)");
  cmd->add_option("--case", opt->only,
                  "Run only these cases: quickstart-qd128, leaf-spine-1, leaf-spine-16, leaf-spine-256, "
                  "leaf-spine-1024, leaf-spine-10240 (with --scale)");
  cmd->callback([opt, &action] { action = [opt] { return bench(*opt); }; });
}

}  // namespace mpsim::cli
