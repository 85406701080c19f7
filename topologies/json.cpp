#include "topologies/json.h"

#include <cmath>
#include <cstdio>

namespace mpsim::topology {
namespace {

constexpr auto kReplaceInvalidUtf8 = nlohmann::ordered_json::error_handler_t::replace;

// A string, integer, bool or null exactly as nlohmann prints it (its escaping, its integers).
void dump_scalar(std::string& out, const Json& v) { out += v.dump(-1, ' ', false, kReplaceInvalidUtf8); }

void dump_float(std::string& out, double v, const JsonStyle& style) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, style.float_format, v);
  out += buf;
}

void newline(std::string& out, const JsonStyle& style, int depth) {
  if (!style.indented) return;
  out += '\n';
  out.append(2 * static_cast<std::size_t>(depth), ' ');
}

void dump_value(std::string& out, const Json& v, const JsonStyle& style, int depth) {
  if (v.is_number_float()) return dump_float(out, v.get<double>(), style);
  if (!v.is_structured()) return dump_scalar(out, v);
  const bool object = v.is_object();
  out += object ? '{' : '[';
  if (v.empty()) {
    out += object ? '}' : ']';
    return;
  }
  bool first = true;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!first) out += ',';
    first = false;
    newline(out, style, depth + 1);
    if (object) {
      dump_scalar(out, Json(it.key()));
      out += style.indented ? ": " : ":";
    }
    dump_value(out, *it, style, depth + 1);
  }
  newline(out, style, depth);
  out += object ? '}' : ']';
}

}  // namespace

std::string dump_json(const Json& doc, const JsonStyle& style) {
  std::string out;
  dump_value(out, doc, style, 0);
  return out + "\n";
}

}  // namespace mpsim::topology
