// The workload generator and the host's side of every I/O: job -> NamespaceHead::submit ->
// (the transport carries it) -> finished -> reap and refill.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/host_side.h"

namespace mpsim::sim {

namespace {

// A job's failures of I/Os issued at the same instant, in iodepth rounds, before fail_in_host
// calls it a loop: a path that comes back at that instant ends one after a round or two.
constexpr std::uint64_t kZeroTimeRounds = 100;

bool is_read(const JobSpec& spec, std::mt19937_64& rng) {
  switch (spec.rw) {
    case RwMode::Read:
    case RwMode::RandRead: return true;
    case RwMode::Write:
    case RwMode::RandWrite: return false;
    case RwMode::RandRw:
    case RwMode::Rw: return rng() % 100 < spec.rwmixread;
  }
  return true;
}

std::string hex_status(std::uint16_t code) {
  static const char* digits = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 8; shift >= 0; shift -= 4) out += digits[(code >> shift) & 0xF];
  return out;
}

bool is_random(RwMode m) { return m == RwMode::RandRead || m == RwMode::RandWrite || m == RwMode::RandRw; }

// fio's buckets (io_u.c): io_u_mark_depth for the in-flight count, __io_u_mark_map for call sizes.
std::size_t depth_bucket(std::uint32_t depth) {
  std::size_t i = 0;
  while (i < 6 && depth >= (2u << i)) ++i;  // 1 | 2-3 | 4-7 | 8-15 | 16-31 | 32-63 | >=64
  return i;
}
std::size_t call_bucket(std::uint32_t n) {
  if (n == 0) return 0;
  std::size_t i = 1;
  while (i < 6 && n > (4u << (i - 1))) ++i;  // 0 | 1-4 | 5-8 | 9-16 | 17-32 | 33-64 | >64
  return i;
}

}  // namespace

void HostSide::submit_event(std::uint32_t job, std::uint32_t) {
  if (!meter_.io_started()) meter_.note_io_start(sched_.events() - 1);
  jobs_[job].submit_scheduled = false;
  try_submit(job);
}

// fio semantics: keep iodepth I/Os outstanding until the runtime ends, paced by rate_iops.
// Free slots are filled iodepth_batch_submit at a time, one io_submit each; none while fio
// waits for the queue to drain (quiesce_if_due).
void HostSide::try_submit(std::uint32_t index) {
  JobRun& j = jobs_[index];
  const JobSpec& spec = *j.spec;
  HeadState& h = heads_[j.head];
  if (!h.device_ready) return;  // started again when the device appears
  const IoProfile& profile = pool_.profile(index);
  const std::uint32_t batch = std::max<std::uint32_t>(1, spec.iodepth_batch_submit);
  bool more = true;
  while (more && j.outstanding < spec.iodepth && !j.quiescing) {
    const std::uint32_t n = std::min(batch, spec.iodepth - j.outstanding);
    std::uint32_t staged = 0;
    std::int64_t cost = 0;
    for (; staged < n && (more = stage_one(index)); ++staged) {
      cost += profile.host_cpu_ns[pool_.at(j.staged.back()).req.dir == policies::IoDirection::Read];
    }
    if (staged == 0) break;
    if (split_cpu(j)) {  // fio's thread runs its calls one at a time (next_call)
      const std::int64_t whole = cost + profile.host_call_ns;
      j.calls.emplace(staged, std::max<std::int64_t>(0, whole - std::llround(completion_share_ * double(whole))));
      continue;
    }
    if (!cpu_before_choice(j)) {
      if (profile.host_call_ns > 0) run_cpu(j, profile.host_call_ns);  // the call occupies a core
      issued(index, staged);
      continue;
    }
    sched_.at(run_cpu(j, cost + profile.host_call_ns), issued_, index, staged);
  }
  quiesce_if_due(j);
  if (!j.submitting) next_call(index);
}

