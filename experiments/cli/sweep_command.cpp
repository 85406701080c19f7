// `mpsim sweep FILE --axis PATH=v1,v2 ... --out DIR [-j N] [--plan-only] [--junit F]`,
// `mpsim sweep --collect DIR` and `mpsim sweep-run DIR --index I [--count K]`: the executor
// contract of experiments/sweep.h on the command line.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "experiments/cli/commands.h"
#include "experiments/cli/guarded.h"
#include "experiments/cli/sweep_slurm_cli.h"
#include "experiments/interrupt.h"
#include "experiments/junit.h"
#include "experiments/progress.h"
#include "experiments/sweep.h"
#include "experiments/sweep_files.h"
#include "experiments/sweep_slurm.h"
#include "topologies/textproto.h"

namespace mpsim::cli {
namespace {

namespace ex = mpsim::experiments;

struct SweepOptions {
  std::string experiment;
  std::vector<std::string> axes, overrides, slos;
  std::string mode;
  unsigned jobs = 1;
  std::string out_dir, collect_dir, junit;
  bool plan_only = false;
  bool progress = false;  // --progress: also when stderr is not a terminal
  bool html = false;      // --report: DIR/report.html after collecting
  SlurmFlags slurm;  // --slurm ... (sweep_slurm_cli.h)
};

std::string self_exe() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

int report(const std::string& dir, const SweepOptions& opt) {
  ex::CollectOutcome c = ex::collect_sweep(dir);
  std::size_t points = ex::planned_point_count(dir);
  std::cout << "sweep " << dir << ": " << points << " points, " << c.failed_points.size() << " failed; SLO checks "
            << c.slo_results.size() - c.failed_slos << " of " << c.slo_results.size() << " passed\n";
  for (std::size_t p : c.failed_points) std::cout << "  point " << ex::point_name(p) << " FAILED (see sweep.csv)\n";
  std::vector<ex::JunitCase> cases;
  for (const auto& [point, o] : c.slo_results) {
    cases.push_back({"point-" + ex::point_name(point), o});
    if (!o.passed)
      std::cout << "  SLO FAIL point " << ex::point_name(point) << " [" << o.policy << "] " << o.name << " " << o.subject
                << ": " << o.measured << " (required " << o.threshold << ")\n";
  }
  std::cout << "results: " << dir << "/sweep.csv, " << dir << "/sweep.json\n";
  if (!opt.junit.empty()) ex::write_junit(opt.junit, "mpsim sweep " + dir, cases);
  return c.failed_points.empty() && c.failed_slos == 0 ? kExitOk : kExitCheckFailed;
}

// --report: report.html after the sweep's own report; a page that cannot be written is exit 2.
int with_html(int code, const std::string& dir, bool html) {
  if (!html) return code;
  const int page = write_html_report(dir);
  return page == kExitOk ? code : page;
}

int sweep(const SweepOptions& opt) {
  static std::string dir;  // the interrupt watcher's message reads it until the process ends
  dir = opt.collect_dir.empty() ? opt.out_dir : opt.collect_dir;
  ex::interrupt::install([] {
    return "the finished points are kept in " + dir + "/points (each written whole); the same command resumes";
  });
  try {
    return run_guarded([&] {
      if (!opt.collect_dir.empty()) return with_html(report(opt.collect_dir, opt), opt.collect_dir, opt.html);
      if (opt.experiment.empty() || opt.out_dir.empty()) {
        std::cerr << "mpsim sweep: give an experiment FILE and --out DIR (or --collect DIR)\n";
        return kExitBadInput;
      }
      ex::SweepRequest req{opt.experiment, {}, opt.mode, opt.overrides, opt.slos};
      for (const std::string& a : opt.axes) req.cli_axes.push_back(ex::parse_axis(a));
      std::size_t n = ex::plan_sweep(req, opt.out_dir);
      if (opt.plan_only) {
        std::cout << "planned " << n << " points in " << opt.out_dir << " (plan.json, points/NNNN.textproto)\n";
        return kExitOk;
      }
      if (opt.slurm.slurm) {
        auto mark_failed = [&](std::size_t p, const std::string& why) { ex::record_failed_point(opt.out_dir, p, why); };
        if (run_sweep_on_slurm(opt.out_dir, n, opt.slurm, mark_failed) == SlurmOutcome::kSubmitted) return kExitOk;
        return with_html(report(opt.out_dir, opt), opt.out_dir, opt.html);
      }
      spdlog::info("running {} points with {} process(es)", n, opt.jobs);
      {
        ex::TerminalProgress progress(opt.progress);
        progress.set_count("sweep points", 0, n, 0, 0);  // the clock for the rate and ETA starts here
        auto show = [&progress](std::size_t done, std::size_t total, std::size_t ran, std::uint64_t ios) {
          progress.set_count("sweep points", done, total, ran, ios);
        };
        if (!ex::run_locally(self_exe(), opt.out_dir, opt.jobs, progress.active() ? ex::PointsDone(show) : nullptr)) {
          spdlog::error("a sweep-run process failed");
        }
      }
      return with_html(report(opt.out_dir, opt), opt.out_dir, opt.html);
    });
  } catch (const ex::SlurmError& e) {  // sbatch missing, controller down: unusable input, not a failed check
    std::cerr << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::runtime_error& e) {
    std::cerr << e.what() << "\n";
    return kExitCheckFailed;
  }
}

}  // namespace

void add_sweep_command(CLI::App& app, Action& action) {
  auto opt = std::make_shared<SweepOptions>();
  CLI::App* cmd = app.add_subcommand("sweep", "Run an experiment at every point of its sweep axes (and --axis)");
  cmd->add_option("experiment", opt->experiment, "Experiment file (.textproto)")->check(CLI::ExistingFile);
  cmd->add_option("--axis", opt->axes, "PATH=v1,v2,...: one more axis (replaces the file's axis of that path)");
  cmd->add_option("--mode", opt->mode, "grid (every combination) or zip (i-th values together)")
      ->check(CLI::IsMember({"grid", "zip"}));
  cmd->add_option("--set", opt->overrides, "PATH=VALUE applied to every point first");
  cmd->add_option("--slo", opt->slos, "An SLO for every point, e.g. \"p99<=1ms\" or \"fault:stall<=3s\"");
  cmd->add_option("-j,--jobs", opt->jobs, "Points run at once, each in its own process")->check(CLI::Range(1u, 256u));
  cmd->add_option("-o,--out", opt->out_dir, "Sweep directory: plan.json, points/, sweep.csv, sweep.json");
  cmd->add_flag("--plan-only", opt->plan_only, "Write the points and plan.json, run nothing (for other executors)");
  cmd->add_option("--collect", opt->collect_dir, "Build sweep.csv/sweep.json of an already run DIR and judge its SLOs");
  cmd->add_option("--junit", opt->junit, "Write the SLO results as JUnit XML here");
  cmd->add_flag("--report", opt->html, "Also write DIR/report.html (each figure against each axis, heatmaps, SLO failures)");
  cmd->add_flag("--progress", opt->progress, "Show progress on stderr even when it is not a terminal");
  add_slurm_flags(*cmd, opt->slurm);
  cmd->callback([opt, &action] { action = [opt] { return sweep(*opt); }; });

  auto run_opt = std::make_shared<std::tuple<std::string, std::size_t, std::size_t>>("", 0, 1);
  CLI::App* run = app.add_subcommand("sweep-run", "Run points I*K .. I*K+K-1 of a planned sweep directory");
  run->add_option("dir", std::get<0>(*run_opt), "Planned sweep directory")->required()->check(CLI::ExistingDirectory);
  run->add_option("--index", std::get<1>(*run_opt), "Task index I")->required();
  run->add_option("--count", std::get<2>(*run_opt), "Points per task K (default 1)")->check(CLI::Range(1ul, 1000000ul));
  run->callback([run_opt, &action] {
    action = [run_opt] {
      auto [dir, index, count] = *run_opt;
      ex::interrupt::install([] { return std::string("this process's unfinished point has no result"); });
      return run_guarded([&] {
        std::size_t ran = ex::run_points(dir, index * count, count);
        spdlog::debug("ran {} point(s)", ran);
        return kExitOk;
      });
    };
  });
}

}  // namespace mpsim::cli
