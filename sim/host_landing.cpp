// Commands the host gave up on (cancelled by a reset, a keep-alive or I/O timeout, a transport
// error) while the target still held them: they keep their place in the target's media queue
// and reach the media anyway (TargetModel::MediaCommand). Each landing after the host gave up
// is an `abandoned_command_landed` event; a write among them that lands after a newer,
// acknowledged write to the same block is a ghost write (write_order.h).
#include <cstdio>
#include <string>

#include "sim/host_side.h"

namespace mpsim::sim {

namespace {

std::string ms(std::int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", double(ns) / 1e6);
  return buf;
}

}  // namespace

void HostSide::at_media(const IoSlot& s, int node, std::int64_t lands) {
  MediaCommand c;
  c.slot = pool_.index(s);
  c.attempt = s.tag;
  c.sent = s.sent;
  c.lands = lands;
  c.node = node;
  c.conn = s.conn;
  c.media = pool_.profile(s.job).media;
  c.io_id = s.req.id;
  c.offset = s.req.offset;
  c.bytes = s.req.bytes;
  c.write = s.req.dir == policies::IoDirection::Write;
  target_->admit(c);
}

void HostSide::landed(std::uint32_t slot, std::uint32_t attempt, bool awaited) {
  const std::int64_t now = sched_.now();
  auto landing = target_->land(slot, attempt, now, /*whole=*/!awaited);
  if (!landing || awaited) return;  // the host still waits for it: an ordinary completion follows
  const MediaCommand& c = landing->cmd;
  if (!landing->reached) {
    ++abandoned_.lost;
    return;
  }
  ++abandoned_.landed;
  const Conn& conn = transport_->conn(c.conn);
  metrics_->event(now, "abandoned_command_landed", conn.name,
                  "host " + hosts_[conn.host].name + " " + (c.write ? "write" : "read") + " offset " +
                      std::to_string(c.offset) + ", age " + ms(now - c.sent) + " since it was sent");
  if (!c.write) return;
  ++abandoned_.landed_writes;
  const WriteOrder::Ghost g = write_order_.landed(ns_of_channel_[c.media], c.offset, c.bytes, c.host_done_stamp, now);
  if (g.blocks > 0) count_ghost(c, g);
}

// Counted for the run and for the fault it follows: the latest one started by now.
void HostSide::count_ghost(const MediaCommand& c, const WriteOrder::Ghost& g) {
  const std::int64_t now = sched_.now();
  std::size_t fault = s_.faults.size();
  for (std::size_t f = 0; f < s_.faults.size(); ++f) {
    const std::int64_t at = s_.faults[f].at.count();
    if (at <= now && (fault == s_.faults.size() || at >= s_.faults[fault].at.count())) fault = f;
  }
  for (GhostWrites* gw : {&ghosts_, fault < fault_ghosts_.size() ? &fault_ghosts_[fault] : nullptr}) {
    if (!gw) continue;
    ++gw->count;
    gw->blocks += g.new_blocks;
    gw->worst_window = std::max(gw->worst_window, Duration(g.window_ns));
  }
  metrics_->event(now, "ghost_write", transport_->conn(c.conn).name,
                  "offset " + std::to_string(c.offset) + " landed " + ms(g.window_ns) +
                      " after a newer write to it was acknowledged");
}

AbandonedCommands HostSide::abandoned() const {
  AbandonedCommands a = abandoned_;
  a.at_media_at_end = target_->commands_at_media();
  a.tracked_blocks = write_order_.tracked_blocks();
  return a;
}

}  // namespace mpsim::sim
