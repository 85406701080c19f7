// fio's in-memory per-I/O latency logs (write_lat_log with log_avg_msec=0, as `mpsim validate`
// runs fio in its guest) and the pause their growth costs a job. Facts from fio 3.33 (the
// guest's), files named:
// - a job keeps three logs: slat gets one sample per I/O submitted (io_u.c io_u_queued), lat and
//   clat one per I/O completed without error (io_u.c account_io_completion), from the end of
//   ramp_time;
// - a log is a list of chunks: the first holds log_entries samples (default 1024), each next one
//   twice the last, at most 1M (stat.c get_new_log);
// - a sample that finds its log full goes to a pending buffer and flags the job
//   (TD_F_REGROW_LOGS, stat.c get_cur_log). The next time fio waits for completions with its
//   queue full, it first reaps every I/O in flight (backend.c wait_for_completions ->
//   io_u.c io_u_quiesce), then adds a chunk to every full log (regrow_logs).
// Submissions lead completions by the I/Os in flight, so the slat log fills first: after 1024,
// 3072, 7168, 15360, ... submissions fio stops submitting until nothing is in flight. One command
// stuck on a silently lost path then stalls the whole job until the host gives up on it.
#pragma once

#include <algorithm>
#include <cstdint>

namespace mpsim::sim {

class FioLatencyLogs {
 public:
  static constexpr std::uint64_t kMaxChunk = 1024 * 1024;  // fio MAX_LOG_ENTRIES

  // One sample each; log_entries is the job's first chunk, made at the first sample as fio does.
  void submitted(std::uint32_t log_entries) { submitted_.add(log_entries); }
  void completed(std::uint32_t log_entries) { completed_.add(log_entries); }
  // A sample found its log full: fio quiesces at its next wait with the queue full.
  bool regrow_due() const { return submitted_.full() || completed_.full(); }
  // regrow_logs: a chunk for every full log (the pending samples move into it).
  void regrow() {
    submitted_.grow_if_full();
    completed_.grow_if_full();
  }

 private:
  struct Log {
    void add(std::uint64_t first) {
      if (chunk == 0) capacity = chunk = first;
      ++samples;
    }
    bool full() const { return samples > capacity; }
    void grow_if_full() {
      if (!full()) return;
      chunk = std::min(chunk * 2, kMaxChunk);
      capacity += chunk;
    }
    std::uint64_t samples = 0, capacity = 0, chunk = 0;
  };
  Log submitted_, completed_;
};

}  // namespace mpsim::sim