// fio waits for completions once its queue is full; with a latency log to regrow it first
// reaps everything in flight (sim/fio_lat_log.h) and submits nothing meanwhile (reap ends it).
void HostSide::quiesce_if_due(JobRun& j) {
  if (j.outstanding >= j.spec->iodepth && j.lat_logs.regrow_due()) j.quiescing = true;
}

// Split CPU: fio's thread puts its next io_submit on the core; the path choices come at its end.
void HostSide::next_call(std::uint32_t index) {
  JobRun& j = jobs_[index];
  if (j.calls.empty()) return;
  const auto [count, cost] = j.calls.front();
  j.calls.pop();
  j.submitting = true;
  sched_.at(run_cpu(j, cost), issued_, index, count);
}

// The part of an I/O's CPU time after its path choice: its share of its own work and of the
// io_submit call it came in (a retry by the head, outside any call, pays its own share only).
std::int64_t HostSide::after_choice_ns(const IoProfile& p, bool read) const {
  const double call = call_size_ ? double(p.host_call_ns) / call_size_ : 0.0;
  return std::llround(completion_share_ * (double(p.host_cpu_ns[read]) + call));
}

// On a one-core host the submitter and the host's I/O work (block layer, driver, network
// stack, target and completion work in softirq and kworkers, which preempt it) share the core,
// so fio's next io_submit runs only after the I/O work queued ahead of it: an I/O's host CPU
// time is spent before the next path choice, and what that choice sees in flight is only what
// waits off the CPU (wire, target, media). Measured in the one-CPU UML guest (Linux 6.12,
// loopback nvmet, fio QD16): about 1 of the 16 I/Os is in flight below the head on average
// (/sys/block/nvme0cXn1/stat ticks), and queue-depth sends 88-93% to the first path. With
// several cores the submitter runs beside the I/O work: the CPU is paid at dispatch.
// With completion_share > 0 (split_cpu) only the part before the choice is paid so; the rest
// runs after it, on the same core, and the command leaves when it is done (leave): the
// command is counted on its path meanwhile, as the kernel's nr_active counts it from queue_rq.
// Whether that work or fio's next io_submit gets the core first is the guest scheduler's call
// (issued: submitter_keeps_cpu). "One core" counts the cores the job may run on: a job pinned
// to a one-core NUMA node shares that core with its I/O work the same way.
// (A host's cores do not change during a run: build_jobs counts them once per job, not per I/O.)
bool HostSide::cpu_before_choice(const JobRun& j) const { return j.one_core; }

// One I/O of job `index` into a slot, waiting for its CPU work; false when the job may not
// submit now.
bool HostSide::stage_one(std::uint32_t index) {
  JobRun& j = jobs_[index];
  const JobSpec& spec = *j.spec;
  const std::int64_t now = sched_.now();
  if (j.stopped || now >= j.end || now < j.start) return false;
  if (j.rate_gap && now < j.next_allowed) {
    if (!j.submit_scheduled) sched_.at(j.next_allowed, submit_, index, 0);
    j.submit_scheduled = true;
    return false;
  }
  IoSlot& s = pool_.acquire();
  s = IoSlot{};
  s.job = index;
  s.live = true;
  s.issued = now;
  policies::IoRequest& io = s.req;
  io.id = next_io_id_++;
  io.dir = is_read(spec, j.rng) ? policies::IoDirection::Read : policies::IoDirection::Write;
  // fio: block-aligned offsets in [offset, offset + size) (build_jobs sets the region).
  if (is_random(spec.rw)) {
    io.offset = j.region_base + (j.rng() % j.region_blocks) * spec.block_size;
  } else {
    io.offset = j.region_base + j.next_offset;
    j.next_offset = (j.next_offset + spec.block_size) % (j.region_blocks * spec.block_size);
  }
  io.bytes = spec.block_size;
  io.numa_node = spec.numa_node;
  io.thread = j.clone;
  io.user = &s;
  ++j.outstanding;
  ++ledger_.submitted;
  if (spec.per_io_lat_log && now >= j.measure_from) j.lat_logs.submitted(spec.log_entries);  // slat
  if (j.rate_gap) j.next_allowed = std::max(j.next_allowed + j.rate_gap, now);
  j.staged.push(pool_.index(s));
  return true;
}

