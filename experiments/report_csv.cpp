// timeline.csv and events.csv (RFC 4180: fields with a comma, quote or newline are quoted).
#include "experiments/json_writer.h"
#include "experiments/reports.h"

namespace mpsim::experiments {
namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string us(std::int64_t ns) { return format_fixed(static_cast<double>(ns) / 1e3, 3); }

}  // namespace

std::string timeline_csv(const sim::RunResult& result) {
  std::string out = "time_s,path,completions,iops,p50_us,p99_us,max_us\n";
  result.for_each_timeline_row([&](const sim::TimelineRow& row) {
    out += format_fixed(seconds(row.start), 6) + ',' + csv_field(row.controller.empty() ? "all" : row.controller) + ',' +
           std::to_string(row.completions) + ',' + format_fixed(row.iops, 1) + ',' + us(row.p50_ns) + ',' +
           us(row.p99_ns) + ',' + us(row.max_ns) + '\n';
  });
  return out;
}

std::string events_csv(const sim::RunResult& result) {
  std::string out = "time_s,kind,subject,detail\n";
  for (const sim::EventRow& e : result.events) {
    out += format_fixed(seconds(e.at), 6) + ',' + csv_field(e.kind) + ',' + csv_field(e.subject) + ',' +
           csv_field(e.detail) + '\n';
  }
  return out;
}

}  // namespace mpsim::experiments
