// The emulator's events log, in the simulator's events.csv format (time_s,kind,subject,detail),
// with wall-clock seconds since the emulator started; each line is also written to the console.
#pragma once

#include <cstdint>
#include <fstream>
#include <ostream>
#include <string>
#include <string_view>

namespace mpsim::live {

class EventsLog {
 public:
  EventsLog(const std::string& path, std::ostream& console);
  void write(std::int64_t t_ns, std::string_view kind, std::string_view subject, std::string_view detail);

 private:
  std::ofstream file_;
  std::ostream& console_;
};

// One CSV field: quoted (quotes doubled) when it holds a comma, quote or line break.
std::string csv_field(std::string_view s);

}  // namespace mpsim::live
