#include "policies/selectors/nvme_find_path.h"

#include <climits>

#include "policies/controller.h"
#include "policies/selector.h"
#include "policies/selectors/params.h"

namespace mpsim::policies {

static std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(sep, start);
    parts.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

NumaDistances NumaDistances::parse(const std::string& policy, const std::string& text) {
  NumaDistances d;
  if (text.empty()) return d;
  const auto bad = [&] {
    throw PolicyError("policy '" + policy + "': parameter 'numa_distances': expected a square matrix like "
                      "'10,20;20,10' (rows separated by ';', distances 1..255), got '" + text + "'");
  };
  for (const std::string& row_text : split(text, ';')) {
    std::vector<int> row;
    for (const std::string& cell : split(row_text, ',')) {
      std::uint64_t v = 0;
      if (!parse_unsigned(cell, v) || v < 1 || v > 255) bad();
      row.push_back(int(v));
    }
    d.rows_.push_back(std::move(row));
  }
  for (const auto& row : d.rows_)
    if (row.size() != d.rows_.size()) bad();
  return d;
}

int NumaDistances::between(int from, int to) const {
  if (from >= 0 && to >= 0 && std::size_t(from) < rows_.size() && std::size_t(to) < rows_.size())
    return rows_[std::size_t(from)][std::size_t(to)];
  return from == to ? kLocalDistance : kRemoteDistance;
}

int NumaDistances::to_controller(int io_node, int ctrl_node) const {
  if (ctrl_node == kNumaNoNode) return kLocalDistance;
  return between(io_node, ctrl_node);
}

Path* nvme_find_closest_path(const PathList& paths, int io_node, const NumaDistances* distances) {
  int found_distance = INT_MAX, fallback_distance = INT_MAX;
  Path* found = nullptr;
  Path* fallback = nullptr;
  for (Path* p : paths) {
    if (!path_usable(*p)) continue;
    const int distance = distances ? distances->to_controller(io_node, p->ctrl->numa_node()) : kLocalDistance;
    if (p->ana_state == AnaState::Optimized && distance < found_distance) {
      found_distance = distance;
      found = p;
    } else if (p->ana_state == AnaState::NonOptimized && distance < fallback_distance) {
      fallback_distance = distance;
      fallback = p;
    }
  }
  return found ? found : fallback;
}

}  // namespace mpsim::policies
