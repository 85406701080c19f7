#include "validate/guest_results.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

#include "validate/fio_json.h"

namespace mpsim::validate {
namespace {

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t end = line.find(sep, start);
    out.push_back(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

template <typename Fn>
void for_each_line(std::string_view text, Fn fn) {
  int number = 0;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    ++number;
    if (!trim(line).empty()) fn(line, number);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

[[noreturn]] void bad_line(const std::string& source, int line, const std::string& what) {
  throw GuestOutputError(source + ":" + std::to_string(line) + ": " + what);
}

template <typename T>
T to_number(std::string_view s, const std::string& source, int line) {
  s = trim(s);
  T value{};
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) bad_line(source, line, "not a number: \"" + std::string(s) + "\"");
  return value;
}

std::vector<std::string> header_paths(std::string_view line, const std::string& source) {
  auto cols = split(line, ',');
  if (cols.empty() || cols[0] != "t_ms" || (cols.size() - 1) % 4 != 0) bad_line(source, 1, "bad header");
  std::vector<std::string> paths;
  for (std::size_t i = 1; i < cols.size(); i += 4) {
    std::string_view c = cols[i];
    if (c.size() < 6 || c.substr(c.size() - 6) != "_reads") bad_line(source, 1, "bad header column " + std::string(c));
    paths.emplace_back(c.substr(0, c.size() - 6));
  }
  return paths;
}

// The index of the last row at or before t_ms (0 if none is).
std::size_t row_at(const SampleTable& s, std::int64_t t_ms) {
  std::size_t i = 0;
  while (i + 1 < s.rows.size() && s.rows[i + 1].t_ms <= t_ms) ++i;
  return i;
}

bool same_states(const SampleRow& a, const SampleRow& b) {
  for (std::size_t p = 0; p < a.paths.size() && p < b.paths.size(); ++p) {
    if (a.paths[p].ctrl != b.paths[p].ctrl || a.paths[p].ana != b.paths[p].ana) return false;
  }
  return true;
}

}  // namespace

SampleTable parse_samples_csv(std::string_view text, const std::string& source) {
  SampleTable table;
  bool header = true;
  for_each_line(text, [&](std::string_view line, int number) {
    if (header) {
      table.paths = header_paths(line, source);
      header = false;
      return;
    }
    auto cols = split(line, ',');
    if (cols.size() != 1 + 4 * table.paths.size()) bad_line(source, number, "expected " + std::to_string(1 + 4 * table.paths.size()) + " columns");
    SampleRow row;
    row.t_ms = to_number<std::int64_t>(cols[0], source, number);
    for (std::size_t i = 1; i < cols.size(); i += 4) {
      row.paths.push_back({to_number<std::uint64_t>(cols[i], source, number), to_number<std::uint64_t>(cols[i + 1], source, number),
                           std::string(trim(cols[i + 2])), std::string(trim(cols[i + 3]))});
    }
    table.rows.push_back(std::move(row));
  });
  if (header) throw GuestOutputError(source + ": empty");
  return table;
}

void append_lat_log(std::string_view text, std::int64_t t0_ms, const std::string& source, Completions& out) {
  for_each_line(text, [&](std::string_view line, int number) {
    auto cols = split(line, ',');
    if (cols.size() < 2) bad_line(source, number, "expected time, latency, ...");
    out.t_ms.push_back(to_number<std::int64_t>(cols[0], source, number) - t0_ms);
    out.latency_ns.push_back(to_number<std::int64_t>(cols[1], source, number));
  });
}

void sort_completions(Completions& c) {
  std::vector<std::size_t> order(c.t_ms.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return c.t_ms[a] < c.t_ms[b]; });
  Completions sorted;
  for (std::size_t i : order) {
    sorted.t_ms.push_back(c.t_ms[i]);
    sorted.latency_ns.push_back(c.latency_ns[i]);
  }
  c = std::move(sorted);
}

std::vector<FaultRecord> parse_faults_csv(std::string_view text, const std::string& source) {
  std::vector<FaultRecord> out;
  for_each_line(text, [&](std::string_view line, int number) {
    std::size_t comma = line.find(',');
    if (comma == std::string_view::npos) bad_line(source, number, "expected t_ms,action,...");
    FaultRecord r;
    r.t_ms = to_number<std::int64_t>(line.substr(0, comma), source, number);
    std::string_view rest = line.substr(comma + 1);
    std::size_t next = rest.find(',');
    r.action = std::string(rest.substr(0, next));
    r.detail = next == std::string_view::npos ? "" : std::string(trim(rest.substr(next + 1)));
    out.push_back(std::move(r));
  });
  return out;
}

bool is_fault_action(const FaultRecord& r) {
  return r.action != "io_start" && r.action != "fio_exit" && r.action != "connected";
}

std::optional<std::int64_t> first_record_ms(const std::vector<FaultRecord>& records, std::string_view action) {
  for (const auto& r : records) {
    if (r.action == action) return r.t_ms;
  }
  return std::nullopt;
}

std::int64_t longest_gap_ms(const std::vector<std::int64_t>& t, std::int64_t from_ms, std::int64_t to_ms) {
  if (to_ms <= from_ms) return 0;
  std::int64_t longest = 0, last = from_ms;
  auto it = std::lower_bound(t.begin(), t.end(), from_ms);
  for (; it != t.end() && *it <= to_ms; ++it) {
    longest = std::max(longest, *it - last);
    last = *it;
  }
  return std::max(longest, to_ms - last);
}

std::vector<std::uint64_t> path_ios(const SampleTable& s, std::int64_t from_ms, std::int64_t to_ms) {
  std::vector<std::uint64_t> out(s.paths.size(), 0);
  if (s.rows.empty()) return out;
  const SampleRow& a = s.rows[row_at(s, from_ms)];
  const SampleRow& b = s.rows[row_at(s, to_ms)];
  for (std::size_t p = 0; p < out.size(); ++p) {
    std::uint64_t end = b.paths[p].reads + b.paths[p].writes, start = a.paths[p].reads + a.paths[p].writes;
    out[p] = end >= start ? end - start : end;  // a path device that came back counts from zero
  }
  return out;
}

std::int64_t time_to_state_change(const SampleTable& s, std::int64_t at_ms) {
  if (s.rows.empty()) return -1;
  const SampleRow& before = s.rows[row_at(s, at_ms - 1)];
  for (const auto& row : s.rows) {
    if (row.t_ms >= at_ms && !same_states(row, before)) return row.t_ms - at_ms;
  }
  return -1;
}

std::int64_t time_to_state_restore(const SampleTable& s, std::int64_t at_ms, std::int64_t end_ms) {
  if (s.rows.empty()) return -1;
  const SampleRow& before = s.rows[row_at(s, at_ms - 1)];
  for (const auto& row : s.rows) {
    if (row.t_ms >= end_ms && same_states(row, before)) return row.t_ms - end_ms;
  }
  return -1;
}

std::int64_t time_to_throughput(const std::vector<std::int64_t>& t, std::int64_t from_ms, std::int64_t to_ms,
                                double steady_per_bin, std::int64_t bin_ms, double fraction) {
  if (steady_per_bin <= 0 || bin_ms <= 0) return -1;
  for (std::int64_t start = from_ms; start + bin_ms <= to_ms; ++start) {
    auto lo = std::lower_bound(t.begin(), t.end(), start);
    auto hi = std::lower_bound(t.begin(), t.end(), start + bin_ms);
    if (static_cast<double>(hi - lo) >= fraction * steady_per_bin) return start - from_ms;
  }
  return -1;
}

std::int64_t latency_percentile_ns(const Completions& c, std::int64_t from_ms, std::int64_t to_ms, double p) {
  std::vector<std::int64_t> lat;
  for (std::size_t i = 0; i < c.t_ms.size(); ++i) {
    if (c.t_ms[i] >= from_ms && c.t_ms[i] <= to_ms) lat.push_back(c.latency_ns[i]);
  }
  if (lat.empty()) return -1;
  std::size_t rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(lat.size())));
  rank = std::clamp<std::size_t>(rank, 1, lat.size());
  std::nth_element(lat.begin(), lat.begin() + static_cast<std::ptrdiff_t>(rank - 1), lat.end());
  return lat[rank - 1];
}

}  // namespace mpsim::validate
