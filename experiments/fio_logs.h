// fio's log files (--write_lat_log, --write_iops_log, --write_bw_log) with windowed logging
// (log_avg_msec), in fio 3.33's format (iolog.c flush_samples), so fio's own tools read them:
//
//   time (ms), value, data direction (0 read, 1 write), block size, command priority
//   500, 101234, 0, 0, 0
//
// Values: latency in ns (the window's mean, rounded as fio does), IOPS, or KiB/s. As in fio's
// windowed logging, block size is 0, a window without I/O gets no line, and the IOPS and
// bandwidth lines average the rates fio samples every min(500 ms, log_avg_msec) in the window.
// Times count from the job's start (fio's epoch) and cover the measured window (after ramp_time).
// Per-I/O logs (log_avg_msec = 0, fio's default) are not written: the simulator keeps windows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/result.h"

namespace mpsim::experiments::fio {

enum class LogKind { Lat, Clat, Iops, Bw };

struct LogTiming {
  std::uint64_t window_ms = 0;    // width of sim::DirectionStats::windows (Scenario::sample_interval)
  std::uint64_t avg_ms = 0;       // log_avg_msec; a multiple of window_ms
  std::uint64_t offset_ms = 0;    // the measured window's start from the job's start (ramp_time)
  std::uint64_t measured_ms = 0;  // the measured window's length
};

// The IOPS/bandwidth sampling interval fio uses: iops_avg_time / bw_avg_time (500 ms), or
// log_avg_msec when that is smaller and the log is written (fio HOWTO, iopsavgtime).
std::uint64_t rate_interval_ms(std::uint64_t log_avg_ms);

// The sample window the simulator must keep for these: the largest that divides both.
std::uint64_t window_ms_for(std::uint64_t log_avg_ms);

std::string log_text(LogKind kind, const sim::JobResult& job, const LogTiming& t);

// fio's file name for a job's log: "<prefix>_<type>.<job number, 1-based>.log".
std::string log_file_name(const std::string& prefix, LogKind kind, std::size_t job_index);

inline constexpr LogKind kAllLogs[] = {LogKind::Lat, LogKind::Clat, LogKind::Iops, LogKind::Bw};

}  // namespace mpsim::experiments::fio
