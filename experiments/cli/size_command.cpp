// `mpsim size FILE --axis PATH --slo TEXT... [--min A] [--max B] [--integer] --out DIR`: the
// largest value of PATH at which every SLO holds (experiments/sizing.h).
#include <filesystem>
#include <iostream>

#include "experiments/cli/commands.h"
#include "experiments/cli/guarded.h"
#include "experiments/interrupt.h"
#include "experiments/sizing.h"
#include "topologies/textproto.h"

namespace mpsim::cli {
namespace {

namespace ex = mpsim::experiments;

struct SizeOptions {
  ex::SizingRequest req;
  double max = 0;
  bool has_max = false;
  std::string out_dir;
};

int size(SizeOptions opt) {
  static std::string dir;  // the interrupt watcher's message reads it until the process ends
  dir = opt.out_dir;
  ex::interrupt::install([] { return "the finished probes are kept in " + dir + "; the same command reuses them"; });
  if (opt.has_max) opt.req.max = opt.max;
  if (opt.req.base.slos.empty()) {
    experiment::Experiment exp;
    topology::parse_textproto_file(opt.req.base.experiment_file, exp);
    if (exp.slo_size() == 0) {
      std::cerr << "mpsim size: no SLO to size against: give --slo or slo {} in the experiment\n";
      return kExitBadInput;
    }
  }
  return run_guarded([&] {
    std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    ex::SizingResult r = ex::size_search(opt.req, opt.out_dir, [&](const std::string& dir) { ex::run_locally(self, dir, 1); });
    auto fmt = [&](double v) { return ex::format_axis_value(v, opt.req.integer); };
    std::cout << "size " << opt.req.path << " (" << r.probes.size() << " points, in " << opt.out_dir << "):\n";
    for (const ex::SizingProbe& p : r.probes)
      std::cout << "  " << opt.req.path << " = " << fmt(p.value) << "  " << (p.passed ? "pass" : "FAIL  " + p.why) << "\n";
    if (r.largest_passing) {
      std::cout << "boundary: largest passing " << opt.req.path << " = " << fmt(*r.largest_passing);
      if (r.smallest_failing) std::cout << ", smallest failing = " << fmt(*r.smallest_failing);
      else std::cout << " (the --max; nothing above it was tried)";
      std::cout << "\n";
    } else {
      std::cout << "boundary: none: the SLOs fail already at --min " << fmt(opt.req.min) << "\n";
    }
    for (const std::string& n : r.non_monotone) std::cout << "NON-MONOTONE: " << n << "\n";
    return r.largest_passing && r.non_monotone.empty() ? kExitOk : kExitCheckFailed;
  });
}

}  // namespace

void add_size_command(CLI::App& app, Action& action) {
  auto opt = std::make_shared<SizeOptions>();
  CLI::App* cmd = app.add_subcommand("size", "Find the largest value of an axis at which every SLO holds");
  cmd->add_option("experiment", opt->req.base.experiment_file, "Experiment file (.textproto)")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("--axis", opt->req.path, "The override path to size, e.g. jobs[randread].iodepth")->required();
  cmd->add_option("--min", opt->req.min, "Smallest value (default 1)");
  cmd->add_option("--max", opt->max, "Largest value to try (default: unbounded galloping)")
      ->each([opt](const std::string&) { opt->has_max = true; });
  cmd->add_flag("--integer", opt->req.integer, "Integer axis (else real, bisected to --tolerance)");
  cmd->add_option("--tolerance", opt->req.tolerance, "Real axis: stop at this share of the value (default 0.01)");
  cmd->add_option("--slo", opt->req.base.slos, "Assertions, e.g. \"namespace:p99<=1ms\" (besides the file's slo {})");
  cmd->add_option("--set", opt->req.base.overrides, "PATH=VALUE applied first");
  cmd->add_option("-o,--out", opt->out_dir, "Directory of the probed points (reused on a rerun)")->required();
  cmd->callback([opt, &action] { action = [opt] { return size(*opt); }; });
}

}  // namespace mpsim::cli
