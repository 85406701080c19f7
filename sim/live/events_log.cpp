#include "sim/live/events_log.h"

#include <cstdio>
#include <stdexcept>

namespace mpsim::live {

EventsLog::EventsLog(const std::string& path, std::ostream& console) : console_(console) {
  if (path.empty()) return;
  file_.open(path);
  if (!file_) throw std::runtime_error(path + ": cannot write the events log");
  file_ << "time_s,kind,subject,detail\n" << std::flush;
}

void EventsLog::write(std::int64_t t_ns, std::string_view kind, std::string_view subject, std::string_view detail) {
  char t[32];
  std::snprintf(t, sizeof t, "%.6f", double(t_ns) / 1e9);
  if (file_.is_open()) {
    file_ << t << ',' << csv_field(kind) << ',' << csv_field(subject) << ',' << csv_field(detail) << '\n' << std::flush;
  }
  console_ << "[" << t << "] " << kind << ' ' << subject << (detail.empty() ? "" : ": ") << detail << '\n' << std::flush;
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

}  // namespace mpsim::live
