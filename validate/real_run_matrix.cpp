#include "validate/real_run_matrix.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <numeric>

#include "experiments/progress.h"
#include "validate/guest_script.h"
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

// Union-find over scenario indices.
std::size_t root(std::vector<std::size_t>& parent, std::size_t i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

bool unit_finished(const GuestOptions& guest, const std::vector<sim::Scenario>& scenarios, const std::vector<std::size_t>& unit) {
  return std::all_of(unit.begin(), unit.end(), [&](std::size_t i) { return finished_run_exists(guest, scenarios[i].name); });
}

}  // namespace

std::vector<std::vector<std::size_t>> shared_boot_units(const std::vector<sim::Scenario>& scenarios,
                                                        const std::vector<RatioGroup>& groups) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < scenarios.size(); ++i) index.emplace(scenarios[i].name, i);
  std::vector<std::optional<GuestPlan>> plans(scenarios.size());
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    try {
      plans[i] = plan_guest(scenarios[i]);
    } catch (const GuestPlanError&) {
      // boots alone; run_in_guest reports it
    }
  }
  std::vector<std::size_t> parent(scenarios.size());
  std::iota(parent.begin(), parent.end(), std::size_t{0});
  for (const auto& g : groups) {
    auto ref = index.find(g.reference);
    if (ref == index.end() || !plans[ref->second]) continue;
    for (const auto& m : g.members) {
      auto member = index.find(m);
      if (member == index.end() || !plans[member->second]) continue;
      if (can_share_boot(*plans[ref->second], *plans[member->second])) {
        parent[root(parent, member->second)] = root(parent, ref->second);
      }
    }
  }
  std::vector<std::vector<std::size_t>> units;
  std::map<std::size_t, std::size_t> unit_of_root;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    auto [it, fresh] = unit_of_root.emplace(root(parent, i), units.size());
    if (fresh) units.emplace_back();
    units[it->second].push_back(i);
  }
  return units;
}

RealRunMatrix collect_real_runs(const std::vector<sim::Scenario>& scenarios, const std::vector<std::vector<std::size_t>>& units_in,
                                int repetitions, const std::string& kernel, GuestOptions guest, const MatrixRunOptions& options,
                                std::ostream& out) {
  std::vector<std::vector<std::size_t>> units = units_in;
  if (units.empty()) {
    for (std::size_t i = 0; i < scenarios.size(); ++i) units.push_back({i});
  }
  RealRunMatrix m;
  std::size_t to_boot = 0;
  for (int rep = 1; rep <= repetitions && !options.reuse; ++rep) {
    guest.repetition = rep;
    for (const auto& unit : units) to_boot += unit_finished(guest, scenarios, unit) ? 0 : 1;
  }
  experiments::TerminalProgress progress(options.progress);
  if (!options.reuse) progress.set_count("validate: guest boots", 0, to_boot, 0, 0);
  for (const auto& s : scenarios) m.runs[s.name].resize(static_cast<std::size_t>(repetitions));
  for (int rep = 1; rep <= repetitions; ++rep) {
    guest.repetition = rep;
    for (const auto& unit : units) {
      const std::size_t first = unit.front();
      progress.set_detail(progress_detail(rep, repetitions, first, scenarios.size(), scenarios[first].name) +
                          (unit.size() > 1 ? " (+" + std::to_string(unit.size() - 1) + " in the same boot)" : ""));
      const bool finished = unit_finished(guest, scenarios, unit);
      auto keep = [&](std::size_t i, RealRun run) {
        print_row(run, rep, repetitions, out);
        m.runs[scenarios[i].name][static_cast<std::size_t>(rep - 1)] = std::move(run);
      };
      if (options.reuse || finished) {
        for (std::size_t i : unit) {
          // Reusing, a later repetition that never finished (or is running now) is simply absent;
          // the first must exist.
          if (options.reuse && rep > 1 && !finished_run_exists(guest, scenarios[i].name)) continue;
          try {
            keep(i, read_guest_run(scenarios[i], guest));
            m.resumed += options.reuse ? 0 : 1;
          } catch (const GuestOutputError& e) {
            spdlog::error("scenario {} repetition {}: {}", scenarios[i].name, rep, e.what());
            ++m.failed;
          }
        }
        continue;
      }
      std::vector<sim::Scenario> together;
      for (std::size_t i : unit) together.push_back(scenarios[i]);
      try {
        std::vector<SharedBootRun> runs = run_in_one_guest(together, kernel, guest);
        for (std::size_t k = 0; k < unit.size(); ++k) {
          if (runs[k].run) {
            keep(unit[k], std::move(*runs[k].run));
          } else {
            spdlog::error("{} (repetition {})", runs[k].error, rep);
            ++m.failed;
          }
        }
      } catch (const GuestRunError& e) {
        spdlog::error("{} (repetition {})", e.what(), rep);
        m.failed += static_cast<int>(unit.size());
      } catch (const GuestOutputError& e) {
        spdlog::error("scenario {} repetition {}: {}", scenarios[first].name, rep, e.what());
        m.failed += static_cast<int>(unit.size());
      }
      const auto booted = static_cast<std::size_t>(++m.booted);
      progress.set_count("validate: guest boots", booted, to_boot, booted, 0);
    }
  }
  if (m.resumed > 0) spdlog::info("resumed: {} finished runs read back from {}", m.resumed, guest.results_dir);
  return m;
}

}  // namespace mpsim::validate
