// Running planned points: each writes its result file atomically; a failure is recorded in it.
// The local executor keeps `jobs` child processes (`sweep-run DIR --index I`) busy.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "experiments/interrupt.h"
#include "experiments/runner.h"
#include "experiments/sweep.h"
#include "experiments/sweep_files.h"
#include "experiments/sweep_metrics.h"
#include "topologies/file_io.h"

namespace mpsim::experiments {
namespace fs = std::filesystem;

std::string point_name(std::size_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04zu", index);
  return buf;
}

std::string read_text(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return "";  // a point not run yet
  return topology::read_file(path);
}

void write_atomically(const std::string& path, const std::string& text) { topology::write_file_atomic(path, text); }

std::string json_text(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

std::string point_file(const std::string& dir, std::size_t index, const std::string& suffix) {
  return (fs::path(dir) / "points" / (point_name(index) + suffix)).string();
}

std::size_t planned_point_count(const std::string& dir) {
  std::string text = read_text((fs::path(dir) / "plan.json").string());
  if (text.empty()) throw std::invalid_argument(dir + ": no plan.json (plan it first: mpsim sweep FILE --out " + dir + " --plan-only)");
  return nlohmann::json::parse(text).at("point_count").get<std::size_t>();
}

namespace {

// The layout of a point's result file: a file of another layout (an older mpsim's) is not a
// finished point, so a resumed sweep runs it again rather than failing to collect it.
constexpr int kResultFormat = 2;

std::string point_hash(const std::string& dir, std::size_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a(read_text(point_file(dir, index, ".textproto")))));
  return buf;
}

nlohmann::json run_one(const std::string& dir, std::size_t index) {
  nlohmann::json out = {{"index", index}, {"format", kResultFormat}, {"point_hash", point_hash(dir, index)}, {"failed", false},
                        {"reason", ""}, {"runs", nlohmann::json::array()}};
  try {
    LoadedExperiment exp = load_experiment_file(point_file(dir, index, ".textproto"));
    std::vector<sim::RunResult> results = run_experiment(exp);
    for (std::size_t i = 0; i < results.size(); ++i) out["runs"].push_back(to_json(run_metrics(exp.runs[i], results[i])));
    std::vector<std::string> problems = check_results(exp, results);
    if (!problems.empty()) {
      out["failed"] = true;
      std::string reason;
      for (const std::string& p : problems) reason += (reason.empty() ? "" : "; ") + p;
      out["reason"] = reason;
    }
  } catch (const topology::InputError& e) {
    std::string reason;
    for (const std::string& p : e.problems()) reason += (reason.empty() ? "" : "; ") + p;
    out["failed"] = true;
    out["reason"] = reason;
  } catch (const std::exception& e) {
    out["failed"] = true;
    out["reason"] = e.what();
  }
  return out;
}

}  // namespace

void record_failed_point(const std::string& dir, std::size_t index, const std::string& reason) {
  nlohmann::json out = {{"index", index}, {"format", kResultFormat}, {"point_hash", point_hash(dir, index)}, {"failed", true},
                        {"reason", reason}, {"runs", nlohmann::json::array()}};
  write_atomically(point_file(dir, index, ".result.json"), json_text(out, 1));
}

bool point_finished(const std::string& dir, std::size_t index) {
  std::string text = read_text(point_file(dir, index, ".result.json"));
  if (text.empty()) return false;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  return !j.is_discarded() && j.is_object() && j.value("format", 0) == kResultFormat &&
         j.value("point_hash", "") == point_hash(dir, index);
}

std::size_t run_points(const std::string& dir, std::size_t first, std::size_t count) {
  std::size_t total = planned_point_count(dir), ran = 0;
  for (std::size_t i = first; i < std::min(total, first + count); ++i) {
    if (point_finished(dir, i)) continue;  // resumable: a finished point is not run again
    std::string result = json_text(run_one(dir, i), 1);
    interrupt::Commit commit;  // the result file is renamed in whole, or not written
    if (interrupt::pending()) break;
    write_atomically(point_file(dir, i, ".result.json"), result);
    ++ran;
  }
  return ran;
}

// The I/Os a finished point simulated (its result file's ledgers), for the progress line.
std::uint64_t point_ios(const std::string& dir, std::size_t index) {
  nlohmann::json j = nlohmann::json::parse(read_text(point_file(dir, index, ".result.json")), nullptr, false);
  std::uint64_t ios = 0;
  if (j.is_discarded() || !j.contains("runs")) return 0;
  for (const auto& run : j["runs"]) {
    const auto& l = run.value("ledger", nlohmann::json::object());
    ios += l.value("completed", std::uint64_t{0}) + l.value("failed", std::uint64_t{0});
  }
  return ios;
}

bool run_locally(const std::string& self_exe, const std::string& dir, unsigned jobs, const PointsDone& on_done) {
  std::size_t total = planned_point_count(dir), next = 0, running = 0, done = 0, ran = 0;
  std::uint64_t ios = 0;
  std::map<pid_t, std::size_t> point_of;  // running child -> its point
  bool ok = true;
  auto start = [&](std::size_t index) {
    std::string idx = std::to_string(index);
    interrupt::Commit commit;  // the interrupt watcher sees every child, and none starts after it looked
    if (interrupt::pending()) return false;
    pid_t pid = ::fork();
    if (pid == 0) {
      interrupt::unblock_in_child();
      ::execl(self_exe.c_str(), self_exe.c_str(), "-q", "sweep-run", dir.c_str(), "--index", idx.c_str(), nullptr);
      ::_exit(127);
    }
    if (pid < 0) return false;
    interrupt::track_child(pid);
    point_of[pid] = index;
    ++running;
    return true;
  };
  while (next < total || running > 0) {
    while (running < std::max(1u, jobs) && next < total) {
      std::size_t index = next++;
      if (point_finished(dir, index)) {
        ++done;
        continue;
      }
      if (!start(index)) ok = false;
    }
    if (running == 0) break;
    int status = 0;
    if (pid_t child = ::wait(&status); child > 0) {
      interrupt::untrack_child(child);
      --running;
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ok = false;
      if (auto it = point_of.find(child); it != point_of.end()) {
        if (on_done && point_finished(dir, it->second)) ++done, ++ran, ios += point_ios(dir, it->second);
        point_of.erase(it);
      }
      if (on_done) on_done(done, total, ran, ios);
    }
  }
  return ok;
}

}  // namespace mpsim::experiments
