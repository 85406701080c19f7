// The engine comparison's pure parts: engine lists, the emulator's fault times merged into the
// guest's faults.csv, the rows across engines and their report. The boots are in three_way_run.cpp.
#include "validate/three_way.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "validate/conformance.h"
#include "validate/fio_json.h"
#include "validate/guest_results.h"

namespace mpsim::validate {
namespace {

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// One CSV record of the emulator's events log: the fields with their quotes undone.
std::vector<std::string> csv_fields(std::string_view line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      out.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

// The measures the engines are compared on; latency percentiles and recovery follow the host's
// speed, which the engines do not share (validate/README.md, "Missing").
bool engine_measure(const std::string& m) {
  for (const char* prefix : {"iops", "path choice", "share ", "stall_ms ", "detect_ms ", "errors"}) {
    if (m.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

std::string kind_of(const std::string& measure) {
  if (is_phase_measure(measure)) return measure.rfind("path choice", 0) == 0 ? "phase choice" : "phase share";
  if (measure == "path choice") return measure;
  return measure.substr(0, measure.find(' '));
}

std::string value_text(const CompareRow& r, bool real_side) {
  if (!r.real_text.empty() || !r.sim_text.empty()) return real_side ? r.real_text : r.sim_text;
  return format_value(r.measure, real_side ? r.real : r.sim);
}

}  // namespace

EngineSet parse_engines(std::string_view list) {
  EngineSet e;
  for (const std::string& word : split(list, ',')) {
    if (word == "sim") e.sim = true;
    else if (word == "nvmet") e.nvmet = true;
    else if (word == "emulator") e.emulator = true;
    else throw std::invalid_argument("--engines: unknown engine \"" + word + "\" (sim, nvmet, emulator)");
  }
  if (!e.nvmet && !e.emulator) {
    throw std::invalid_argument("--engines: name nvmet or emulator too (the simulator replays a real run's timeline)");
  }
  return e;
}

std::vector<std::string> default_engine_scenarios(const std::string& source_dir) {
  std::vector<std::string> files;
  for (const char* name : {"fault-ana-change-numa", "fault-port-unlink-numa", "fault-silent-loss-numa", "fault-ctrl-reset-numa",
                           "steady-opt-opt-rr"}) {
    files.push_back(source_dir + "/validate/scenarios/" + name + ".textproto");
  }
  return files;
}

std::string merge_emulator_faults(std::string_view faults_csv, std::string_view events_csv, const std::string& source,
                                  std::optional<std::int64_t> t0_us) {
  const std::vector<FaultRecord> guest = parse_faults_csv(faults_csv, source + "/faults.csv");
  std::optional<std::int64_t> io_start;
  for (const auto& r : guest) {
    if (r.action == "io_start") io_start = r.t_ms;
  }
  std::optional<double> clock_s;
  std::optional<std::int64_t> anchor_ms;  // the fault clock's time on the guest's timeline
  std::vector<std::pair<double, std::string>> actions;  // (emulator seconds, "emu-fault,<subject>;<detail>")
  int line_no = 0;
  for (const std::string& line : split(events_csv, '\n')) {
    ++line_no;
    if (line.empty() || line_no == 1) continue;  // the header
    const std::vector<std::string> f = csv_fields(line);
    if (f.size() < 4) throw GuestOutputError(source + "/emulator-events.csv:" + std::to_string(line_no) + ": not 4 fields");
    double t = 0;
    try {
      t = std::stod(f[0]);
    } catch (const std::exception&) {
      throw GuestOutputError(source + "/emulator-events.csv:" + std::to_string(line_no) + ": time \"" + f[0] + "\"");
    }
    if (f[1] == "fault-clock") {
      clock_s = t;
      const std::size_t at = f[3].find("realtime_us ");
      if (at != std::string::npos && t0_us) {
        try {
          anchor_ms = (std::stoll(f[3].substr(at + 12)) - *t0_us) / 1000;
        } catch (const std::exception&) {
          throw GuestOutputError(source + "/emulator-events.csv:" + std::to_string(line_no) + ": realtime_us \"" +
                                 f[3].substr(at + 12) + "\"");
        }
      }
    }
    if (f[1] != "fault" && f[1] != "fault-end") continue;
    std::string detail = f[2] + ";" + f[3];
    std::replace(detail.begin(), detail.end(), ',', ';');
    actions.emplace_back(t, "emu-" + f[1] + "," + detail);
  }
  if (!actions.empty() && !clock_s) throw GuestOutputError(source + "/emulator-events.csv: fault actions but no fault-clock line");
  // With the realtime stamp the fault clock is the schedule's time 0 (the guest stamps io_start just
  // after its kill -USR1, up to tens of ms off either way), so io_start moves there: a fault is
  // measured from its first action at or after io_start + its time (real_run.cpp), and an action
  // placed a few ms before that was passed over for the fault's end.
  const bool anchored = anchor_ms.has_value() && !actions.empty();
  if (!anchor_ms) anchor_ms = io_start;
  if (!actions.empty() && !anchor_ms) throw GuestOutputError(source + "/faults.csv: no io_start line");
  std::vector<std::pair<std::int64_t, std::string>> lines;
  for (const auto& r : guest) {
    const std::int64_t t = anchored && r.action == "io_start" ? *anchor_ms : r.t_ms;
    lines.emplace_back(t, r.action + (r.detail.empty() ? "" : "," + r.detail));
  }
  for (const auto& [t, text] : actions) {
    lines.emplace_back(*anchor_ms + std::llround((t - *clock_s) * 1000.0), text);
  }
  std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [t, text] : lines) out += std::to_string(t) + "," + text + "\n";
  return out;
}

bool within_tolerance(const std::string& tolerance, double reference, double other) {
  if (tolerance == "exact") return reference == other;
  if (tolerance.size() > 2 && tolerance.compare(tolerance.size() - 2, 2, "pp") == 0) {
    return std::fabs(other - reference) <= std::stod(tolerance);
  }
  const double fraction = std::stod(tolerance) / 100.0;  // "20%" or "20% or 100ms"
  const std::size_t or_at = tolerance.find(" or ");
  if (or_at == std::string::npos) return reference > 0 && std::fabs(other - reference) <= fraction * reference;
  const double floor = std::stod(tolerance.substr(or_at + 4));
  if (reference < 0 || other < 0) return reference < 0 && other < 0;
  return std::fabs(other - reference) <= std::max(fraction * reference, floor);
}

std::vector<EngineRow> engine_rows(const std::optional<ScenarioComparison>& nvmet_vs_sim,
                                   const std::optional<ScenarioComparison>& emulator_vs_sim) {
  std::vector<EngineRow> rows;
  std::map<std::string, std::size_t> at;
  auto row_for = [&](const CompareRow& r) -> EngineRow& {
    auto [it, added] = at.emplace(r.measure, rows.size());
    if (added) rows.push_back({r.measure, r.tolerance, {}, {}, {}, {}, {}, {}});
    return rows[it->second];
  };
  std::map<std::string, const CompareRow*> nvmet_rows;
  if (nvmet_vs_sim) {
    for (const CompareRow& r : nvmet_vs_sim->rows) {
      if (!engine_measure(r.measure)) continue;
      EngineRow& e = row_for(r);
      e.sim = value_text(r, false);
      e.nvmet = value_text(r, true);
      e.nvmet_vs_sim = r.pass;
      nvmet_rows[r.measure] = &r;
    }
  }
  if (emulator_vs_sim) {
    for (const CompareRow& r : emulator_vs_sim->rows) {
      if (!engine_measure(r.measure)) continue;
      EngineRow& e = row_for(r);
      if (e.sim.empty()) e.sim = value_text(r, false);  // the simulator replaying the emulator run's timeline
      e.emulator = value_text(r, true);
      e.emulator_vs_sim = r.pass;
      auto n = nvmet_rows.find(r.measure);
      if (n == nvmet_rows.end()) continue;
      const CompareRow& nr = *n->second;
      const bool text = !r.real_text.empty() || !nr.real_text.empty();
      e.emulator_vs_nvmet = text ? (r.real_text == nr.real_text && r.real_text.rfind("too short", 0) != 0)
                                 : within_tolerance(r.tolerance, nr.real, r.real);
    }
  }
  return rows;
}

std::string format_engine_rows(const std::string& scenario, const std::string& policy, const std::vector<EngineRow>& rows) {
  std::string out = "scenario " + scenario + " (" + policy + ")\n";
  char buf[400];
  auto verdict = [](const std::optional<bool>& v) { return v ? (*v ? "agree" : "DIFFER") : "-"; };
  std::snprintf(buf, sizeof buf, "  %-34s %16s %16s %16s  %-13s %-9s %-9s %s\n", "measure", "sim", "nvmet", "emulator",
                "tolerance", "nvmet~sim", "emu~sim", "emu~nvmet");
  out += buf;
  for (const auto& r : rows) {
    std::snprintf(buf, sizeof buf, "  %-34s %16s %16s %16s  %-13s %-9s %-9s %s\n", r.measure.c_str(), r.sim.c_str(),
                  r.nvmet.empty() ? "-" : r.nvmet.c_str(), r.emulator.empty() ? "-" : r.emulator.c_str(),
                  r.tolerance.c_str(), verdict(r.nvmet_vs_sim), verdict(r.emulator_vs_sim), verdict(r.emulator_vs_nvmet));
    out += buf;
  }
  return out;
}

std::string format_engine_agreement(const std::vector<std::vector<EngineRow>>& all) {
  struct Count {
    int agree = 0, compared = 0;
  };
  // pair -> kind -> count, in a stable order
  std::map<std::string, std::map<std::string, Count>> by_pair;
  auto add = [&](const char* pair, const std::string& kind, const std::optional<bool>& v) {
    if (!v) return;
    Count& c = by_pair[pair][kind];
    ++c.compared;
    c.agree += *v ? 1 : 0;
  };
  for (const auto& rows : all) {
    for (const auto& r : rows) {
      const std::string kind = kind_of(r.measure);
      add("1 nvmet~sim", kind, r.nvmet_vs_sim);
      add("2 emulator~sim", kind, r.emulator_vs_sim);
      add("3 emulator~nvmet", kind, r.emulator_vs_nvmet);
    }
  }
  std::ostringstream out;
  for (const auto& [pair, kinds] : by_pair) {
    Count total;
    out << pair.substr(2) << ":";
    for (const auto& [kind, c] : kinds) {
      out << "  " << kind << " " << c.agree << "/" << c.compared;
      total.agree += c.agree;
      total.compared += c.compared;
    }
    out << "  (all " << total.agree << " of " << total.compared << " rows agree)\n";
  }
  return out.str();
}

}  // namespace mpsim::validate
