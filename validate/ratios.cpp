#include "validate/ratios.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "topologies/textproto.h"
#include "validate/bands.h"
#include "validate/ratio_groups.pb.h"

namespace mpsim::validate {
namespace {

const CompareRow* find_row(const std::vector<CompareRow>& rows, const std::string& measure) {
  for (const auto& r : rows) {
    if (r.measure == measure) return &r;
  }
  return nullptr;
}

// Whole-run shares per path, in percentage points: "share <port>" rows (not the per-phase ones).
std::map<std::string, std::pair<double, double>> shares(const std::vector<CompareRow>& rows) {
  std::map<std::string, std::pair<double, double>> out;
  for (const auto& r : rows) {
    if (measure_kind(r.measure) == "share") out[r.measure] = {r.real, r.sim};
  }
  return out;
}

// A / B for one measure in one repetition; nothing when either side lacks it or B is 0.
void add_quotient(const std::string& kind, const std::string& pair, const std::string& measure, const std::string& tolerance,
                  const std::vector<CompareRow>& a, const std::vector<CompareRow>& b, std::vector<CompareRow>& out) {
  const CompareRow* ra = find_row(a, measure);
  const CompareRow* rb = find_row(b, measure);
  if (!ra || !rb || rb->real <= 0 || rb->sim <= 0) return;
  out.push_back({kind + " " + pair, ra->real / rb->real, ra->sim / rb->sim, tolerance, false, "", ""});
}

// Half the summed absolute difference of the path shares: the share of the I/O that moved.
void add_share_moved(const std::string& pair, const std::vector<CompareRow>& a, const std::vector<CompareRow>& b,
                     std::vector<CompareRow>& out) {
  const auto sa = shares(a), sb = shares(b);
  if (sa.empty() || sa.size() != sb.size()) return;
  double real = 0, sim = 0;
  for (const auto& [port, values] : sa) {
    auto it = sb.find(port);
    if (it == sb.end()) return;
    real += std::fabs(values.first - it->second.first) / 2.0;
    sim += std::fabs(values.second - it->second.second) / 2.0;
  }
  out.push_back({"share-moved " + pair, real, sim, "3pp", false, "", ""});
}

}  // namespace

std::vector<RatioGroup> load_ratio_groups(const std::string& file, const std::vector<std::string>& known) {
  groups_proto::RatioGroups msg;
  const topology::SourceMap map = topology::parse_textproto_file(file, msg);
  topology::Diagnostics diag;
  std::set<std::string> names;
  const std::set<std::string> known_set(known.begin(), known.end());
  auto check_scenario = [&](const google::protobuf::Message& m, const char* field, const std::string& name, int index) {
    if (name.empty()) {
      diag.error(map, m, field, "a scenario name is required", index);
    } else if (!known_set.empty() && known_set.count(name) == 0) {
      diag.error(map, m, field, "no scenario \"" + name + "\" in the matrix", index);
    }
  };
  std::vector<RatioGroup> groups;
  for (const auto& g : msg.group()) {
    if (g.name().empty()) diag.error(map, g, "name", "a group name is required");
    if (!g.name().empty() && !names.insert(g.name()).second) diag.error(map, g, "name", "duplicate group name \"" + g.name() + "\"");
    check_scenario(g, "reference", g.reference(), -1);
    if (g.member().empty()) diag.error(map, g, "member", "a group needs at least one member");
    for (int i = 0; i < g.member_size(); ++i) {
      check_scenario(g, "member", g.member(i), i);
      if (g.member(i) == g.reference()) diag.error(map, g, "member", "a member cannot be the group's reference", i);
    }
    groups.push_back({g.name(), g.reference(), {g.member().begin(), g.member().end()}});
  }
  diag.throw_if_any();
  return groups;
}

std::vector<std::string> run_order(const std::vector<std::string>& names, const std::vector<RatioGroup>& groups) {
  std::vector<std::string> order;
  const std::set<std::string> present(names.begin(), names.end());
  std::set<std::string> placed;
  auto place = [&](const std::string& name) {
    if (present.count(name) && placed.insert(name).second) order.push_back(name);
  };
  for (const auto& g : groups) {
    place(g.reference);
    for (const auto& m : g.members) place(m);
  }
  for (const auto& n : names) place(n);
  return order;
}

std::vector<ScenarioComparison> ratio_comparisons(const std::vector<RatioGroup>& groups,
                                                  const std::map<std::string, std::vector<std::vector<CompareRow>>>& rows) {
  std::vector<ScenarioComparison> out;
  for (const auto& g : groups) {
    auto ref = rows.find(g.reference);
    if (ref == rows.end()) continue;
    ScenarioComparison c{g.name, "ratios to " + g.reference, {}};
    for (const auto& member : g.members) {
      auto a = rows.find(member);
      if (a == rows.end()) continue;
      const std::string pair = member + " / " + g.reference;
      std::vector<std::vector<CompareRow>> per_repetition;
      const std::size_t reps = std::min(a->second.size(), ref->second.size());
      for (std::size_t k = 0; k < reps; ++k) {
        const auto& ra = a->second[k];
        const auto& rb = ref->second[k];
        if (ra.empty() || rb.empty()) continue;  // one of the two did not run in this round
        std::vector<CompareRow> q;
        add_quotient("ratio-iops", pair, "iops", "10%", ra, rb, q);
        add_quotient("ratio-p99", pair, "p99_us", "30%", ra, rb, q);
        add_share_moved(pair, ra, rb, q);
        for (auto& r : q) r.pass = std::fabs(r.sim - r.real) <= std::max(parse_tolerance(r.tolerance).fraction * r.real,
                                                                          parse_tolerance(r.tolerance).floor);
        per_repetition.push_back(std::move(q));
      }
      std::vector<CompareRow> merged = band_rows(per_repetition);
      c.rows.insert(c.rows.end(), merged.begin(), merged.end());
    }
    if (!c.rows.empty()) out.push_back(std::move(c));
  }
  return out;
}

std::string format_ratios(const std::vector<ScenarioComparison>& ratios) {
  if (ratios.empty()) return "";
  std::string out = "ratios within a repetition round (kernel median [min, max] vs simulator; abs = sim - real, rel = abs / real):\n";
  char buf[400];
  int within = 0, total = 0;
  for (const auto& g : ratios) {
    out += "group " + g.scenario + " (" + g.policy + ")\n";
    for (const auto& r : g.rows) {
      const std::string real = format_value(r.measure, r.real) + " [" + format_value(r.measure, r.real_min) + ", " +
                               format_value(r.measure, r.real_max) + "]";
      const double abs = r.sim - r.real;
      const double rel = r.real != 0 ? abs / r.real * 100.0 : 0.0;
      std::snprintf(buf, sizeof buf, "  %-62s %26s %9s  abs %+8.3f rel %+6.1f%%  %-5s %s\n", r.measure.c_str(), real.c_str(),
                    format_value(r.measure, r.sim).c_str(), abs, rel, r.tolerance.c_str(), r.pass ? "PASS" : "FAIL");
      out += buf;
      within += r.pass ? 1 : 0;
      ++total;
    }
  }
  std::snprintf(buf, sizeof buf, "ratios: %d of %d within the kernel's band widened by the tolerance\n", within, total);
  return out + buf;
}

}  // namespace mpsim::validate
