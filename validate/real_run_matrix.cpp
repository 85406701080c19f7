#include "validate/real_run_matrix.h"

#include <spdlog/spdlog.h>

#include "experiments/progress.h"
#include "validate/pipeline.h"

namespace mpsim::validate {
namespace {

std::string progress_detail(int rep, int repetitions, std::size_t index, std::size_t count, const std::string& name) {
  return "repetition " + std::to_string(rep) + "/" + std::to_string(repetitions) + ", scenario " + std::to_string(index + 1) +
         "/" + std::to_string(count) + " " + name;
}

// The row of the real table; repetitions after the first are marked "#k".
void print_row(RealRun run, int rep, int repetitions, std::ostream& out) {
  if (repetitions > 1) run.scenario += " #" + std::to_string(rep);
  out << format_real_row(run) << std::flush;
}

}  // namespace

RealRunMatrix collect_real_runs(const std::vector<sim::Scenario>& scenarios, int repetitions, const std::string& kernel,
                                GuestOptions guest, const MatrixRunOptions& options, std::ostream& out) {
  RealRunMatrix m;
  std::size_t to_boot = 0;
  for (int rep = 1; rep <= repetitions && !options.reuse; ++rep) {
    guest.repetition = rep;
    for (const auto& s : scenarios) to_boot += finished_run_exists(guest, s.name) ? 0 : 1;
  }
  experiments::TerminalProgress progress(options.progress);
  if (!options.reuse) progress.set_count("validate: guest boots", 0, to_boot, 0, 0);
  for (const auto& s : scenarios) m.runs[s.name].resize(static_cast<std::size_t>(repetitions));
  for (int rep = 1; rep <= repetitions; ++rep) {
    guest.repetition = rep;
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
      const sim::Scenario& s = scenarios[i];
      progress.set_detail(progress_detail(rep, repetitions, i, scenarios.size(), s.name));
      const bool finished = finished_run_exists(guest, s.name);
      // Reusing, a later repetition that never finished (or is running now) is simply absent;
      // the first must exist.
      if (options.reuse && rep > 1 && !finished) continue;
      try {
        RealRun run;
        if (options.reuse || finished) {
          run = read_guest_run(s, guest);
          m.resumed += options.reuse ? 0 : 1;
        } else {
          run = run_in_guest(s, kernel, guest);
        }
        print_row(run, rep, repetitions, out);
        m.runs[s.name][static_cast<std::size_t>(rep - 1)] = std::move(run);
      } catch (const GuestRunError& e) {
        spdlog::error("{} (repetition {})", e.what(), rep);
        ++m.failed;
      } catch (const GuestOutputError& e) {
        spdlog::error("scenario {} repetition {}: {}", s.name, rep, e.what());
        ++m.failed;
      }
      if (!options.reuse && !finished) {
        const auto booted = static_cast<std::size_t>(++m.booted);
        progress.set_count("validate: guest boots", booted, to_boot, booted, 0);
      }
    }
  }
  if (m.resumed > 0) spdlog::info("resumed: {} finished runs read back from {}", m.resumed, guest.results_dir);
  return m;
}

}  // namespace mpsim::validate