// The io_submit reaches the block layer: a call of more than AIO_PLUG_THRESHOLD (2) iocbs runs
// under a plug, so its I/Os reach their controllers (and the queue-depth count) only after all
// of them have chosen a path.
void HostSide::issued(std::uint32_t index, std::uint32_t count) {
  JobRun& j = jobs_[index];
  HeadState& h = heads_[j.head];
  const std::int64_t now = sched_.now();
  if (now >= j.measure_from && now < j.end) {  // fio's td_io_commit: the batch at the depth it brings
    j.depth.at_submit[depth_bucket(j.outstanding)] += count;
    ++j.depth.submits[call_bucket(count)];
  }
  // Split CPU: at the call's return the scheduler runs either the kworkers it woke (their work
  // is booked as the commands dispatch, below) or fio's next call first.
  const bool split = split_cpu(j);
  if (split) {
    j.submitting = false;
    if (keeps_cpu(hosts_[j.host])) next_call(index);
    call_size_ = count;
  }
  const bool plug = count > 2 && !h.head->plugged();
  if (plug) h.head->plug();
  for (std::uint32_t i = 0; i < count; ++i) {
    IoSlot& s = pool_.at(j.staged.front());
    j.staged.pop();
    if (qos_.throttled(index) && throttle(j, index, s)) continue;
    h.head->submit(s.req);
  }
  if (plug) h.head->unplug();
  if (!split) return;
  call_size_ = 0;
  if (!j.submitting) next_call(index);
}

bool HostSide::keeps_cpu(HostState& host) {
  if (submitter_keeps_cpu_ <= 0) return false;
  if (submitter_keeps_cpu_ >= 1) return true;
  if (!host.sched_rng) host.sched_rng = std::make_unique<std::mt19937_64>(host.sched_seed);
  return double((*host.sched_rng)() >> 11) * 0x1.0p-53 < submitter_keeps_cpu_;
}

// io.max: blk-throttle holds the bio before the multipath head sees it (blk_throtl_bio in
// submit_bio); true when it waits, and the head gets it at the release.
bool HostSide::throttle(const JobRun& j, std::uint32_t index, IoSlot& s) {
  const std::int64_t now = sched_.now();
  const bool read = s.req.dir == policies::IoDirection::Read;
  const std::int64_t at = qos_.dispatch(index, now, read, s.req.bytes, now >= j.measure_from && now < j.end);
  if (at <= now) return false;
  sched_.at(at, released_, pool_.index(s), 0);
  return true;
}

void HostSide::throttle_released(std::uint32_t slot, std::uint32_t) {
  IoSlot& s = pool_.at(slot);
  heads_[jobs_[s.job].head].head->submit(s.req);
}

// Completions refill their job after the event that finished them, never from inside the
// head's completion path.
void HostSide::drain_refills() {
  while (!refill_.empty()) {
    refilling_.swap(refill_);  // both keep their capacity: no allocation per completion
    for (std::uint32_t j : refilling_) try_submit(j);
    refilling_.clear();
  }
}

std::int64_t HostSide::leave(IoSlot& s) {
  const JobRun& j = jobs_[s.job];
  HeadState& h = heads_[j.head];
  s.conn = h.conn_of_path[s.req.path->index];
  note_dispatch(s, h);
  // Both halves of the host's per-I/O CPU cost are charged here (see README: cost of an I/O),
  // unless the one-core host paid them before the path choice (cpu_before_choice).
  const bool read = s.req.dir == policies::IoDirection::Read;
  if (split_cpu(j)) return run_cpu(j, after_choice_ns(pool_.profile(s.job), read));
  if (cpu_before_choice(j)) return sched_.now();
  return run_cpu(j, pool_.profile(s.job).host_cpu_ns[read]);
}

