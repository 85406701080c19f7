// The bench's verdict lines: cost per I/O as a ratio to the one-host case, the memory budgets,
// and the "limit" line — fio's own null-engine rate on this machine (issue 18's targets).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "experiments/bench/bench.h"
#include "sim/calendar.h"
#include "sim/io_slot.h"

namespace mpsim::bench {
namespace {

constexpr long kRss1024LimitKib = 64 * 1024;            // peak RSS at 1,024 hosts
constexpr long kRss10240LimitKib = 24L * 1024 * 1024;   // peak RSS at 10,240 hosts
constexpr double kPerHostBudgetKib = 48;                // (RSS at 1,024 - RSS at 1) / 1,023
constexpr std::size_t kPerInflightBudgetBytes = 256;

const char* verdict(bool met) { return met ? "met" : "MISSED"; }

std::string line(const char* fmt, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

double cpu_ns_per_io(const BenchFigures& f) {
  return f.simulated_ios ? f.io_cpu_s * 1e9 / double(f.simulated_ios) : 0;
}

const CaseResult* find(const std::vector<CaseResult>& results, const std::string& name) {
  for (const auto& r : results) {
    if (r.name == name && r.figures.ok) return &r;
  }
  return nullptr;
}

std::string shell_output(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::string out;
  if (!pipe) return out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe.get())) > 0;) out.append(buf, n);
  return out;
}

}  // namespace

std::size_t bytes_per_inflight_io() {
  // The pool slot, its calendar event (one is pending per in-flight I/O at any time), and the
  // library's tag-table pointer.
  return sizeof(sim::IoSlot) + sim::Calendar::bytes_per_event() + sizeof(void*);
}

FioLimit measure_fio_limit(int runtime_s) {
  FioLimit lim;
  if (std::system("command -v fio >/dev/null 2>&1") != 0) {
    std::fprintf(stderr, "bench: fio is missing; installing Debian's fio for the limit line\n");
    if (std::system("apt-get install -y -q fio >/dev/null 2>&1") != 0) {
      lim.error = "fio is not installed and apt-get install fio failed";
      return lim;
    }
  }
  const std::string out = shell_output(
      "fio --ioengine=null --rw=randread --bs=4k --iodepth=128 --numjobs=1 --time_based --runtime=" +
      std::to_string(runtime_s) + " --size=1g --name=x --output-format=json 2>/dev/null");
  try {
    const auto j = nlohmann::json::parse(out);
    const auto& job = j.at("jobs").at(0);
    lim.iops = job.at("read").at("iops").get<double>();
    const double cpu_share = (job.at("usr_cpu").get<double>() + job.at("sys_cpu").get<double>()) / 100.0;
    lim.iops_per_cpu_s = cpu_share > 0 ? lim.iops / cpu_share : 0;
    lim.version = j.value("fio version", "");
    lim.ok = lim.iops > 0;
    if (!lim.ok) lim.error = "fio reported no I/O";
  } catch (const std::exception& e) {
    lim.error = std::string("could not read fio's JSON output: ") + e.what();
  }
  return lim;
}

std::vector<std::string> summary_lines(const std::vector<CaseResult>& results, const FioLimit* fio) {
  std::vector<std::string> out;
  const CaseResult* one = find(results, "leaf-spine-1");
  for (const auto& r : results) {
    if (!one || !r.figures.ok || r.name.rfind("leaf-spine-", 0) != 0) continue;
    const double ratio = cpu_ns_per_io(r.figures) / cpu_ns_per_io(one->figures);
    std::string target = "";
    if (r.hosts == 1024) target = line(" target<=1.3 %s", verdict(ratio <= 1.3));
    if (r.hosts == 10240) target = line(" target<=1.6 %s", verdict(ratio <= 1.6));
    out.push_back(line("cost_per_io %s: cpu_ns_per_io=%.0f ratio_to_1_host=%.2f%s", r.name.c_str(),
                       cpu_ns_per_io(r.figures), ratio, target.c_str()));
  }
  if (const CaseResult* r = find(results, "leaf-spine-1024")) {
    out.push_back(line("budget peak_rss leaf-spine-1024: %ld KiB, limit %ld KiB: %s", r->figures.peak_rss_kib,
                       kRss1024LimitKib, verdict(r->figures.peak_rss_kib < kRss1024LimitKib)));
    if (one) {
      const double per_host = double(r->figures.peak_rss_kib - one->figures.peak_rss_kib) / 1023.0;
      out.push_back(line("budget per_host: %.1f KiB (peak RSS 1,024 hosts - 1 host, / 1,023), limit %.0f KiB: %s",
                         per_host, kPerHostBudgetKib, verdict(per_host <= kPerHostBudgetKib)));
    }
  }
  if (const CaseResult* r = find(results, "leaf-spine-10240")) {
    out.push_back(line("budget peak_rss leaf-spine-10240: %ld KiB, limit %ld KiB: %s", r->figures.peak_rss_kib,
                       kRss10240LimitKib, verdict(r->figures.peak_rss_kib < kRss10240LimitKib)));
  }
  out.push_back(line("budget per_inflight_io: %zu bytes (I/O slot %zu + calendar event %zu + tag pointer %zu), "
                     "limit %zu: %s",
                     bytes_per_inflight_io(), sizeof(sim::IoSlot), sim::Calendar::bytes_per_event(), sizeof(void*),
                     kPerInflightBudgetBytes, verdict(bytes_per_inflight_io() < kPerInflightBudgetBytes)));
  if (fio) {
    if (!fio->ok) {
      out.push_back("limit fio-null: FAILED: " + fio->error);
    } else {
      out.push_back(line("limit fio-null (%s, 4k randread QD128, 1 job, 10 s): ios_per_s=%.0f ios_per_cpu_s=%.0f",
                         fio->version.c_str(), fio->iops, fio->iops_per_cpu_s));
      if (const CaseResult* q = find(results, "quickstart-qd128")) {
        const auto& f = q->figures;
        const double per_wall = f.io_wall_s > 0 ? double(f.simulated_ios) / f.io_wall_s : 0;
        const double per_cpu = f.io_cpu_s > 0 ? double(f.simulated_ios) / f.io_cpu_s : 0;
        // Judged per CPU-second: on a shared machine wall time stretches with the load.
        out.push_back(line("limit quickstart-qd128 vs fio-null: per wall-s %.2fx, per CPU-s %.2fx (target >= 1 per "
                           "CPU-s): %s",
                           per_wall / fio->iops, per_cpu / fio->iops_per_cpu_s, verdict(per_cpu >= fio->iops_per_cpu_s)));
      }
    }
  }
  return out;
}

}  // namespace mpsim::bench
