// One in-flight I/O as the engine holds it, and the fixed pool of them. The host side fills a
// slot and owns the pool; the transport carries the slot's I/O to the target and back.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "models/transport.h"
#include "policies/io.h"

namespace mpsim::sim {

// What serving one I/O of a job costs, computed once per job (the hot path only adds it up),
// and where at the target it goes. Index [0] write, [1] read.
struct IoProfile {
  models::WireCost wire[2];
  std::int64_t host_cpu_ns[2] = {}, target_cpu_ns[2] = {};
  std::int64_t host_call_ns = 0;       // per io_submit call
  std::uint32_t grpid = 0;             // the namespace's ANA group
  std::uint32_t media = 0;             // TargetModel channel: QoS buckets, then the namespace's media
  std::uint32_t written_ns = 0;        // the namespace (nqn, nsid), the same for every job and host on it: write order's key
};

// What every I/O event reads first (tag .. status) comes first, the library's request after it:
// its id, direction and size then share the header's cache lines (issue 18: at 1,024 hosts each
// event's first touch of its slot is a cache miss; the header at the end was a third line).
struct IoSlot {
  // The transport's key for the current attempt's events: unique over the run (the attempt
  // number restarts with every I/O, so a late event for a previous occupant of the slot could
  // otherwise pass for the new one's).
  std::uint32_t tag = 0;
  std::uint32_t epoch = 0;
  std::uint32_t conn = 0;
  std::uint32_t job = 0;               // its profile is IoPool::profile(job)
  std::uint32_t last_path = UINT32_MAX;
  bool live = false;
  std::int64_t sent = 0;
  std::int64_t issued = 0;             // when the job issued it: fio's latency starts here
  policies::NvmeStatus status;
  policies::IoRequest req;
};

// The brief's budget is 1 KiB per in-flight I/O; the slot is most of it (the library adds a
// pointer in its controller's tag table and one calendar event).
static_assert(sizeof(IoSlot) <= 256, "per-I/O state grew past its budget");

// Fixed pool: a job never has more than iodepth I/Os outstanding, and the policies library
// keeps pointers into it, so it is sized once and never reallocates. It also holds each job's
// IoProfile (by job index), so a slot stays small.
class IoPool {
 public:
  std::uint32_t add_profile(const IoProfile& p) {
    profiles_.push_back(p);
    return std::uint32_t(profiles_.size() - 1);
  }
  const IoProfile& profile(std::uint32_t job) const { return profiles_[job]; }
  void reserve_once(std::size_t slots) {
    slots_.resize(slots);
    free_.reserve(slots);
    for (std::size_t i = slots; i-- > 0;) free_.push_back(std::uint32_t(i));
  }
  IoSlot& acquire() {
    if (free_.empty()) throw std::logic_error("I/O pool exhausted: more in flight than iodepth");
    const std::uint32_t slot = free_.back();
    free_.pop_back();
    return slots_[slot];
  }
  void release(IoSlot& s) { free_.push_back(index(s)); }
  IoSlot& at(std::uint32_t slot) { return slots_[slot]; }
  const IoSlot& at(std::uint32_t slot) const { return slots_[slot]; }
  std::uint32_t index(const IoSlot& s) const { return std::uint32_t(&s - slots_.data()); }
  const std::vector<IoSlot>& slots() const { return slots_; }
  std::size_t free_count() const { return free_.size(); }

 private:
  std::vector<IoSlot> slots_;
  std::vector<std::uint32_t> free_;
  std::vector<IoProfile> profiles_;
};

}  // namespace mpsim::sim
