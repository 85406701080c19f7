#include "validate/bands.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace mpsim::validate {
namespace {

bool too_short(const std::string& text) { return text.rfind("too short", 0) == 0; }

// The most frequent text; ties go to the one seen first.
std::string most_frequent(const std::vector<std::string>& texts) {
  std::string best;
  long best_count = 0;
  for (const auto& t : texts) {
    const long n = std::count(texts.begin(), texts.end(), t);
    if (n > best_count) {
      best = t;
      best_count = n;
    }
  }
  return best;
}

CompareRow merge_text(const std::vector<const CompareRow*>& reps) {
  CompareRow out = *reps.front();
  std::vector<std::string> real, sim;
  for (const CompareRow* r : reps) {
    if (std::find(real.begin(), real.end(), r->real_text) == real.end()) real.push_back(r->real_text);
    sim.push_back(r->sim_text);
  }
  out.sim_text = most_frequent(sim);
  out.real_text.clear();
  for (const auto& t : real) out.real_text += (out.real_text.empty() ? "" : " | ") + t;
  const bool seen = std::find(real.begin(), real.end(), out.sim_text) != real.end();
  out.pass = seen && !too_short(out.sim_text) && std::none_of(real.begin(), real.end(), too_short);
  return out;
}

CompareRow merge_numbers(const std::vector<const CompareRow*>& reps) {
  CompareRow out = *reps.front();
  std::vector<double> real_all, real_seen, sim;
  for (const CompareRow* r : reps) {
    real_all.push_back(r->real);
    if (r->real >= 0) real_seen.push_back(r->real);
    sim.push_back(r->sim);
  }
  out.real = lower_median(real_all);
  out.sim = lower_median(sim);
  const bool never_seen = real_seen.size() < real_all.size();
  if (real_seen.empty()) {
    out.real_min = out.real_max = out.real;
  } else {
    out.real_min = *std::min_element(real_seen.begin(), real_seen.end());
    out.real_max = *std::max_element(real_seen.begin(), real_seen.end());
  }
  const Tolerance tol = parse_tolerance(out.tolerance);
  if (out.sim < 0) {
    out.pass = never_seen;
  } else if (real_seen.empty()) {
    out.pass = false;
  } else {
    const double low = out.real_min - std::max(tol.fraction * std::fabs(out.real_min), tol.floor);
    const double high = out.real_max + std::max(tol.fraction * std::fabs(out.real_max), tol.floor);
    // A relative measure of a run that did nothing (0 IOPS) agrees with nothing.
    out.pass = low <= out.sim && out.sim <= high && !(tol.floor == 0 && tol.fraction > 0 && out.real_max <= 0);
  }
  return out;
}

}  // namespace

Tolerance parse_tolerance(const std::string& text) {
  if (text == "exact") return {};
  double a = 0, b = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%lf%% or %lfms%n", &a, &b, &used) == 2 && used == static_cast<int>(text.size())) {
    return {a / 100.0, b};
  }
  if (std::sscanf(text.c_str(), "%lfpp%n", &a, &used) == 1 && used == static_cast<int>(text.size())) return {0, a};
  if (std::sscanf(text.c_str(), "%lf%%%n", &a, &used) == 1 && used == static_cast<int>(text.size())) return {a / 100.0, 0};
  throw std::invalid_argument("unknown tolerance \"" + text + "\"");
}

double lower_median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[(values.size() - 1) / 2];
}

std::vector<CompareRow> band_rows(const std::vector<std::vector<CompareRow>>& per_repetition) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const CompareRow*>> by_measure;
  for (const auto& rows : per_repetition) {
    for (const auto& r : rows) {
      auto& list = by_measure[r.measure];
      if (list.empty()) order.push_back(r.measure);
      list.push_back(&r);
    }
  }
  std::vector<CompareRow> out;
  for (const auto& measure : order) {
    const auto& reps = by_measure[measure];
    if (reps.size() == 1) {
      out.push_back(*reps.front());
      out.back().real_min = out.back().real_max = out.back().real;
      continue;
    }
    out.push_back(reps.front()->real_text.empty() ? merge_numbers(reps) : merge_text(reps));
    out.back().repetitions = static_cast<int>(reps.size());
  }
  return out;
}

std::string format_noise_floor(const std::vector<ScenarioComparison>& all) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> widths;
  for (const auto& c : all) {
    for (const auto& r : c.rows) {
      if (r.repetitions < 2 || !r.real_text.empty() || r.real <= 0) continue;
      const std::string kind = measure_kind(r.measure);
      if (widths.find(kind) == widths.end()) order.push_back(kind);
      widths[kind].push_back((r.real_max - r.real_min) / r.real);
    }
  }
  if (order.empty()) return "";
  std::string out = "noise floor per measure (the kernel's band width / its median, over repetitions):\n";
  char buf[160];
  for (const auto& kind : order) {
    auto& w = widths[kind];
    std::snprintf(buf, sizeof buf, "  %-12s median %6.1f%%  max %7.1f%%  (%zu rows)\n", kind.c_str(), 100.0 * lower_median(w),
                  100.0 * *std::max_element(w.begin(), w.end()), w.size());
    out += buf;
  }
  return out;
}

}  // namespace mpsim::validate
