#include "validate/calibration_run.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "experiments/experiment_loader.h"

namespace mpsim::validate {

std::vector<std::string> calibration_files(const std::string& source_dir) {
  const std::filesystem::path dir = std::filesystem::path(source_dir) / "validate/calibration";
  std::vector<std::string> files;
  for (const char* name : {"qd1-randread", "qd16-randread", "qd1-randwrite", "qd16-randwrite", "qd16-randread-batch"}) {
    files.push_back((dir / (std::string(name) + ".textproto")).string());
  }
  return files;
}

CalibrationFigures calibration_figures(const RealRun& run) {
  double mean_ns = 0;
  if (!run.jobs.empty()) {
    const auto& r = run.jobs.front().result;
    mean_ns = r.read.total_ios >= r.write.total_ios ? r.read.lat.mean_ns : r.write.lat.mean_ns;
  }
  return {run.iops, mean_ns / 1000.0, run.p50_ns / 1000.0, run.p99_ns / 1000.0};
}

BatchingFigures batching_figures(const RealRun& run) {
  BatchingFigures b;
  for (const auto& job : run.jobs) {
    if (job.result.name == "single") b.single_iops = job.result.read.iops();
    if (job.result.name == "batch16") b.batch16_iops = job.result.read.iops();
  }
  if (b.single_iops <= 0 || b.batch16_iops <= 0) {
    throw CalibrationError("calibration run " + run.scenario + ": fio reported no I/O for job \"single\" or \"batch16\"");
  }
  return b;
}

Calibration run_calibration(const std::string& kernel, const GuestOptions& options, const std::string& command) {
  GuestOptions cal = options;
  cal.results_dir = (std::filesystem::path(options.results_dir) / "calibration").string();
  std::vector<CalibrationFigures> figures;
  Calibration c;
  c.command = command;
  c.source = "measured";
  const std::vector<std::string> files = calibration_files(options.source_dir);
  for (std::size_t i = 0; i < files.size(); ++i) {
    sim::Scenario s = experiments::load_experiment_file(files[i]).runs.front().scenario;
    RealRun run = run_in_guest(s, kernel, cal);
    c.kernel = run.kernel;
    if (i == kBatchingRun) {
      c.runs.batching = batching_figures(run);
      spdlog::info("calibration {}: {:.0f} IOPS unbatched, {:.0f} IOPS 16 per io_submit", s.name,
                   c.runs.batching.single_iops, c.runs.batching.batch16_iops);
      continue;
    }
    figures.push_back(calibration_figures(run));
    spdlog::info("calibration {}: {:.0f} IOPS, mean {:.1f} us, p50 {:.1f} us, p99 {:.1f} us", s.name, figures.back().iops,
                 figures.back().mean_us, figures.back().p50_us, figures.back().p99_us);
  }
  c.runs.qd1_read = figures[0];
  c.runs.qd16_read = figures[1];
  c.runs.qd1_write = figures[2];
  c.runs.qd16_write = figures[3];
  c.fit = fit_calibration(c.runs);
  return c;
}

double remeasure_qd16_read(const std::string& kernel, const GuestOptions& options) {
  GuestOptions end = options;
  end.results_dir = (std::filesystem::path(options.results_dir) / "calibration-end").string();
  sim::Scenario s = experiments::load_experiment_file(calibration_files(options.source_dir)[1]).runs.front().scenario;
  return run_in_guest(s, kernel, end).iops;
}

}  // namespace mpsim::validate
