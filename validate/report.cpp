#include "validate/report.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "validate/conformance.h"

namespace mpsim::validate {
namespace {

std::string printf_string(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string figures_line(const char* name, const CalibrationFigures& f) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "  %-15s %9.0f IOPS  mean %8.1f us  p50 %8.1f us  p99 %9.1f us\n", name, f.iops, f.mean_us,
                f.p50_us, f.p99_us);
  return buf;
}

}  // namespace

// "stall_ms f1" -> "stall_ms", "share nvmet.p1" -> "share", "path choice" stays whole; the
// per-phase rows ("path choice after f1: down", "share nvmet.p1 after ...") are kinds of their own.
std::string measure_kind(const std::string& measure) {
  if (is_phase_measure(measure)) return measure.rfind("path choice", 0) == 0 ? "phase choice" : "phase share";
  if (measure == "path choice") return measure;
  return measure.substr(0, measure.find(' '));
}

std::string format_value(const std::string& measure, double value) {
  const std::string kind = measure_kind(measure);
  if ((kind == "detect_ms" || kind == "recover_ms" || kind == "stall_ms") && value < 0) return "none";
  if (kind == "share" || kind == "phase share") return printf_string("%.1f%%", value);
  if (kind == "p50_us" || kind == "p99_us" || kind == "p99.9_us") return printf_string("%.1f us", value);
  if (kind == "stall_ms" || kind == "detect_ms" || kind == "recover_ms" || kind == "max_ms") return printf_string("%.0f ms", value);
  if (kind == "share-moved") return printf_string("%.1fpp", value);
  if (kind.rfind("ratio-", 0) == 0) return printf_string("%.3f", value);
  return printf_string("%.0f", value);
}

std::string format_scenario(const ScenarioComparison& c) {
  std::string out = "scenario " + c.scenario + " (" + c.policy + ")\n";
  char buf[320];
  // Rows merged over repetitions print the kernel's median and [min, max]: a wider column.
  const bool banded = std::any_of(c.rows.begin(), c.rows.end(), [](const CompareRow& r) { return r.repetitions > 1; });
  const int real_width = banded ? 38 : 18;
  std::snprintf(buf, sizeof buf, "  %-34s %*s %18s  %-13s %s\n", "measure", real_width, banded ? "real median [min, max]" : "real",
                "sim", "tolerance", "verdict");
  out += buf;
  for (const auto& r : c.rows) {
    std::string real = r.real_text.empty() ? format_value(r.measure, r.real) : r.real_text;
    if (r.repetitions > 1 && r.real_text.empty()) {  // the median and the band over the repetitions
      real += " [" + format_value(r.measure, r.real_min) + ", " + format_value(r.measure, r.real_max) + "]";
    }
    std::string sim = r.real_text.empty() ? format_value(r.measure, r.sim) : r.sim_text;
    std::snprintf(buf, sizeof buf, "  %-34s %*s %18s  %-13s %s\n", r.measure.c_str(), real_width, real.c_str(), sim.c_str(),
                  r.tolerance.c_str(), r.pass ? "PASS" : "FAIL");
    out += buf;
  }
  return out;
}

std::string format_agreement(const std::vector<ScenarioComparison>& all) {
  // Kinds in the order rows appear, counted as (within, compared).
  std::vector<std::string> order;
  std::map<std::string, std::pair<int, int>> counts;
  int within = 0, total = 0;
  for (const auto& c : all) {
    for (const auto& r : c.rows) {
      const std::string kind = measure_kind(r.measure);
      if (counts.find(kind) == counts.end()) order.push_back(kind);
      auto& n = counts[kind];
      n.first += r.pass ? 1 : 0;
      ++n.second;
      within += r.pass ? 1 : 0;
      ++total;
    }
  }
  std::string out = "agreement per measure (rows within tolerance / rows compared):\n";
  char buf[160];
  for (const auto& kind : order) {
    std::snprintf(buf, sizeof buf, "  %-12s %4d of %4d\n", kind.c_str(), counts[kind].first, counts[kind].second);
    out += buf;
  }
  out += format_conformance(all);
  std::snprintf(buf, sizeof buf, "agreement: %d of %d rows within tolerance over %zu scenarios\n", within, total, all.size());
  return out + buf;
}

