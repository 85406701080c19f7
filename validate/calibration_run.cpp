#include "validate/calibration_run.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "experiments/experiment_loader.h"

namespace mpsim::validate {

std::vector<std::string> calibration_files(const std::string& source_dir) {
  const std::filesystem::path dir = std::filesystem::path(source_dir) / "validate/calibration";
  std::vector<std::string> files;
  for (const char* name : {"qd1-randread", "qd16-randread", "qd1-randwrite", "qd16-randwrite"}) {
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

Calibration run_calibration(const std::string& kernel, const GuestOptions& options, const std::string& command) {
  GuestOptions cal = options;
  cal.results_dir = (std::filesystem::path(options.results_dir) / "calibration").string();
  std::vector<CalibrationFigures> figures;
  Calibration c;
  c.command = command;
  c.source = "measured";
  for (const auto& file : calibration_files(options.source_dir)) {
    sim::Scenario s = experiments::load_experiment_file(file).runs.front().scenario;
    RealRun run = run_in_guest(s, kernel, cal);
    figures.push_back(calibration_figures(run));
    c.kernel = run.kernel;
    spdlog::info("calibration {}: {:.0f} IOPS, mean {:.1f} us, p50 {:.1f} us, p99 {:.1f} us", s.name, figures.back().iops,
                 figures.back().mean_us, figures.back().p50_us, figures.back().p99_us);
  }
  c.runs = {figures[0], figures[1], figures[2], figures[3]};
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
