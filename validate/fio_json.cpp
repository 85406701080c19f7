#include "validate/fio_json.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "topologies/json.h"

namespace mpsim::validate {
namespace {

using topology::Json;

// A missing or non-numeric field reads as 0, as fio leaves out what it did not measure.
double number(const Json& o, const char* name) {
  auto it = o.find(name);
  return it != o.end() && it->is_number() ? it->get<double>() : 0.0;
}

const Json* object(const Json& o, const char* name) {
  auto it = o.find(name);
  return it != o.end() && it->is_object() ? &*it : nullptr;
}

std::int64_t as_ns(double v) { return static_cast<std::int64_t>(std::llround(v)); }

// fio writes percentile keys as "99.900000"; sorted by value, not as text.
sim::LatencyStats latency(const Json* dist) {
  sim::LatencyStats stats;
  if (dist == nullptr) return stats;
  stats.count = static_cast<std::uint64_t>(number(*dist, "N"));
  stats.min_ns = as_ns(number(*dist, "min"));
  stats.max_ns = as_ns(number(*dist, "max"));
  stats.mean_ns = number(*dist, "mean");
  stats.stddev_ns = number(*dist, "stddev");
  if (const Json* pct = object(*dist, "percentile")) {
    for (const auto& [key, value] : pct->items()) {
      stats.percentiles.emplace_back(std::stod(key), as_ns(value.is_number() ? value.get<double>() : 0.0));
    }
    std::sort(stats.percentiles.begin(), stats.percentiles.end());
  }
  return stats;
}

sim::DirectionStats direction(const Json* d) {
  sim::DirectionStats out;
  if (d == nullptr) return out;
  out.total_ios = static_cast<std::uint64_t>(number(*d, "total_ios"));
  out.io_bytes = static_cast<std::uint64_t>(number(*d, "io_bytes"));
  out.runtime = std::chrono::milliseconds(static_cast<std::int64_t>(number(*d, "runtime")));
  out.clat = latency(object(*d, "clat_ns"));
  out.lat = latency(object(*d, "lat_ns"));
  return out;
}

FioJob job(const Json& j) {
  FioJob out;
  auto name = j.find("jobname");
  if (name == j.end() || !name->is_string()) throw GuestOutputError("fio JSON: a job without \"jobname\"");
  out.result.name = name->get<std::string>();
  out.result.read = direction(object(j, "read"));
  out.result.write = direction(object(j, "write"));
  out.total_err = static_cast<std::uint64_t>(number(j, "total_err"));
  out.error = static_cast<int>(number(j, "error"));
  return out;
}

}  // namespace

std::vector<FioJob> parse_fio_json(std::string_view text) {
  std::size_t start = text.find('{');
  if (start == std::string_view::npos) throw GuestOutputError("fio JSON: no '{' in the output");
  Json root;
  try {
    root = Json::parse(text.substr(start));
  } catch (const Json::parse_error& e) {
    throw GuestOutputError(std::string("fio JSON: ") + e.what());
  }
  auto jobs = root.find("jobs");
  if (jobs == root.end() || !jobs->is_array()) throw GuestOutputError("fio JSON: no \"jobs\" list");
  std::vector<FioJob> out;
  for (const Json& j : *jobs) {
    if (!j.is_object()) throw GuestOutputError("fio JSON: a job that is not an object");
    out.push_back(job(j));
  }
  return out;
}

std::int64_t percentile_ns(const sim::LatencyStats& stats, double p) {
  for (const auto& [q, ns] : stats.percentiles) {
    if (std::fabs(q - p) < 1e-6) return ns;
  }
  return -1;
}

}  // namespace mpsim::validate
