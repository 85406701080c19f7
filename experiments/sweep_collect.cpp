// Collecting a sweep: every point's result file -> sweep.csv (one row per point x policy x job,
// and per fault) and sweep.json, with each point's SLOs judged. The output depends only on the
// result files, so it is the same bytes however the points ran.
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "experiments/interrupt.h"
#include "experiments/sweep.h"
#include "experiments/sweep_files.h"
#include "experiments/sweep_metrics.h"
#include "topologies/textproto.h"

namespace mpsim::experiments {
namespace {

namespace fs = std::filesystem;

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string us(std::int64_t ns) { return fixed(static_cast<double>(ns) / 1e3, 1); }
std::string ms_or_never(std::int64_t ns) { return ns < 0 ? "never" : fixed(static_cast<double>(ns) / 1e6, 3); }

std::vector<experiment::Slo> point_slos(const std::string& dir, std::size_t index) {
  experiment::Experiment exp;
  topology::parse_textproto_file(point_file(dir, index, ".textproto"), exp);
  return {exp.slo().begin(), exp.slo().end()};
}

}  // namespace

CollectOutcome collect_sweep(const std::string& dir) {
  nlohmann::json plan = nlohmann::json::parse(read_text((fs::path(dir) / "plan.json").string()));
  std::size_t total = plan.at("point_count").get<std::size_t>();
  std::string missing;
  for (std::size_t i = 0; i < total; ++i) {
    if (!point_finished(dir, i)) missing += (missing.empty() ? "" : ", ") + point_name(i);
  }
  if (!missing.empty()) throw std::runtime_error(dir + ": points without a (current) result: " + missing);

  std::vector<std::string> axis_paths;
  for (const auto& a : plan.at("axes")) axis_paths.push_back(a.at("path").get<std::string>());
  std::string csv = "point";
  for (const std::string& p : axis_paths) csv += "," + csv_field(p);
  csv += ",policy,row,name,iops,mbps,p50_us,p99_us,p99.9_us,max_us,errors,stall_ms,detect_ms,recover_ms,"
         "p99_during_us,stuck_during,failed,reason\n";

  CollectOutcome outcome;
  nlohmann::json out = {{"experiment", plan.at("experiment")}, {"mode", plan.at("mode")}, {"axes", plan.at("axes")},
                        {"points", nlohmann::json::array()}};
  for (std::size_t i = 0; i < total; ++i) {
    const nlohmann::json& planned = plan.at("points").at(i);
    nlohmann::json result = nlohmann::json::parse(read_text(point_file(dir, i, ".result.json")));
    std::string lead = point_name(i);
    for (const std::string& p : axis_paths) lead += "," + csv_field(planned.at("values").at(p).get<std::string>());
    bool failed = result.at("failed").get<bool>();
    std::string reason = result.at("reason").get<std::string>();
    std::string tail = std::string(",") + (failed ? "1" : "0") + "," + csv_field(reason) + "\n";
    if (failed) outcome.failed_points.push_back(i);
    nlohmann::json point = {{"index", i}, {"values", planned.at("values")}, {"seed", planned.at("seed")},
                            {"failed", failed}, {"reason", reason}, {"runs", result.at("runs")},
                            {"slo", nlohmann::json::array()}};
    std::vector<experiment::Slo> slos = point_slos(dir, i);
    if (result.at("runs").empty()) csv += lead + ",,point,,,,,,,,,,,,,," + tail.substr(1);
    for (const auto& run_json : result.at("runs")) {
      RunMetrics run = run_metrics_from_json(run_json);
      std::string policy = csv_field(run.policy);
      for (const JobMetrics& j : run.jobs) {
        csv += lead + "," + policy + ",job," + csv_field(j.name) + "," + fixed(j.iops(), 1) + "," + fixed(j.mbps(), 1) +
               "," + us(j.p50_ns) + "," + us(j.p99_ns) + "," + us(j.p999_ns) + "," + us(j.max_ns) + "," +
               std::to_string(j.errors) + ",,,,,," + tail.substr(1);
      }
      for (const FaultMetrics& f : run.faults) {
        csv += lead + "," + policy + ",fault," + csv_field(f.label) + ",,,,,,,," + ms_or_never(f.stall_ns) + "," +
               ms_or_never(f.detect_ns) + "," + ms_or_never(f.recover_ns) + "," + us(f.p99_during_ns) + "," +
               std::to_string(f.stuck_during) + tail;
      }
      for (const SloOutcome& o : evaluate_slos(slos, run)) {
        point["slo"].push_back({{"name", o.name}, {"policy", o.policy}, {"subject", o.subject}, {"passed", o.passed},
                                {"measured", o.measured}, {"threshold", o.threshold}});
        if (!o.passed) ++outcome.failed_slos;
        outcome.slo_results.emplace_back(i, o);
      }
    }
    out["points"].push_back(point);
  }
  out["failed_points"] = outcome.failed_points.size();
  out["failed_slos"] = outcome.failed_slos;
  interrupt::Commit commit;  // an interrupt waits: each file is renamed in whole
  write_atomically((fs::path(dir) / "sweep.csv").string(), csv);
  write_atomically((fs::path(dir) / "sweep.json").string(), json_text(out, 2));
  return outcome;
}

}  // namespace mpsim::experiments
