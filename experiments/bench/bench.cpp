#include "experiments/bench/bench.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "experiments/experiment_loader.h"
#include "experiments/leaf_spine.h"
#include "sim/engine.h"

namespace mpsim::bench {
namespace {

using namespace std::chrono_literals;

sim::Scenario quickstart_qd128(sim::Duration runtime) {
  auto exp = experiments::load_experiment_file(MPSIM_SOURCE_DIR "/experiments/quickstart.textproto");
  sim::Scenario s = exp.runs.front().scenario;  // numa: every I/O on the optimized path
  s.faults.clear();                              // steady state: the cost of the data path alone
  s.jobs.front().iodepth = 128;
  s.jobs.front().runtime = runtime;
  s.duration = runtime;
  return s;
}

double seconds_of(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }

BenchFigures measure(const BenchCase& c) {
  BenchFigures f;
  sim::Scenario s = c.make();
  auto start = std::chrono::steady_clock::now();
  sim::RunResult r = sim::run_scenario(s);
  f.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  f.simulated_s = static_cast<double>(r.simulated.count()) / 1e9;
  f.simulated_ios = r.simulated_ios ? r.simulated_ios : r.ledger.submitted;
  f.io_wall_s = r.cost.io_wall_s;
  f.io_cpu_s = r.cost.io_cpu_s;
  f.events = r.cost.events - r.cost.events_before_io;
  f.completed_ios = r.ledger.completed;
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  f.peak_rss_kib = usage.ru_maxrss;  // KiB on Linux
  f.cpu_s = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
  f.ok = r.ledger.completed > 0 && r.ledger.failed == 0;
  if (!f.ok) {
    std::snprintf(f.error, sizeof f.error, "the run did not do its I/O (completed %llu, failed %llu)",
                  static_cast<unsigned long long>(r.ledger.completed), static_cast<unsigned long long>(r.ledger.failed));
  }
  return f;
}

[[noreturn]] void child_main(const BenchCase& c, int fd) {
  BenchFigures f;
  try {
    f = measure(c);
  } catch (const std::exception& e) {
    std::snprintf(f.error, sizeof f.error, "%s", e.what());
  }
  ssize_t n = write(fd, &f, sizeof f);
  _exit(n == static_cast<ssize_t>(sizeof f) ? 0 : 1);
}

}  // namespace

std::vector<BenchCase> standard_cases(bool quick, bool with_10240_hosts) {
  const double time_scale = quick ? 0.1 : 1.0;
  // At least 100 ms: 1,024 hosts need tens of ms of simulated time just to connect their 8,192 controllers.
  auto dur = [time_scale](double seconds) {
    return sim::Duration(static_cast<std::int64_t>(std::max(0.1, seconds * time_scale) * 1e9));
  };
  std::vector<BenchCase> cases;
  cases.push_back({"quickstart-qd128", 1, [d = dur(2.0)] { return quickstart_qd128(d); }});
  // Long enough that the I/O phase, not set-up, is most of every case: each simulates about
  // 3 million I/Os or more (a 1,024-host fabric does about 3.4 million simulated IOPS).
  struct Size {
    std::uint32_t hosts;
    double seconds;
  };
  std::vector<Size> sizes{{1, 2.0}, {16, 1.0}, {256, 1.0}, {1024, 1.0}};
  // 81,920 controllers: connecting them and the run's first 0.1 s of I/O take most of a minute.
  if (with_10240_hosts) sizes.push_back({10240, 0.5});
  for (Size sz : sizes) {
    cases.push_back({"leaf-spine-" + std::to_string(sz.hosts), sz.hosts, [h = sz.hosts, d = dur(sz.seconds)] {
                       return experiments::make_leaf_spine_scenario(h, 16, d, "round-robin", 1);
                     }});
  }
  return cases;
}

BenchFigures run_case_in_child(const BenchCase& c) {
  BenchFigures f;
  int fds[2];
  if (pipe(fds) != 0) {
    std::snprintf(f.error, sizeof f.error, "pipe: %s", std::strerror(errno));
    return f;
  }
  std::fflush(nullptr);  // the child must not replay buffered output
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    child_main(c, fds[1]);
  }
  close(fds[1]);
  ssize_t got = pid > 0 ? read(fds[0], &f, sizeof f) : -1;
  close(fds[0]);
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  if (got != static_cast<ssize_t>(sizeof f)) {
    f = BenchFigures{};
    std::snprintf(f.error, sizeof f.error, "the case's process died (status %d)", status);
  }
  return f;
}

std::string format_figures(const BenchCase& c, const BenchFigures& f) {
  char buf[512];
  if (!f.ok) {
    std::snprintf(buf, sizeof buf, "bench %s: FAILED: %s", c.name.c_str(), f.error);
    return buf;
  }
  const double ios = static_cast<double>(f.simulated_ios);
  const double run_per_wall = f.wall_s > 0 ? ios / f.wall_s : 0;
  const double io_per_wall = f.io_wall_s > 0 ? ios / f.io_wall_s : 0;
  const double io_per_cpu = f.io_cpu_s > 0 ? ios / f.io_cpu_s : 0;
  const double ns_per_event = f.events > 0 ? f.io_cpu_s * 1e9 / static_cast<double>(f.events) : 0;
  std::snprintf(buf, sizeof buf,
                "bench %s: hosts=%u simulated_s=%.3f simulated_ios=%llu events=%llu wall_s=%.3f setup_s=%.3f "
                "io_wall_s=%.3f cpu_s=%.3f io_cpu_s=%.3f ios_per_cpu_s=%.0f run_ios_per_wall_s=%.0f "
                "cpu_ns_per_event=%.0f ios_per_wall_s=%.0f peak_rss_kib=%ld",
                c.name.c_str(), c.hosts, f.simulated_s, static_cast<unsigned long long>(f.simulated_ios),
                static_cast<unsigned long long>(f.events), f.wall_s, f.wall_s - f.io_wall_s, f.io_wall_s, f.cpu_s,
                f.io_cpu_s, io_per_cpu, run_per_wall, ns_per_event, io_per_wall, f.peak_rss_kib);
  return buf;
}

}  // namespace mpsim::bench
