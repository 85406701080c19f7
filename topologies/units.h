// Quantities written with their unit, as users write them in topologies and experiments.
// Each parser throws std::invalid_argument with a message naming the text and what was expected;
// callers add the file:line:col (Diagnostics::error).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mpsim::topology {

// A data rate -> bits per second, > 0. The unit is required (a bare number is ambiguous):
//   bit rates, decimal prefixes as in networking: "bps", "Kbps"/"kbps", "Mbps", "Gbps", "Tbps";
//   byte rates: "B/s", "KB/s"/"kB/s", "MB/s", "GB/s", "TB/s" (decimal, as drive datasheets use),
//               "KiB/s", "MiB/s", "GiB/s", "TiB/s" (binary).
// E.g. "25Gbps" -> 25e9, "7GB/s" -> 56e9.
double parse_bandwidth(std::string_view text);

// A size -> bytes, following fio's default kb_base=1024 for `bs`/`size`: a bare number is bytes;
// "k"/"K"/"KB", "m"/"M"/"MB", "g"/"G"/"GB", "t"/"T"/"TB", "p"/"P"/"PB" are powers of 1024 (any
// case, optional "B"/"b" for bytes alone). IEC "KiB", "MiB", "GiB", "TiB", "PiB" are powers of
// 1024 as well. (Deliberate difference: fio's compatibility mode reads IEC prefixes as powers of
// 1000; nobody writing "1TiB" for a namespace means 10^12 bytes.) Decimals are allowed when the
// result is a whole number of bytes ("1.5k" = 1536).
std::uint64_t parse_size(std::string_view text);

// A duration -> nanoseconds, >= 0, as fio reads `runtime`: a bare number is seconds; units "ns",
// "us"/"usec", "ms"/"msec", "s"/"sec", "m"/"min", "h", "d". E.g. "500ms" -> 500000000.
std::int64_t parse_duration(std::string_view text);

// Human form of a bit rate for reports: 25e9 -> "25Gbps".
std::string format_bandwidth(double bits_per_second);

}  // namespace mpsim::topology