std::string format_targets(const std::vector<ScenarioComparison>& all, const std::vector<ScenarioComparison>& ratios) {
  struct Target {
    const char* kind;
    double share;
  };
  static constexpr Target kTargets[] = {{"stall_ms", 0.95}, {"detect_ms", 0.95}, {"errors", 0.95},
                                        {"iops", 0.80},     {"p50_us", 0.80},    {"p99_us", 0.80}};
  auto count = [](const std::vector<ScenarioComparison>& list, const std::string& kind, bool any_kind) {
    std::pair<int, int> n{0, 0};
    for (const auto& c : list) {
      for (const auto& r : c.rows) {
        if (!any_kind && measure_kind(r.measure) != kind) continue;
        n.first += r.pass ? 1 : 0;
        ++n.second;
      }
    }
    return n;
  };
  std::string out = "targets (issue 15: rows within the kernel's band widened by the tolerance):\n";
  char buf[200];
  auto line = [&](const char* kind, std::pair<int, int> n, double share) {
    const double got = n.second > 0 ? static_cast<double>(n.first) / n.second : 0.0;
    std::snprintf(buf, sizeof buf, "  %-12s %4d of %4d = %5.1f%%  target >= %.0f%%: %s\n", kind, n.first, n.second, 100.0 * got,
                  100.0 * share, n.second == 0 ? "no rows" : (got >= share ? "met" : "missed"));
    out += buf;
  };
  for (const auto& t : kTargets) line(t.kind, count(all, t.kind, false), t.share);
  line("ratios", count(ratios, "", true), 0.90);
  return out;
}

std::string format_conformance(const std::vector<ScenarioComparison>& all) {
  int within = 0, total = 0, short_phases = 0;
  for (const auto& c : all) {
    for (const auto& r : c.rows) {
      if (!is_phase_measure(r.measure)) continue;
      within += r.pass ? 1 : 0;
      ++total;
      short_phases += (r.real_text.rfind("too short", 0) == 0 || r.sim_text.rfind("too short", 0) == 0) ? 1 : 0;
    }
  }
  char buf[200];
  std::snprintf(buf, sizeof buf, "conformance after state changes: %d of %d rows within tolerance (%d phases too short to judge)\n",
                within, total, short_phases);
  return buf;
}

std::string format_calibration(const Calibration& c) {
  std::string out = "calibration (" + c.source + "; " + c.kernel + "):\n";
  out += figures_line("qd1-randread", c.runs.qd1_read);
  out += figures_line("qd16-randread", c.runs.qd16_read);
  out += figures_line("qd1-randwrite", c.runs.qd1_write);
  out += figures_line("qd16-randwrite", c.runs.qd16_write);
  if (c.runs.batching.single_iops > 0) {
    char line[160];
    std::snprintf(line, sizeof line, "  qd16-randread-batch %6.0f IOPS unbatched, %.0f IOPS 16 per io_submit (same boot)\n",
                  c.runs.batching.single_iops, c.runs.batching.batch16_iops);
    out += line;
  }
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "  fit: 1 host CPU, %.1f us CPU per read + %.1f us per write + %.1f us per io_submit (QD16 read %.1f,"
                " write %.1f; target 0),"
                " service read %.1f us write %.1f us, cv %.2f; CPU there %.0f %% (%.0f pauses/s of %.0f us)\n",
                c.fit.cpu_per_io_us, c.fit.write_extra_us, c.fit.per_call_us, c.fit.read_cpu_per_io_us, c.fit.write_cpu_per_io_us,
                c.fit.read_service_us, c.fit.write_service_us, c.fit.latency_cv, c.fit.cpu_available * 100.0,
                c.fit.pause_rate_per_s, c.fit.pause_mean_us);
  return out + buf;
}

std::string format_drift(double start_iops, double end_iops) {
  char buf[200];
  const double change = start_iops > 0 ? (end_iops - start_iops) / start_iops * 100.0 : 0.0;
  std::snprintf(buf, sizeof buf, "host drift: QD16 randread %.0f IOPS at the start of the run, %.0f at the end (%+.0f%%)\n",
                start_iops, end_iops, change);
  return buf;
}

}  // namespace mpsim::validate
