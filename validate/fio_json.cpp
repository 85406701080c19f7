#include "validate/fio_json.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace mpsim::validate {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

const Value* field(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? nullptr : &it->second;
}

double number(const Struct& s, const std::string& name) {
  const Value* v = field(s, name);
  return v != nullptr && v->kind_case() == Value::kNumberValue ? v->number_value() : 0.0;
}

const Struct* object(const Struct& s, const std::string& name) {
  const Value* v = field(s, name);
  return v != nullptr && v->kind_case() == Value::kStructValue ? &v->struct_value() : nullptr;
}

std::int64_t as_ns(double v) { return static_cast<std::int64_t>(std::llround(v)); }

// fio writes percentile keys as "99.900000"; protobuf's map has no order, so sort by value.
sim::LatencyStats latency(const Struct* dist) {
  sim::LatencyStats stats;
  if (dist == nullptr) return stats;
  stats.count = static_cast<std::uint64_t>(number(*dist, "N"));
  stats.min_ns = as_ns(number(*dist, "min"));
  stats.max_ns = as_ns(number(*dist, "max"));
  stats.mean_ns = number(*dist, "mean");
  stats.stddev_ns = number(*dist, "stddev");
  if (const Struct* pct = object(*dist, "percentile")) {
    for (const auto& [key, value] : pct->fields()) stats.percentiles.emplace_back(std::stod(key), as_ns(value.number_value()));
    std::sort(stats.percentiles.begin(), stats.percentiles.end());
  }
  return stats;
}

sim::DirectionStats direction(const Struct* d) {
  sim::DirectionStats out;
  if (d == nullptr) return out;
  out.total_ios = static_cast<std::uint64_t>(number(*d, "total_ios"));
  out.io_bytes = static_cast<std::uint64_t>(number(*d, "io_bytes"));
  out.runtime = std::chrono::milliseconds(static_cast<std::int64_t>(number(*d, "runtime")));
  out.clat = latency(object(*d, "clat_ns"));
  out.lat = latency(object(*d, "lat_ns"));
  return out;
}

FioJob job(const Struct& j) {
  FioJob out;
  const Value* name = field(j, "jobname");
  if (name == nullptr || name->kind_case() != Value::kStringValue) throw GuestOutputError("fio JSON: a job without \"jobname\"");
  out.result.name = name->string_value();
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
  Struct root;
  auto status = google::protobuf::util::JsonStringToMessage(std::string(text.substr(start)), &root);
  if (!status.ok()) throw GuestOutputError("fio JSON: " + status.ToString());
  const Value* jobs = field(root, "jobs");
  if (jobs == nullptr || jobs->kind_case() != Value::kListValue) throw GuestOutputError("fio JSON: no \"jobs\" list");
  std::vector<FioJob> out;
  for (const Value& j : jobs->list_value().values()) {
    if (j.kind_case() != Value::kStructValue) throw GuestOutputError("fio JSON: a job that is not an object");
    out.push_back(job(j.struct_value()));
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