void HostSide::note_dispatch(IoSlot& s, HeadState& h) {
  const JobRun& j = jobs_[s.job];
  const auto path = std::uint32_t(s.req.path->index);
  const std::int64_t now = sched_.now();
  if (now >= j.measure_from && now < j.end) ++path_ios_[&h - heads_.data()][path];
  if (s.last_path != UINT32_MAX && s.last_path != path) {
    metrics_->moved_off(std::uint32_t(&h - heads_.data()), s.last_path);
    // One event per (from, to) pair per second: a failover moves many I/Os at once.
    auto& when = h.failover_noted[{s.last_path, path}];
    if (when == 0 || now - when >= 1'000'000'000) {
      when = std::max<std::int64_t>(now, 1);
      metrics_->event(now, "failover", transport_->conn(h.conn_of_path[s.last_path]).name,
                      "to " + transport_->conn(h.conn_of_path[path]).name + " (" + h.head->name() + ")");
    }
  }
  s.last_path = path;
}

void HostSide::finished(policies::IoRequest& io, const policies::IoResult& r) {
  IoSlot& s = *static_cast<IoSlot*>(io.user);
  if (!s.live) throw std::logic_error("I/O " + std::to_string(io.id) + " finished twice");
  if (!r.ok() && s.last_path == UINT32_MAX) {  // it never left the host
    const std::int64_t at = fail_in_host(s, r);
    if (at > sched_.now()) return sched_.at(at, failed_, pool_.index(s), std::uint32_t(r.reason));
  }
  complete(s, r);
}

void HostSide::failed_in_host(std::uint32_t slot, std::uint32_t reason) {
  IoSlot& s = pool_.at(slot);
  complete(s, policies::IoResult{policies::NvmeStatus{}, policies::FailReason(reason)});
}

void HostSide::complete(IoSlot& s, const policies::IoResult& r) {
  const policies::IoRequest& io = s.req;
  JobRun& j = jobs_[s.job];
  record(j, s, r);
  // Copies of it still at the target are orphans from here; later I/O ids are newer writes.
  target_->host_finished(pool_.index(s), io.id, next_io_id_);
  if (r.ok() && io.dir == policies::IoDirection::Write)
    write_order_.acknowledged(pool_.profile(s.job).written_ns, io.offset, io.bytes, io.id, sched_.now());
  s.live = false;
  pool_.release(s);
  reap(j, s.job);
}

// An I/O the head fails before it ever left the host (no usable path: dm-multipath's map
// returns DM_MAPIO_KILL, native NVMe's nvme_ns_head_submit_bio calls bio_io_error) fails inside
// the submitter's own io_submit: its block-layer work, the map and the error completion run on
// fio's own thread (one I/O after another) before fio can reap the error. A host of several
// cores charges an I/O's CPU time as it leaves (leave), which this one never does: it pays it
// here, after the job's failures before it, and the job sees the failure when that work is done.
// A one-core host paid it before the path choice. Returns when the job sees the failure.
// Without a cost per I/O a job that carries on past errors (continue_on_error) would submit and
// fail at one instant forever: the run stops instead.
std::int64_t HostSide::fail_in_host(IoSlot& s, const policies::IoResult& r) {
  JobRun& j = jobs_[s.job];
  const std::int64_t now = sched_.now();
  const bool read = s.req.dir == policies::IoDirection::Read;
  std::int64_t at = now;
  if (!cpu_before_choice(j)) {
    at = hosts_[j.host].cpu.run(j.cpu_node, std::max(now, j.failing_until), pool_.profile(s.job).host_cpu_ns[read]);
    j.failing_until = at;
  }
  if (at > now || s.issued < now || !continues_after_error(j.spec->continue_on_error, read)) return at;
  if (j.zero_time_at != now) j.zero_time_failures = 0;
  j.zero_time_at = now;
  if (++j.zero_time_failures > kZeroTimeRounds * std::uint64_t(j.spec->iodepth))
    throw std::runtime_error(
        "job \"" + j.name + "\" on host " + hosts_[j.host].name + ": its I/O fails the instant it is issued (" +
        std::string(policies::to_string(r.reason)) + ") and it carries on past errors (continue_on_error " +
        fio_word(j.spec->continue_on_error) + "), but the host's CPU time per I/O is 0: it would submit and fail at " +
        std::to_string(now) + " ns forever. Give the host a CPU cost per I/O (models.host_cpu.per_io_us > 0) or the job "
        "continue_on_error none");
  return at;
}

