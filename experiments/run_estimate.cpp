// Upper bounds of a run's cost from its inputs (see run_estimate.h). The per-item costs are
// measured on this project's engine (tests/README.md "Run estimate" gives how); they only need
// to be right within a small factor, since the bounds they are compared with are far apart.
#include "experiments/run_estimate.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "sim/fault_plan.h"
#include "topologies/textproto.h"
#include "topologies/topology.h"

namespace mpsim::experiments {
namespace {

// Measured with `mpsim bench --quick --case quickstart-qd128 --case leaf-spine-16`: 431889 events
// for 144029 I/Os and 779852 for 260117 (3.0 each), 183 and 235 CPU ns per event.
constexpr double kEventsPerIo = 3;              // calendar events one I/O costs, end to end
constexpr double kEventsPerWallS = 4e6;         // the engine's event rate on one core
constexpr double kBytesPerInFlightIo = 1024;    // IoSlot, the policy's tag entry, its event (io_slot.h)
constexpr double kBytesPerJob = 64 * 1024;      // the job's latency histograms and fio bookkeeping
constexpr double kBytesPerTimelineRow = 96;     // a 32-byte TimelinePoint, plus its timeline.csv line when written
constexpr double kBytesPerSeries = 64 * 1024;   // one timeline series' open histogram
constexpr double kBytesBase = 64 << 20;         // the engine, SimGrid, the fabric: a fixed floor
constexpr double kBytesPerFaultAction = 256;    // the action and its events.csv row

double seconds(sim::Duration d) { return static_cast<double>(d.count()) / 1e9; }

// The fastest a job can complete I/O: the closed loop at the media's shortest service time (half
// the mean: the lognormal's bulk lies above it), the rate limit, the host's NICs, the media's
// channels.
double max_iops(const sim::Scenario& s, const sim::JobSpec& job) {
  double service_us = 1e-3;
  double channels = 1;
  for (const topology::Subsystem& sub : s.topology.subsystems()) {
    if (sub.nqn() != job.nqn) continue;
    for (const topology::Namespace& ns : sub.namespaces()) {
      auto media = s.models.media.find(ns.media());
      if (ns.nsid() != job.nsid || media == s.models.media.end()) continue;
      service_us = std::max(service_us, 0.5 * std::min(media->second.read_latency_us, media->second.write_latency_us));
      channels = media->second.parallelism;
    }
  }
  const double numjobs = job.numjobs;
  double iops = numjobs * job.iodepth / (service_us * 1e-6);
  iops = std::min(iops, channels / (service_us * 1e-6));
  if (job.rate_iops > 0) iops = std::min(iops, numjobs * static_cast<double>(job.rate_iops));
  if (const topology::Host* host = topology::find_host(s.topology, job.host)) {
    double nic_bps = 0;
    for (const topology::Nic& nic : host->nics()) nic_bps += topology::parse_bandwidth(nic.speed());
    iops = std::min(iops, nic_bps / (8.0 * job.block_size));
  }
  return iops;
}

double default_kato_s(const topology::Connection& c) { return c.options().has_kato_s() ? c.options().kato_s() : 5.0; }

std::string si(double v, const char* unit) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3g %s", v, unit);
  return buf;
}

std::string bytes_text(double b) {
  char buf[48];
  if (b >= double(1ull << 30)) std::snprintf(buf, sizeof buf, "%.1f GiB", b / double(1ull << 30));
  else std::snprintf(buf, sizeof buf, "%.0f MiB", b / double(1 << 20));
  return buf;
}

std::string duration_text(double s) {
  char buf[48];
  if (s >= 86400) std::snprintf(buf, sizeof buf, "%.1f days", s / 86400);
  else if (s >= 3600) std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%.1f min", s / 60);
  else std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

}  // namespace

std::string RunEstimate::describe() const {
  return std::to_string(runs) + " run(s) of " + duration_text(simulated_s) + " simulated: up to " +
         si(ios_per_run, "I/Os") + " and " + si(events_per_run, "events") + " per run, " +
         std::to_string(in_flight_ios) + " I/Os in flight, " + std::to_string(timeline_points) + " timeline rows, " +
         std::to_string(fault_actions) + " fault actions; memory up to " + bytes_text(memory_bytes) +
         ", wall time up to " + duration_text(wall_s);
}

EstimateBounds EstimateBounds::for_this_machine() {
  EstimateBounds b;
  double available = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGESIZE));
  std::ifstream meminfo("/proc/meminfo");  // MemAvailable: what can be had without swapping
  for (std::string key; meminfo >> key;) {
    double kib = 0;
    meminfo >> kib;
    if (key == "MemAvailable:") available = kib * 1024;
    meminfo.ignore(64, '\n');
  }
  b.max_memory_bytes = 0.8 * available;
  b.max_wall_s = 24 * 3600;
  return b;
}

RunEstimate estimate_run(const LoadedExperiment& exp) {
  RunEstimate e;
  e.runs = exp.runs.size();
  if (exp.runs.empty()) return e;
  const sim::Scenario& s = exp.runs.front().scenario;  // runs differ only in their policy
  e.simulated_s = seconds(s.duration);
  double iops = 0;
  for (const sim::JobSpec& job : s.jobs) {
    e.in_flight_ios += std::uint64_t(job.numjobs) * job.iodepth;
    iops += max_iops(s, job) * std::min(seconds(job.runtime + job.ramp_time), e.simulated_s) /
            std::max(e.simulated_s, 1e-9);
  }
  e.ios_per_run = iops * e.simulated_s;
  double timer_events = 0;
  for (const topology::Connection& c : s.topology.connections()) {
    timer_events += e.simulated_s * 4.0 / std::max(default_kato_s(c), 1e-3);  // keep-alive: kato/4 with TBKAS
  }
  e.fault_actions = sim::plan_faults(s.faults, s.duration.count()).size();
  e.events_per_run = e.ios_per_run * kEventsPerIo + timer_events + static_cast<double>(e.fault_actions) * 16;
  const double intervals = std::ceil(static_cast<double>(s.duration.count()) / static_cast<double>(s.timeline_interval.count()));
  const double series = 1.0 + s.topology.connections_size();
  e.timeline_points = static_cast<std::uint64_t>(intervals * series);
  e.memory_bytes = kBytesBase + static_cast<double>(e.in_flight_ios) * kBytesPerInFlightIo +
                   static_cast<double>(s.jobs.size()) * kBytesPerJob + series * kBytesPerSeries +
                   static_cast<double>(e.timeline_points) * kBytesPerTimelineRow +
                   intervals * s.topology.hosts_size() * 4.0 + static_cast<double>(e.fault_actions) * kBytesPerFaultAction;
  e.wall_s = static_cast<double>(e.runs) * e.events_per_run / kEventsPerWallS;
  return e;
}

void check_estimate(const LoadedExperiment& exp, const RunEstimate& e, const EstimateBounds& bounds) {
  std::string why;
  if (e.memory_bytes > bounds.max_memory_bytes) {
    why = "it needs up to " + bytes_text(e.memory_bytes) + " of memory, over the " + bytes_text(bounds.max_memory_bytes) +
          " this machine can give";
  } else if (e.wall_s > bounds.max_wall_s) {
    why = "it would run for up to " + duration_text(e.wall_s) + ", over the bound of " + duration_text(bounds.max_wall_s);
  } else {
    return;
  }
  throw topology::InputError(exp.source + ": the run cannot finish here: " + why + " (estimate: " + e.describe() +
                             "). Shorten runtime/duration, lower iodepth/numjobs, raise timeline_interval, or pass "
                             "--allow-large to run it anyway");
}

}  // namespace mpsim::experiments
