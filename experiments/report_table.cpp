// The stdout summary: one row per measure, one column per policy, so policies read side by side.
#include <algorithm>

#include "experiments/json_writer.h"
#include "experiments/reports.h"

namespace mpsim::experiments {
namespace {

struct Row {
  std::string label;              // "" = blank spacer; a label ending in ':' is a section heading
  std::vector<std::string> cells;  // one per report
};

using Table = std::vector<Row>;
using CellFn = std::string (*)(const sim::RunResult&, std::size_t);

std::string us_cell(std::optional<std::int64_t> ns) {
  return ns ? format_fixed(static_cast<double>(*ns) / 1e3, 1) : "-";
}

std::string ms_cell(sim::Duration d) { return d.count() < 0 ? "never" : format_fixed(static_cast<double>(d.count()) / 1e6, 1); }

bool direction_used(const std::vector<RunReport>& reports, std::size_t job, bool write) {
  return std::any_of(reports.begin(), reports.end(), [&](const RunReport& r) {
    if (job >= r.result.jobs.size()) return false;
    const sim::DirectionStats& d = write ? r.result.jobs[job].write : r.result.jobs[job].read;
    return d.total_ios > 0 || d.errors > 0;
  });
}

void add_direction_rows(Table& t, const std::vector<RunReport>& reports, std::size_t job, bool write) {
  const sim::JobResult& first = reports.front().result.jobs[job];
  t.push_back({"job " + first.name + (write ? " (write):" : " (read):"), {}});
  auto stats = [&](const RunReport& r) -> const sim::DirectionStats& {
    return write ? r.result.jobs[job].write : r.result.jobs[job].read;
  };
  Row iops{"  IOPS", {}}, mbps{"  MB/s", {}}, p50{"  p50 latency (us)", {}}, p99{"  p99 latency (us)", {}},
      p999{"  p99.9 latency (us)", {}}, max{"  max latency (us)", {}}, errors{"  errors (failed I/O)", {}};
  bool any_error = false;
  for (const RunReport& r : reports) {
    const sim::DirectionStats& d = stats(r);
    errors.cells.push_back(std::to_string(d.errors));
    any_error = any_error || d.errors > 0;
    iops.cells.push_back(format_fixed(fio_iops(d), 0));
    mbps.cells.push_back(format_fixed(static_cast<double>(fio_bw_bytes(d)) / 1e6, 1));
    bool measured = d.clat.count > 0;
    auto pct = [&](double p) { return measured ? us_cell(percentile_ns(d.clat, p)) : "-"; };
    p50.cells.push_back(pct(50.0));
    p99.cells.push_back(pct(99.0));
    p999.cells.push_back(pct(99.9));
    max.cells.push_back(measured ? us_cell(d.clat.max_ns) : "-");
  }
  t.insert(t.end(), {iops, mbps, p50, p99, p999, max});
  if (any_error) t.push_back(errors);
}

void add_job_rows(Table& t, const std::vector<RunReport>& reports) {
  for (std::size_t j = 0; j < reports.front().result.jobs.size(); ++j) {
    bool reads = direction_used(reports, j, false), writes = direction_used(reports, j, true);
    if (reads || !writes) add_direction_rows(t, reports, j, false);
    if (writes) add_direction_rows(t, reports, j, true);
  }
}

// One section per tenant: its jobs' reads and writes pooled, and the time its I/O waited in
// QoS queues (summed over I/Os: host io.max + target QoS).
void add_tenant_rows(Table& t, const std::vector<RunReport>& reports) {
  const auto& tenants = reports.front().result.tenants;
  for (std::size_t i = 0; i < tenants.size(); ++i) {
    t.push_back({"tenant " + tenants[i].name + ":", {}});
    Row iops{"  IOPS", {}}, mbps{"  MB/s", {}}, p50{"  p50 latency (us)", {}}, p99{"  p99 latency (us)", {}},
        p999{"  p99.9 latency (us)", {}}, throttled{"  throttled (ms, host + target)", {}};
    for (const RunReport& r : reports) {
      if (i >= r.result.tenants.size()) {
        for (Row* row : {&iops, &mbps, &p50, &p99, &p999, &throttled}) row->cells.push_back("-");
        continue;
      }
      const sim::TenantResult& tr = r.result.tenants[i];
      // Percentiles of the direction with more I/O (a mixed tenant's reads and writes differ).
      const sim::DirectionStats& d = tr.write.total_ios > tr.read.total_ios ? tr.write : tr.read;
      iops.cells.push_back(format_fixed(fio_iops(tr.read) + fio_iops(tr.write), 0));
      mbps.cells.push_back(format_fixed(static_cast<double>(fio_bw_bytes(tr.read) + fio_bw_bytes(tr.write)) / 1e6, 1));
      auto pct = [&](double p) { return d.clat.count ? us_cell(percentile_ns(d.clat, p)) : "-"; };
      p50.cells.push_back(pct(50.0));
      p99.cells.push_back(pct(99.0));
      p999.cells.push_back(pct(99.9));
      throttled.cells.push_back(format_fixed(static_cast<double>(tr.host_throttled.count()) / 1e6, 1) + " + " +
                                format_fixed(static_cast<double>(tr.target_throttled.count()) / 1e6, 1));
    }
    t.insert(t.end(), {iops, mbps, p50, p99, p999, throttled});
  }
}

std::string path_key(const sim::RunResult& r, const sim::PathResult& p) {
  return r.controller(p) + " ns" + std::to_string(r.head(p).nsid);
}

// Only the paths some job uses: a host connected to many namespaces has many idle paths.
bool used_by_a_job(const RunReport& r, const sim::PathResult& p) {
  const sim::HeadNames& head = r.result.head(p);
  return std::any_of(r.run.scenario.jobs.begin(), r.run.scenario.jobs.end(), [&](const sim::JobSpec& j) {
    return j.host == head.host && j.nqn == head.nqn && j.nsid == head.nsid;
  });
}

void add_path_rows(Table& t, const std::vector<RunReport>& reports) {
  t.push_back({"path split (% of I/O):", {}});
  std::vector<std::string> keys;  // in first-seen order
  for (const RunReport& r : reports) {
    for (const sim::PathResult& p : r.result.paths) {
      if (!used_by_a_job(r, p)) continue;
      const std::string key = path_key(r.result, p);
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    }
  }
  for (const std::string& key : keys) {
    Row row{"  " + key, {}};
    for (const RunReport& r : reports) {
      auto it = std::find_if(r.result.paths.begin(), r.result.paths.end(),
                             [&](const sim::PathResult& p) { return path_key(r.result, p) == key; });
      row.cells.push_back(it == r.result.paths.end() ? "-" : format_fixed(100.0 * it->share, 1));
    }
    t.push_back(row);
  }
}

// A namespace several jobs share (hosts, clones): the percentiles of all their I/Os pooled.
void add_namespace_rows(Table& t, const std::vector<RunReport>& reports) {
  const sim::RunResult& first = reports.front().result;
  for (const sim::PooledLatency& ns : first.pooled) {
    if (ns.scope != "namespace") continue;
    std::size_t jobs = 0;
    for (const sim::JobResult& j : first.jobs) jobs += j.nqn + "/" + std::to_string(j.nsid) == ns.key;
    if (jobs < 2) continue;  // one job: its own rows say it
    t.push_back({"namespace " + ns.key + " (" + std::to_string(jobs) + " jobs pooled):", {}});
    Row p50{"  p50 latency (us)", {}}, p99{"  p99 latency (us)", {}}, p999{"  p99.9 latency (us)", {}},
        max{"  max latency (us)", {}};
    for (const RunReport& r : reports) {
      auto it = std::find_if(r.result.pooled.begin(), r.result.pooled.end(), [&](const sim::PooledLatency& p) {
        return p.scope == "namespace" && p.key == ns.key;
      });
      bool measured = it != r.result.pooled.end() && it->clat.count > 0;
      auto pct = [&](double p) { return measured ? us_cell(percentile_ns(it->clat, p)) : "-"; };
      p50.cells.push_back(pct(50.0));
      p99.cells.push_back(pct(99.0));
      p999.cells.push_back(pct(99.9));
      max.cells.push_back(measured ? us_cell(it->clat.max_ns) : "-");
    }
    t.insert(t.end(), {p50, p99, p999, max});
  }
}

// Events (a path losing its I/O) and the I/Os they moved, over every path of the run.
void add_failover_row(Table& t, const std::vector<RunReport>& reports) {
  Row row{"failovers (events / I/Os moved)", {}};
  for (const RunReport& r : reports) {
    std::uint64_t events = 0, ios = 0;
    for (const sim::PathResult& p : r.result.paths) events += p.failover_events, ios += p.failed_over_ios;
    row.cells.push_back(std::to_string(events) + " / " + std::to_string(ios));
  }
  t.push_back(row);
}

// Failed I/O by reason, when any run had one (the ledger's total, split).
void add_error_rows(Table& t, const std::vector<RunReport>& reports) {
  std::vector<std::string> reasons;
  for (const RunReport& r : reports) {
    for (const auto& [reason, n] : r.result.ledger.failed_by_reason) {
      if (n > 0 && std::find(reasons.begin(), reasons.end(), reason) == reasons.end()) reasons.push_back(reason);
    }
  }
  if (reasons.empty()) return;
  std::sort(reasons.begin(), reasons.end());
  t.push_back({"failed I/O by reason:", {}});
  for (const std::string& reason : reasons) {
    Row row{"  " + reason, {}};
    for (const RunReport& r : reports) {
      auto it = r.result.ledger.failed_by_reason.find(reason);
      row.cells.push_back(std::to_string(it == r.result.ledger.failed_by_reason.end() ? 0 : it->second));
    }
    t.push_back(row);
  }
}

// "+": an I/O still in flight at the run's end counts with its age then, so p99 is at least this.
std::string p99_during_cell(const sim::FaultMeasure& m) {
  if (m.ios_during == 0 && m.p99_during_ns == 0) return "-";  // no I/O was in flight in the window
  return us_cell(m.p99_during_ns) + (m.p99_during_at_least ? "+" : "");
}

void add_fault_rows(Table& t, const std::vector<RunReport>& reports) {
  const auto& faults = reports.front().result.faults;
  if (faults.empty()) return;
  t.push_back({"faults (stall ms / detect ms / p99 during us):", {}});
  for (std::size_t f = 0; f < faults.size(); ++f) {
    Row row{"  " + faults[f].label, {}};
    for (const RunReport& r : reports) {
      if (f >= r.result.faults.size()) {
        row.cells.push_back("-");
        continue;
      }
      const sim::FaultMeasure& m = r.result.faults[f];
      row.cells.push_back(ms_cell(m.stall) + " / " + ms_cell(m.time_to_detect) + " / " + p99_during_cell(m));
    }
    t.push_back(row);
  }
}

void add_ledger_row(Table& t, const std::vector<RunReport>& reports) {
  Row row{"ledger (submitted/completed/failed/in-flight)", {}};
  for (const RunReport& r : reports) {
    const sim::Ledger& l = r.result.ledger;
    row.cells.push_back(std::to_string(l.submitted) + "/" + std::to_string(l.completed) + "/" + std::to_string(l.failed) +
                        "/" + std::to_string(l.inflight_at_end) + (l.balanced() ? "" : " UNBALANCED"));
  }
  t.push_back(row);
}

bool has_writes(const RunReport& r) {
  return std::any_of(r.run.scenario.jobs.begin(), r.run.scenario.jobs.end(),
                     [](const sim::JobSpec& j) { return j.rw != sim::RwMode::Read && j.rw != sim::RwMode::RandRead; });
}

std::string ghost_cell(const sim::GhostWrites& g) {
  return std::to_string(g.count) + " / " + std::to_string(g.blocks) + " / " + us_cell(g.worst_window.count());
}

// Only for experiments that write: ghost writes per fault and per run, and the commands the
// host gave up on that still reached the media.
void add_ghost_rows(Table& t, const std::vector<RunReport>& reports) {
  if (!std::any_of(reports.begin(), reports.end(), has_writes)) return;
  t.push_back({"ghost writes (count / blocks / worst window us):", {}});
  const auto& faults = reports.front().result.faults;
  for (std::size_t f = 0; f < faults.size(); ++f) {
    Row row{"  after " + faults[f].label, {}};
    for (const RunReport& r : reports)
      row.cells.push_back(f < r.result.faults.size() ? ghost_cell(r.result.faults[f].ghost_writes) : "-");
    t.push_back(row);
  }
  Row run{"  run", {}};
  Row landed{"abandoned at target (landed/writes/lost)", {}};
  for (const RunReport& r : reports) {
    run.cells.push_back(ghost_cell(r.result.ghost_writes));
    const sim::AbandonedCommands& a = r.result.abandoned;
    landed.cells.push_back(std::to_string(a.landed) + "/" + std::to_string(a.landed_writes) + "/" + std::to_string(a.lost));
  }
  t.push_back(run);
  t.push_back(landed);
}

std::string pad(const std::string& s, std::size_t width) { return s + std::string(width > s.size() ? width - s.size() : 0, ' '); }

std::string render(const Table& t, const std::vector<RunReport>& reports) {
  std::size_t label_w = 0;
  std::vector<std::size_t> col_w;
  for (const RunReport& r : reports) col_w.push_back(r.run.label.size());
  for (const Row& row : t) {
    if (!row.cells.empty()) label_w = std::max(label_w, row.label.size());
    for (std::size_t c = 0; c < row.cells.size(); ++c) col_w[c] = std::max(col_w[c], row.cells[c].size());
  }
  std::string out = pad("", label_w);
  for (std::size_t c = 0; c < reports.size(); ++c) out += "  " + pad(reports[c].run.label, col_w[c]);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += '\n';
  for (const Row& row : t) {
    std::string line = row.cells.empty() ? row.label : pad(row.label, label_w);
    for (std::size_t c = 0; c < row.cells.size(); ++c) line += "  " + pad(row.cells[c], col_w[c]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  return out;
}

}  // namespace

std::string summary_table(const LoadedExperiment& exp, const std::vector<RunReport>& reports) {
  if (reports.empty()) return {};
  const sim::RunResult& first = reports.front().result;
  std::string head = "experiment " + exp.name + ": seed " + std::to_string(first.seed) + ", " +
                     format_fixed(seconds(first.simulated), 3) + " s simulated\n";
  Table t;
  add_job_rows(t, reports);
  add_namespace_rows(t, reports);
  add_tenant_rows(t, reports);
  add_path_rows(t, reports);
  add_failover_row(t, reports);
  add_fault_rows(t, reports);
  add_error_rows(t, reports);
  add_ghost_rows(t, reports);
  add_ledger_row(t, reports);
  return head + render(t, reports);
}

}  // namespace mpsim::experiments
