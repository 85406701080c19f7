#include "validate/guest_timers.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <sstream>

namespace mpsim::validate {
namespace {

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : "+") + n;
  return out.empty() ? "none" : out;
}

// "[   21.680000] rest" -> 21680 ms; nullopt for a line without the stamp.
std::optional<std::int64_t> stamp_ms(std::string_view line) {
  if (line.empty() || line.front() != '[') return std::nullopt;
  const std::size_t close = line.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  try {
    return std::llround(std::stod(std::string(line.substr(1, close - 1))) * 1000.0);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The timer a line reports, or "" for none. nvme_tcp_timeout prints "... opcode 0x18 (Admin Cmd)
// QID 0 timeout" (0x18 = Keep Alive) and "(I/O Cmd) QID <n> timeout".
std::string timer_of(std::string_view line) {
  if (line.find("nvmet: ctrl ") != std::string_view::npos && line.find("keep-alive timer") != std::string_view::npos &&
      line.find("expired") != std::string_view::npos)
    return "nvmet-ka";
  const std::size_t qid = line.find(" QID ");
  if (qid == std::string_view::npos || line.find(" timeout", qid) == std::string_view::npos) return "";
  std::size_t digits = qid + 5, end = digits;
  while (end < line.size() && std::isdigit(static_cast<unsigned char>(line[end]))) ++end;
  if (end == digits) return "";
  // QID 0 is the admin queue; any other is an I/O queue (compared as text: a mangled line with a
  // huge number must not throw out of the report).
  if (line.substr(digits, end - digits).find_first_not_of('0') != std::string_view::npos) return "io-timeout";
  return line.find("opcode 0x18 ") != std::string_view::npos ? "host-ka" : "admin-timeout";
}

}  // namespace

std::vector<GuestTimer> parse_guest_timers(std::string_view dmesg) {
  std::vector<GuestTimer> out;
  std::istringstream in{std::string(dmesg)};
  std::string line;
  while (std::getline(in, line)) {
    const std::optional<std::int64_t> t = stamp_ms(line);
    if (!t) continue;
    std::string timer = timer_of(line);
    if (!timer.empty()) out.push_back({*t, std::move(timer)});
  }
  return out;
}

std::optional<std::int64_t> dmesg_to_guest_offset_ms(std::string_view dmesg, const std::vector<FaultRecord>& records) {
  auto connected = std::find_if(records.begin(), records.end(), [](const FaultRecord& r) { return r.action == "connected"; });
  if (connected == records.end()) return std::nullopt;
  std::istringstream in{std::string(dmesg)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(": new ctrl: ") == std::string::npos) continue;
    const std::optional<std::int64_t> t = stamp_ms(line);
    if (t) return connected->t_ms - *t;
  }
  return std::nullopt;
}

std::string guest_timers_between(const std::vector<GuestTimer>& timers, std::int64_t offset_ms, std::int64_t from_ms,
                                 std::int64_t to_ms) {
  std::set<std::string> fired;
  for (const auto& t : timers) {
    const std::int64_t at = t.uptime_ms + offset_ms;
    if (at >= from_ms && at < to_ms) fired.insert(t.timer);
  }
  return join(fired);
}

std::string sim_timers_between(const std::vector<sim::EventRow>& events, sim::Duration from, sim::Duration to) {
  std::set<std::string> fired;
  for (const auto& e : events) {
    if (e.at < from || e.at >= to) continue;
    if (e.kind == "nvmet" && e.detail.find("keep-alive timer") != std::string::npos) fired.insert("nvmet-ka");
    if (e.kind != "ctrl-state" || e.detail.rfind("live->", 0) != 0) continue;
    if (e.detail.find("(keep-alive timeout)") != std::string::npos) fired.insert("host-ka");
    if (e.detail.find("(I/O timeout)") != std::string::npos) fired.insert("io-timeout");
    if (e.detail.find("(ANA log read timeout)") != std::string::npos) fired.insert("admin-timeout");
  }
  return join(fired);
}

}  // namespace mpsim::validate
