#include "topologies/report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <vector>

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

// Minimal JSON emitter: the caller decides key order, so output is stable.
class Json {
 public:
  Json& open(char c) {
    sep();
    out_ += c;
    first_ = true;
    return *this;
  }
  Json& close(char c) {
    out_ += c;
    first_ = false;
    return *this;
  }
  Json& key(const std::string& k) {
    sep();
    out_ += json_quote(k) + ":";
    first_ = true;  // the value follows without a comma
    return *this;
  }
  Json& str(const std::string& v) { return raw(json_quote(v)); }
  Json& num(double v) { return raw(number(v)); }
  Json& boolean(bool v) { return raw(v ? "true" : "false"); }
  Json& raw(const std::string& v) {
    sep();
    out_ += v;
    return *this;
  }
  Json& strings(const std::vector<std::string>& vs) {
    open('[');
    for (const std::string& v : vs) str(v);
    return close(']');
  }
  Json& components(const std::vector<Component>& cs) {
    open('[');
    for (const Component& c : cs) {
      open('{').key("kind").str(component_kind_name(c.kind)).key("id").str(c.id).close('}');
    }
    return close(']');
  }
  std::string take() { return out_ + "\n"; }

 private:
  void sep() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  std::string out_;
  bool first_ = true;
};

void path_json(Json& j, const Topology& topo, const PathInfo& p) {
  const Connection& conn = topo.connections(p.connection);
  j.open('{').key("connection").num(p.connection).key("port").str(p.port).key("host_nic").str(conn.host_nic());
  j.key("ana_state").str(ana_state_name(p.state)).key("usable").boolean(p.usable()).key("route");
  if (!p.route) {
    j.raw("null");
  } else {
    j.open('{').key("nic").str(p.route->nic).key("hops").strings(p.route->hops);
    j.key("latency_us").num(p.route->latency_us).key("bottleneck_bps").num(p.route->bottleneck_bps).close('}');
  }
  j.key("cut_by").components(p.cut).close('}');
}

void reach_json(Json& j, const Topology& topo, const NamespaceReach& r, bool with_paths) {
  j.open('{').key("host").str(r.host).key("nqn").str(r.nqn).key("nsid").num(r.nsid).key("ana_grpid").num(r.ana_grpid);
  j.key("paths").num(static_cast<double>(r.paths.size()));
  j.key("usable_paths").num(count(r, &PathInfo::usable)).key("optimized_paths").num(count(r, &PathInfo::optimized));
  j.key("spof_any").components(r.spof_any).key("spof_optimized").components(r.spof_optimized);
  if (with_paths) {
    j.key("path_list").open('[');
    for (const PathInfo& p : r.paths) path_json(j, topo, p);
    j.close(']');
  }
  j.close('}');
}

std::string analysis_json(const std::string& file, const Topology& topo, const Analysis& a, bool with_paths) {
  Json j;
  j.open('{').key("file").str(file).key("topology").str(topo.name()).key("ok").boolean(a.ok());
  j.key("reach").open('[');
  for (const NamespaceReach& r : a.reach) reach_json(j, topo, r, with_paths);
  j.close(']').key("failures").strings(a.failures).key("warnings").strings(a.warnings).close('}');
  return j.take();
}

}  // namespace

std::string json_quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

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
