// `mpsim calibrate --fio A.json B.json [--out media.textproto] [--name N] [--base MEDIA]
// [--local-stack-us US]`: a media model fitted to two fio runs of the user's own device
// (models/calibrate.h), printed and written as a textproto snippet, and checked by replaying
// both runs on it in the simulator (experiments/calibrate_fio.h).
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "experiments/calibrate_fio.h"
#include "experiments/cli/commands.h"
#include "models/calibrate.h"
#include "topologies/file_io.h"
#include "topologies/units.h"

namespace mpsim::cli {
namespace {

namespace ex = mpsim::experiments;

struct CalibrateOptions {
  std::vector<std::string> fio_files;
  std::string out_file;
  std::string name = "calibrated";
  std::string base = "nand-tlc-gen4";
  double local_stack_us = 0;
};

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string describe(const models::FioRunFigures& r) {
  return r.origin + ": " + std::to_string(r.block_bytes) + "-byte " + (r.read ? "reads" : "writes") + " at QD " +
         std::to_string(r.queue_depth);
}

// Measured against simulated, one row per run, and how far apart (simulated / measured - 1).
std::string comparison(const std::vector<models::FioRunFigures>& runs, const std::vector<ex::SimulatedRun>& sims) {
  std::ostringstream s;
  s << "fit check (the simulator replaying each run on the fitted model, nothing else costing time):\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-5s %-9s %12s %12s %7s  %10s %10s %7s  %10s %10s %7s\n", "QD", "", "IOPS meas",
                "IOPS sim", "diff", "p50 meas", "p50 sim", "diff", "p99 meas", "p99 sim", "diff");
  s << line;
  auto diff = [](double sim, double meas) { return meas > 0 ? fixed((sim / meas - 1) * 100, 1) + "%" : "-"; };
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const models::FioRunFigures& m = runs[i];
    const ex::SimulatedRun& r = sims[i];
    std::snprintf(line, sizeof line, "  %-5u %-9s %12s %12s %7s  %8sus %8sus %7s  %8sus %8sus %7s\n", m.queue_depth,
                  m.read ? "read" : "write", fixed(m.iops, 0).c_str(), fixed(r.iops, 0).c_str(),
                  diff(r.iops, m.iops).c_str(), fixed(m.p50_us, 1).c_str(), fixed(r.p50_us, 1).c_str(),
                  diff(r.p50_us, m.p50_us).c_str(), fixed(m.p99_us, 1).c_str(), fixed(r.p99_us, 1).c_str(),
                  diff(r.p99_us, m.p99_us).c_str());
    s << line;
  }
  return s.str();
}

int calibrate(const CalibrateOptions& opt) {
  std::vector<models::FioRunFigures> runs;
  models::MediaFit fit;
  try {
    for (const std::string& f : opt.fio_files) {
      runs.push_back(ex::read_fio_run(topology::read_file(f, topology::limits::kMaxInputFileBytes), f));
    }
    const models::ModelSet defaults = models::default_models();
    auto base = defaults.media.find(opt.base);
    if (base == defaults.media.end()) {
      std::cerr << "mpsim calibrate: --base: no built-in media model \"" << opt.base << "\" (built in:";
      for (const auto& [name, params] : defaults.media) std::cerr << " " << name;
      std::cerr << ")\n";
      return kExitBadInput;
    }
    fit = models::fit_media(runs[0], runs[1], base->second, opt.local_stack_us);
  } catch (const topology::FileError& e) {
    std::cerr << "mpsim calibrate: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const models::CalibrationInputError& e) {
    std::cerr << "mpsim calibrate: " << e.what() << "\n";
    return kExitBadInput;
  }
  if (runs[0].queue_depth > runs[1].queue_depth) std::swap(runs[0], runs[1]);

  std::vector<ex::SimulatedRun> sims;
  try {
    sims = ex::simulate_fio_runs(fit.params, runs);
  } catch (const std::runtime_error& e) {
    std::cerr << "mpsim calibrate: " << e.what() << "\n";
    return kExitBadInput;
  }
  std::vector<std::string> header = {"mpsim calibrate: media model \"" + opt.name + "\" fitted to"};
  for (const models::FioRunFigures& r : runs) header.push_back("  " + describe(r));
  if (opt.local_stack_us > 0) header.push_back("less a local stack of " + fixed(opt.local_stack_us, 1) + " us per I/O");
  for (const std::string& n : fit.notes) header.push_back(n);
  const std::string snippet = ex::media_textproto(opt.name, fit.params, header);
  if (!opt.out_file.empty()) {
    try {
      topology::write_file_atomic(opt.out_file, snippet);
    } catch (const topology::FileError& e) {
      std::cerr << "mpsim calibrate: " << e.what() << "\n";
      return kExitNotWritten;
    }
  }
  std::cout << snippet << "\n" << comparison(runs, sims);
  if (!opt.out_file.empty()) std::cout << "written: " << opt.out_file << "\n";
  return kExitOk;
}

}  // namespace

void add_calibrate_command(CLI::App& app, Action& action) {
  auto opt = std::make_shared<CalibrateOptions>();
  CLI::App* cmd = app.add_subcommand("calibrate", "Fit a media model to fio runs of your own device at two queue depths");
  cmd->add_option("--fio", opt->fio_files, "Two fio --output-format=json files: the same job at a shallow and a deep QD")
      ->required()->expected(2)->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", opt->out_file, "Write the models { media {...} } snippet to this file");
  cmd->add_option("--name", opt->name, "Key of the fitted media model (default calibrated)");
  cmd->add_option("--base", opt->base, "Built-in media model the unfitted fields come from (default nand-tlc-gen4)");
  cmd->add_option("--local-stack-us", opt->local_stack_us,
                  "Time per I/O fio measured outside the device (the local block layer), taken off the latency (default 0)");
  cmd->callback([opt, &action] { action = [opt] { return calibrate(*opt); }; });
}

}  // namespace mpsim::cli
