// The I/O path: job generator -> NamespaceHead::submit -> dispatch (host CPU, network) ->
// target (CPU, ANA check, media) -> response -> NamespaceHead::complete -> finished.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "sim/world.h"

namespace mpsim::sim {

namespace {

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

std::uint16_t ana_status(topology::AnaState s) {
  switch (s) {
    case topology::OPTIMIZED:
    case topology::NON_OPTIMIZED: return policies::status::kSuccess;
    case topology::PERSISTENT_LOSS: return policies::status::kAnaPersistentLoss;
    case topology::CHANGE: return policies::status::kAnaTransition;
    default: return policies::status::kAnaInaccessible;
  }
}

}  // namespace

// fio semantics: keep iodepth I/Os outstanding until the runtime ends, paced by rate_iops.
// Free slots are filled iodepth_batch_submit at a time, one io_submit each.
void World::try_submit(std::uint32_t index) {
  JobRun& j = jobs_[index];
  const JobSpec& spec = *j.spec;
  HeadState& h = heads_[j.head];
  if (!h.device_ready) return;  // started again when the device appears
  const std::uint32_t batch = std::max<std::uint32_t>(1, spec.iodepth_batch_submit);
  bool more = true;
  while (more && j.outstanding < spec.iodepth) {
    const std::uint32_t n = std::min(batch, spec.iodepth - j.outstanding);
    std::uint32_t staged = 0;
    std::int64_t cost = 0;
    for (; staged < n && (more = stage_one(index)); ++staged) {
      cost += j.host_cpu_ns[slots_[j.staged.back()].req.dir == policies::IoDirection::Read];
    }
    if (staged == 0) break;
    if (!cpu_before_choice(j)) {
      if (j.host_call_ns > 0) hosts_[j.host].cpu.run(now_, j.host_call_ns);  // the call occupies a core
      issued(index, staged);
      continue;
    }
    cal_.push(hosts_[j.host].cpu.run(now_, cost + j.host_call_ns), EventKind::Issued, index, staged);
  }
}

// On a one-core host the submitter and the host's I/O work (block layer, driver, network
// stack, target and completion work in softirq and kworkers, which preempt it) share the core,
// so fio's next io_submit runs only after the I/O work queued ahead of it: an I/O's host CPU
// time is spent before the next path choice, and what that choice sees in flight is only what
// waits off the CPU (wire, target, media). Measured in the one-CPU UML guest (Linux 6.12,
// loopback nvmet, fio QD16): about 1 of the 16 I/Os is in flight below the head on average
// (/sys/block/nvme0cXn1/stat ticks), and queue-depth sends 88-93% to the first path. With
// several cores the submitter runs beside the I/O work: the CPU is paid at dispatch.
bool World::cpu_before_choice(const JobRun& j) const { return hosts_[j.host].cpu.cores() == 1; }

// One I/O of job `index` into a slot, waiting for its CPU work; false when the job may not
// submit now.
bool World::stage_one(std::uint32_t index) {
  JobRun& j = jobs_[index];
  const JobSpec& spec = *j.spec;
  HeadState& h = heads_[j.head];
  if (j.stopped || now_ >= j.end || now_ < j.start) return false;
  if (j.rate_gap && now_ < j.next_allowed) {
    if (!j.submit_scheduled) cal_.push(j.next_allowed, EventKind::Submit, index, 0);
    j.submit_scheduled = true;
    return false;
  }
  if (free_slots_.empty()) throw std::logic_error("I/O pool exhausted: more in flight than iodepth");
  const std::uint32_t slot = free_slots_.back();
  free_slots_.pop_back();
  IoSlot& s = slots_[slot];
  s = IoSlot{};
  s.job = index;
  s.live = true;
  s.issued = now_;
  policies::IoRequest& io = s.req;
  io.id = next_io_id_++;
  io.dir = is_read(spec, j.rng) ? policies::IoDirection::Read : policies::IoDirection::Write;
  const std::uint64_t blocks = std::max<std::uint64_t>(1, h.size_bytes / spec.block_size);
  if (is_random(spec.rw)) {
    io.offset = (j.rng() % blocks) * spec.block_size;
  } else {
    io.offset = j.next_offset;
    j.next_offset = (j.next_offset + spec.block_size) % (blocks * spec.block_size);
  }
  io.bytes = spec.block_size;
  io.numa_node = spec.numa_node;
  io.thread = j.clone;
  io.user = &s;
  ++j.outstanding;
  ++ledger_.submitted;
  if (j.rate_gap) j.next_allowed = std::max(j.next_allowed + j.rate_gap, now_);
  j.staged.push(slot);
  return true;
}

// The io_submit reaches the block layer: a call of more than AIO_PLUG_THRESHOLD (2) iocbs runs
// under a plug, so its I/Os reach their controllers (and the queue-depth count) only after all
// of them have chosen a path.
void World::issued(std::uint32_t index, std::uint32_t count) {
  JobRun& j = jobs_[index];
  HeadState& h = heads_[j.head];
  const bool plug = count > 2 && !h.head->plugged();
  if (plug) h.head->plug();
  for (std::uint32_t i = 0; i < count; ++i) {
    IoSlot& s = slots_[j.staged.front()];
    j.staged.pop();
    h.head->submit(s.req);
  }
  if (plug) h.head->unplug();
}

// Completions refill their job after the event that finished them, never from inside the
// head's completion path.
void World::drain_refills() {
  while (!refill_.empty()) {
    refilling_.swap(refill_);  // both keep their capacity: no allocation per completion
    for (std::uint32_t j : refilling_) try_submit(j);
    refilling_.clear();
  }
}

IoSlot* World::current(std::uint32_t slot, std::uint32_t attempt) {
  IoSlot& s = slots_[slot];
  if (!s.live || s.req.attempt != attempt || s.epoch != conns_[s.conn].epoch) return nullptr;
  return &s;
}

void World::note_dispatch(IoSlot& s, HeadState& h) {
  const JobRun& j = jobs_[s.job];
  const auto path = std::uint32_t(s.req.path->index);
  if (now_ >= j.measure_from && now_ < j.end) ++path_ios_[&h - heads_.data()][path];
  if (s.last_path != UINT32_MAX && s.last_path != path) {
    // One event per (from, to) pair per second: a failover moves many I/Os at once.
    auto& when = h.failover_noted[{s.last_path, path}];
    if (when == 0 || now_ - when >= 1'000'000'000) {
      when = std::max<std::int64_t>(now_, 1);
      metrics_->event(now_, "failover", conns_[h.conn_of_path[s.last_path]].name,
                      "to " + conns_[h.conn_of_path[path]].name + " (" + h.head->name() + ")");
    }
  }
  s.last_path = path;
}

void World::dispatch(policies::IoRequest& io) {
  IoSlot& s = *static_cast<IoSlot*>(io.user);
  const JobRun& j = jobs_[s.job];
  HeadState& h = heads_[j.head];
  s.conn = h.conn_of_path[io.path->index];
  Conn& c = conns_[s.conn];
  s.epoch = c.epoch;
  s.sent = now_;
  ++attempts_;
  note_dispatch(s, h);
  const bool read = io.dir == policies::IoDirection::Read;
  // Both halves of the host's per-I/O CPU cost are charged here (see README: cost of an I/O),
  // unless the one-core host paid them before the path choice (cpu_before_choice).
  const std::int64_t cpu_done = cpu_before_choice(j) ? now_ : hosts_[c.host].cpu.run(now_, j.host_cpu_ns[read]);
  const std::int64_t at = fabric_.send(c.route, true, j.wire[read].command_bytes, cpu_done);
  cal_.push(at, EventKind::IoAtTarget, std::uint32_t(&s - slots_.data()), io.attempt);
}

void World::io_at_target(std::uint32_t slot, std::uint32_t attempt) {
  IoSlot* s = current(slot, attempt);
  if (!s) return;
  Conn& c = conns_[s->conn];
  if (fabric_.lost(c.route, s->sent)) return;  // silently: the host's timers notice
  if (!target_knows(c)) return send_reset(s->conn);
  const policies::IoRequest& io = s->req;
  const bool read = io.dir == policies::IoDirection::Read;
  const JobRun& j = jobs_[s->job];
  const HeadState& h = heads_[j.head];
  std::int64_t t = nodes_[c.route.node].cpu.run(now_, j.target_cpu_ns[read]);
  s->status = policies::NvmeStatus{ana_status(ports_[c.port].state(h.grpid))};
  if (!s->status.ok()) {  // nvmet_check_ana_state: fails the command before the media
    const std::int64_t back = fabric_.send(c.route, false, transport_.on_wire(s_.models.transport.response_bytes), t);
    cal_.push(back, EventKind::IoDone, slot, attempt);
    return;
  }
  const models::WireCost& w = j.wire[read];
  if (w.r2t_bytes) {  // write data beyond inline_data_size waits for an R2T round trip
    t = fabric_.send(c.route, false, w.r2t_bytes, t);
    t = fabric_.send(c.route, true, w.h2c_bytes, t);
  }
  MediaState& m = media_[h.media];
  const std::int64_t start = std::max(t, m.free_at.top());
  m.free_at.pop();
  const std::int64_t done = start + m.model.service_ns(read, io.bytes, media_rng_);
  m.free_at.push(done);
  cal_.push(done, EventKind::MediaDone, slot, attempt);
}

void World::media_done(std::uint32_t slot, std::uint32_t attempt) {
  IoSlot* s = current(slot, attempt);
  if (!s) return;
  const Conn& c = conns_[s->conn];
  const bool read = s->req.dir == policies::IoDirection::Read;
  const std::int64_t back = fabric_.send(c.route, false, jobs_[s->job].wire[read].response_bytes, now_);
  cal_.push(back, EventKind::IoDone, slot, attempt);
}

void World::io_done(std::uint32_t slot, std::uint32_t attempt) {
  IoSlot* s = current(slot, attempt);
  if (!s) return;
  if (fabric_.lost(conns_[s->conn].route, s->sent)) return;
  s->req.path->head->complete(s->req, s->status);
}

void World::finished(policies::IoRequest& io, const policies::IoResult& r) {
  IoSlot& s = *static_cast<IoSlot*>(io.user);
  if (!s.live) throw std::logic_error("I/O " + std::to_string(io.id) + " finished twice");
  JobRun& j = jobs_[s.job];
  record(j, s, r);
  s.live = false;
  free_slots_.push_back(std::uint32_t(&s - slots_.data()));
  reap(j, s.job);
}

// io_getevents(min_nr = min(iodepth_batch_complete_min, in flight)): fio sleeps until that many
// completions are waiting, then reaps all of them and refills.
void World::reap(JobRun& j, std::uint32_t index) {
  ++j.unreaped;
  const std::uint32_t min_nr = std::min(std::max<std::uint32_t>(1, j.spec->iodepth_batch_complete_min), j.outstanding);
  if (j.unreaped < min_nr) return;
  j.outstanding -= j.unreaped;
  j.unreaped = 0;
  refill_.push_back(index);
}

void World::record(JobRun& j, IoSlot& s, const policies::IoResult& r) {
  const bool read = s.req.dir == policies::IoDirection::Read;
  const bool measured = now_ >= j.measure_from && now_ < j.end;
  DirectionStats& d = read ? j.read : j.write;
  if (!r.ok()) {
    ++ledger_.failed;
    ++ledger_.failed_by_reason[std::string(policies::to_string(r.reason))];
    if (measured) ++d.errors;
    if (!j.stopped) {  // fio's default (continue_on_error=none): the job ends at its first error
      j.stopped = true;
      metrics_->event(now_, "job-error", j.name,
                      std::string(policies::to_string(r.reason)) + " status " + hex_status(r.status.code));
    }
    return;
  }
  ++ledger_.completed;
  const std::int64_t latency = now_ - s.issued;
  metrics_->completion(now_, j.host, s.conn, latency);
  if (!measured) return;
  ++d.total_ios;
  d.io_bytes += s.req.bytes;
  (read ? j.read_lat : j.write_lat).add(latency);
}

}  // namespace mpsim::sim
