#include "topologies/report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <vector>

#include "topologies/json.h"
#include "topologies/topology.h"

namespace mpsim::topology {

namespace {

using Row = std::vector<std::string>;

// Left-aligned columns, two spaces apart, no trailing blanks.
std::string render_table(const std::vector<Row>& rows) {
  std::vector<size_t> width;
  for (const Row& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  for (const Row& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string list_or_dash(const std::vector<Component>& cs) {
  if (cs.empty()) return "-";
  std::string out;
  for (const Component& c : cs) out += (out.empty() ? "" : ", ") + describe(c);
  return out;
}

size_t namespace_count(const Topology& topo) {
  size_t n = 0;
  for (const Subsystem& s : topo.subsystems()) n += s.namespaces_size();
  return n;
}

std::string summary(const std::string& file, const Topology& topo) {
  std::ostringstream out;
  out << topo.name() << " (" << file << "): hosts " << topo.hosts_size() << ", switches " << topo.switches_size()
      << ", target nodes " << topo.target_nodes_size() << ", links " << topo.links_size() << ", subsystems "
      << topo.subsystems_size() << ", namespaces " << namespace_count(topo) << ", connections "
      << topo.connections_size() << "\n";
  return out.str();
}

std::string findings(const Analysis& a) {
  std::string out;
  for (const std::string& f : a.failures) out += "FAIL: " + f + "\n";
  for (const std::string& w : a.warnings) out += "warning: " + w + "\n";
  out += a.ok() ? "result: ok\n" : "result: FAILED\n";
  return out;
}

int count(const NamespaceReach& r, bool (PathInfo::*pred)() const) {
  return static_cast<int>(std::count_if(r.paths.begin(), r.paths.end(), [&](const PathInfo& p) { return (p.*pred)(); }));
}

std::string route_text(const PathInfo& p) {
  if (!p.route) return "(unreachable)";
  std::string out;
  for (const std::string& hop : p.route->hops) out += (out.empty() ? "" : " > ") + hop;
  return out;
}

Json components_json(const std::vector<Component>& cs) {
  Json out = Json::array();
  for (const Component& c : cs) out.push_back({{"kind", component_kind_name(c.kind)}, {"id", c.id}});
  return out;
}

Json path_json(const Topology& topo, const PathInfo& p) {
  const Connection& conn = topo.connections(p.connection);
  Json j = {{"connection", p.connection},       {"port", p.port},         {"host_nic", conn.host_nic()},
            {"ana_state", ana_state_name(p.state)}, {"usable", p.usable()}, {"route", nullptr}};
  if (p.route) {
    j["route"] = {{"nic", p.route->nic},
                  {"hops", p.route->hops},
                  {"latency_us", p.route->latency_us},
                  {"bottleneck_bps", p.route->bottleneck_bps}};
  }
  j["cut_by"] = components_json(p.cut);
  return j;
}

Json reach_json(const Topology& topo, const NamespaceReach& r, bool with_paths) {
  Json j = {{"host", r.host},
            {"nqn", r.nqn},
            {"nsid", r.nsid},
            {"ana_grpid", r.ana_grpid},
            {"paths", r.paths.size()},
            {"usable_paths", count(r, &PathInfo::usable)},
            {"optimized_paths", count(r, &PathInfo::optimized)},
            {"spof_any", components_json(r.spof_any)},
            {"spof_optimized", components_json(r.spof_optimized)}};
  if (with_paths) {
    Json& list = j["path_list"] = Json::array();
    for (const PathInfo& p : r.paths) list.push_back(path_json(topo, p));
  }
  return j;
}

std::string analysis_json(const std::string& file, const Topology& topo, const Analysis& a, bool with_paths) {
  Json j = {{"file", file}, {"topology", topo.name()}, {"ok", a.ok()}, {"reach", Json::array()}};
  for (const NamespaceReach& r : a.reach) j["reach"].push_back(reach_json(topo, r, with_paths));
  j["failures"] = a.failures;
  j["warnings"] = a.warnings;
  return dump_json(j, kCompactJson);
}

}  // namespace

std::string check_table(const std::string& file, const Topology& topo, const Analysis& analysis) {
  std::vector<Row> rows{{"HOST", "SUBSYSTEM", "NSID", "PATHS", "USABLE", "OPTIMIZED", "SPOF (all paths)",
                         "SPOF (optimized)"}};
  for (const NamespaceReach& r : analysis.reach) {
    rows.push_back({r.host, r.nqn, std::to_string(r.nsid), std::to_string(r.paths.size()),
                    std::to_string(count(r, &PathInfo::usable)), std::to_string(count(r, &PathInfo::optimized)),
                    list_or_dash(r.spof_any), list_or_dash(r.spof_optimized)});
  }
  return summary(file, topo) + render_table(rows) + findings(analysis);
}

std::string paths_table(const std::string& file, const Topology& topo, const Analysis& analysis) {
  std::vector<Row> rows{{"HOST", "SUBSYSTEM", "NSID", "PORT", "ANA", "LATENCY_US", "BOTTLENECK", "ROUTE"}};
  for (const NamespaceReach& r : analysis.reach) {
    for (const PathInfo& p : r.paths) {
      rows.push_back({r.host, r.nqn, std::to_string(r.nsid), p.port, ana_state_name(p.state),
                      p.route ? number(p.route->latency_us) : "-",
                      p.route ? format_bandwidth(p.route->bottleneck_bps) : "-", route_text(p)});
    }
  }
  return summary(file, topo) + render_table(rows);
}

std::string check_json(const std::string& file, const Topology& topo, const Analysis& analysis) {
  return analysis_json(file, topo, analysis, false);
}

std::string paths_json(const std::string& file, const Topology& topo, const Analysis& analysis) {
  return analysis_json(file, topo, analysis, true);
}

}  // namespace mpsim::topology
