// Galloping then bisection over one-point sweeps (see sizing.h).
#include "experiments/sizing.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

namespace mpsim::experiments {
namespace {

namespace fs = std::filesystem;

class Prober {
 public:
  Prober(const SizingRequest& req, std::string out_dir, const RunPlannedDir& run_dir)
      : req_(req), out_(std::move(out_dir)), run_dir_(run_dir) {}

  bool passes(double v) {
    if (auto it = seen_.find(v); it != seen_.end()) return it->second.passed;
    std::string text = format_axis_value(v, req_.integer);
    std::string dir = (fs::path(out_) / ("v-" + text)).string();
    SweepRequest one = req_.base;
    one.cli_axes = {{req_.path, {text}}};
    plan_sweep(one, dir);  // unchanged point: its earlier result is kept
    run_dir_(dir);
    CollectOutcome c = collect_sweep(dir);
    SizingProbe p{v, c.failed_points.empty() && c.failed_slos == 0, ""};
    if (!c.failed_points.empty()) p.why = "point failed (see " + dir + "/sweep.csv)";
    for (const auto& [point, o] : c.slo_results) {
      if (!o.passed && p.why.empty()) p.why = "[" + o.policy + "] " + o.name + " " + o.subject + ": " + o.measured;
    }
    seen_[v] = p;
    return p.passed;
  }

  std::vector<SizingProbe> probes() const {
    std::vector<SizingProbe> out;
    for (const auto& [v, p] : seen_) out.push_back(p);
    return out;
  }

 private:
  const SizingRequest& req_;
  std::string out_;
  const RunPlannedDir& run_dir_;
  std::map<double, SizingProbe> seen_;
};

// Absent, empty, or only the v-VALUE sweep directories of an earlier search (reused).
void check_sizing_dir(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_directory(dir, ec)) throw std::invalid_argument(dir + ": exists and is not a directory: give another --out");
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name == "report.html") continue;  // `mpsim report DIR` of an earlier search
    if (name.rfind("v-", 0) != 0 || !e.is_directory()) {  // each probe's sweep directory checks itself
      throw std::invalid_argument(dir + ": not empty and not a sizing directory (it holds " + name +
                                  "): give an empty or new --out directory");
    }
  }
}

}  // namespace

std::string format_axis_value(double v, bool integer) {
  char buf[64];
  if (integer) std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(std::llround(v)));
  else std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

SizingResult size_search(const SizingRequest& req, const std::string& out_dir, const RunPlannedDir& run_dir) {
  check_sizing_dir(out_dir);
  if (req.max && *req.max < req.min) throw std::invalid_argument("size: --max is below --min");
  if (req.integer && req.min < 0) throw std::invalid_argument("size: --min must be >= 0 for an integer axis");
  if (!req.integer && req.min <= 0 && !req.max) throw std::invalid_argument("size: a real axis needs --min > 0 or a --max");
  Prober probe(req, out_dir, run_dir);
  SizingResult r;
  double lo = req.min;
  if (!probe.passes(lo)) {
    r.smallest_failing = lo;
  } else {
    r.largest_passing = lo;
    // Galloping: double the distance from min until a failure or the max.
    double step = req.integer ? 1 : std::max(std::abs(req.min), 1e-9);
    std::optional<double> hi;
    for (int i = 0; i < 60; ++i) {
      double v = lo + step;
      if (req.max && v >= *req.max) v = *req.max;
      if (v <= lo) break;
      if (probe.passes(v)) {
        lo = v;
        r.largest_passing = v;
        if (req.max && v >= *req.max) break;
        step *= 2;
      } else {
        hi = v;
        break;
      }
    }
    // Bisection between the last pass and the first failure.
    while (hi) {
      double gap = *hi - lo;
      if (req.integer ? gap <= 1 : gap <= req.tolerance * std::max(std::abs(lo), 1e-12)) break;
      double mid = req.integer ? std::floor(lo + gap / 2) : lo + gap / 2;
      if (probe.passes(mid)) lo = mid;
      else hi = mid;
    }
    r.largest_passing = lo;
    r.smallest_failing = hi;
  }
  r.probes = probe.probes();
  for (const SizingProbe& p : r.probes) {
    for (const SizingProbe& q : r.probes) {
      if (p.value < q.value && !p.passed && q.passed)
        r.non_monotone.push_back("passes at " + format_axis_value(q.value, req.integer) + " above a failure at " +
                                 format_axis_value(p.value, req.integer));
    }
  }
  return r;
}

}  // namespace mpsim::experiments
