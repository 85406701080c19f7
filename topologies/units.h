// Quantities written with their unit, as users write them in topologies and experiments.
// Each parser throws std::invalid_argument with a message naming the text and what was expected;
// callers add the file:line:col (Diagnostics::error).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mpsim::topology {

// The stated limits of every numeric input (tests/README.md "Input limits"). They keep each value physical and
// every nanosecond sum and product the simulator forms inside 64 bits; the loaders refuse
// anything outside them (a clear error at the field), so sim/ never sees such a value.
namespace limits {
inline constexpr double kMinBandwidthBps = 1e3;        // 1 Kbps: slower is not a data link
inline constexpr double kMaxBandwidthBps = 10e12;      // 10 Tbps: >= 1 ps per byte
inline constexpr std::int64_t kMaxDurationNs = 366LL * 86400 * 1000000000;  // any duration: one year
inline constexpr double kMaxLinkLatencyUs = 1e6;       // one-way latency of one link: 1 s
inline constexpr double kMaxTimeoutS = 1e7;            // kato, reconnect delay, ctrl_loss_tmo, io timeout
inline constexpr std::uint32_t kMaxCpus = 65536;       // CPUs of a NUMA node or a target node
inline constexpr double kMaxFactor = 1e4;              // gray latency_factor / bandwidth_divisor
inline constexpr double kMaxServiceUs = 1e6;           // media latency, CPU time per I/O: 1 s
inline constexpr double kMaxLatencyCv = 100;           // media latency coefficient of variation
inline constexpr std::uint32_t kMaxParallelism = 65536;  // media channels
inline constexpr double kMaxPauseRatePerS = 1e6;       // CPU pauses per second
inline constexpr std::uint32_t kMaxNumjobs = 4096;     // fio numjobs of one job
inline constexpr std::uint64_t kMaxRateIops = 100'000'000;  // rate_iops of one job
inline constexpr std::uint32_t kMaxFlapCount = 10000;  // down/up cycles of one flap
inline constexpr std::int64_t kMinTimelineIntervalNs = 1000000;  // timeline points: at most 1 per ms
inline constexpr std::uint32_t kMaxTransportBytes = 1 << 20;    // inline data / PDU header sizes
inline constexpr std::uint64_t kMaxInputFileBytes = 64ull << 20;  // any input file: 64 MiB
}  // namespace limits

// A data rate -> bits per second, > 0. The unit is required (a bare number is ambiguous):
//   bit rates, decimal prefixes as in networking: "bps", "Kbps"/"kbps", "Mbps", "Gbps", "Tbps";
//   byte rates: "B/s", "KB/s"/"kB/s", "MB/s", "GB/s", "TB/s" (decimal, as drive datasheets use),
//               "KiB/s", "MiB/s", "GiB/s", "TiB/s" (binary).
// E.g. "25Gbps" -> 25e9, "7GB/s" -> 56e9. Must lie in [limits::kMinBandwidthBps, kMaxBandwidthBps].
double parse_bandwidth(std::string_view text);

// A size -> bytes, following fio's default kb_base=1024 for `bs`/`size`: a bare number is bytes;
// "k"/"K"/"KB", "m"/"M"/"MB", "g"/"G"/"GB", "t"/"T"/"TB", "p"/"P"/"PB" are powers of 1024 (any
// case, optional "B"/"b" for bytes alone). IEC "KiB", "MiB", "GiB", "TiB", "PiB" are powers of
// 1024 as well. (Deliberate difference: fio's compatibility mode reads IEC prefixes as powers of
// 1000; nobody writing "1TiB" for a namespace means 10^12 bytes.) Decimals are allowed when the
// result is a whole number of bytes ("1.5k" = 1536).
std::uint64_t parse_size(std::string_view text);

// A duration -> nanoseconds, >= 0, as fio reads `runtime`: a bare number is seconds; units "ns",
// "us"/"usec", "ms"/"msec", "s"/"sec", "m"/"min", "h", "d". E.g. "500ms" -> 500000000. At most limits::kMaxDurationNs (366d).
std::int64_t parse_duration(std::string_view text);

// Human form of a bit rate for reports: 25e9 -> "25Gbps".
std::string format_bandwidth(double bits_per_second);

}  // namespace mpsim::topology