// io_getevents(min_nr = min(iodepth_batch_complete_min, in flight)): fio sleeps until that many
// completions are waiting, then reaps all of them and refills.
void HostSide::reap(JobRun& j, std::uint32_t index) {
  ++j.unreaped;
  const std::uint32_t min_nr = std::min(std::max<std::uint32_t>(1, j.spec->iodepth_batch_complete_min), j.outstanding);
  if (j.unreaped < min_nr) return;
  const std::int64_t now = sched_.now();
  if (now >= j.measure_from && now < j.end) ++j.depth.reaps[call_bucket(j.unreaped)];
  for (const Reaped& io : j.unstamped) stamp(j, io);
  j.unstamped.clear();
  j.outstanding -= j.unreaped;
  j.unreaped = 0;
  if (j.quiescing && j.outstanding == 0) {  // io_u_quiesce is over: regrow_logs, then refill
    j.lat_logs.regrow();
    j.quiescing = false;
  }
  refill_.push_back(index);
}

void HostSide::record(JobRun& j, IoSlot& s, const policies::IoResult& r) {
  const bool read = s.req.dir == policies::IoDirection::Read;
  const std::int64_t now = sched_.now();
  const bool measured = now >= j.measure_from && now < j.end;
  DirectionStats& d = read ? j.read : j.write;
  if (!r.ok()) {
    ++ledger_.failed;
    ++ledger_.failed_by_reason[std::string(policies::to_string(r.reason))];
    metrics_->failure(now, j.host, now - s.issued);
    if (measured) ++d.errors;
    if (!j.stopped && !continues_after_error(j.spec->continue_on_error, read)) {  // fio's default: the first error ends the job
      j.stopped = true;
      j.stopped_by_error = true;
      j.error_reason = policies::to_string(r.reason);
      j.error_status = r.status.code;
      metrics_->event(now, "job-error", j.name,
                      std::string(policies::to_string(r.reason)) + " status " + hex_status(r.status.code));
    }
    return;
  }
  ++ledger_.completed;
  const Reaped done{s.issued, s.req.bytes, s.conn, s.last_path, read};
  // Split CPU: the completions of one io_getevents spread over the kworkers' work, but fio
  // stamps every event it reaps with one clock reading (io_completed, icd->time): the batch's
  // latencies end at the reap.
  if (split_cpu(j) && j.spec->iodepth_batch_complete_min > 1) return j.unstamped.push_back(done);
  stamp(j, done);
}

void HostSide::stamp(JobRun& j, const Reaped& io) {
  const std::int64_t now = sched_.now();
  const std::int64_t latency = now - io.issued;
  metrics_->completion(now, j.host, io.conn, latency);
  metrics_->served(j.head, io.path);
  if (j.spec->per_io_lat_log && now >= j.measure_from) j.lat_logs.completed(j.spec->log_entries);  // lat, clat
  if (now < j.measure_from || now >= j.end) return;
  DirectionStats& d = io.read ? j.read : j.write;
  ++d.total_ios;
  d.io_bytes += io.bytes;
  (io.read ? j.read_lat : j.write_lat).add(latency);
  if (now >= j.window_end) {  // a new sample window: one division per window, not per I/O
    j.window = std::size_t((now - j.measure_from) / sample_interval_);
    j.window_end = j.measure_from + std::int64_t(j.window + 1) * sample_interval_;
  }
  const std::size_t w = j.window;
  if (d.windows.size() <= w) d.windows.resize(w + 1);
  SampleWindow& win = d.windows[w];
  ++win.ios;
  win.bytes += io.bytes;
  win.latency_sum_ns += double(latency);
  win.latency_max_ns = std::max(win.latency_max_ns, latency);
}

}  // namespace mpsim::sim
