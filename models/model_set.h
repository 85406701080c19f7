// Parameters of every cost model the engines use. Defaults come from
// ../shared/reference/physical-anchors.md (sources named beside each value in model_set.cpp);
// calibrated sets replace them (validate/ writes those, with provenance).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace mpsim::models {

// Service time of one namespace's media.
struct MediaParams {
  double read_latency_us = 80.0;       // mean 4 KiB read service time
  double write_latency_us = 20.0;      // mean 4 KiB write (to the drive's write buffer)
  double latency_cv = 0.1;             // coefficient of variation (lognormal); 0 = constant
  std::uint32_t parallelism = 80;      // requests served at once (dies x planes)
  double read_bandwidth_Bps = 7.0e9;   // larger blocks cost size / bandwidth beyond 4 KiB
  double write_bandwidth_Bps = 4.0e9;
};

// NVMe/TCP protocol costs on the wire.
struct TransportParams {
  std::uint32_t pdu_header_bytes = 72;        // command capsule CH+PSH (8 + 64)
  std::uint32_t response_bytes = 24;          // response capsule CH+CQE (8 + 16)
  std::uint32_t data_pdu_header_bytes = 24;   // C2H/H2C data PDU header
  std::uint32_t inline_data_size = 8192;      // in-capsule write data limit (nvmet tcp default)
  std::uint32_t r2t_bytes = 24;               // R2T PDU for writes above inline_data_size
  std::uint32_t mtu_overhead_bytes = 66;      // Ethernet + IP + TCP headers per segment
  std::uint32_t tcp_mss_bytes = 1448;         // payload per segment (1500 MTU, TCP timestamps)
  std::uint32_t connect_round_trips = 3;      // TCP handshake, ICReq/ICResp, Fabrics Connect
  double connect_timeout_s = 3.0;             // silent route: SYN + one retry (nvme-tcp syncnt 1)
  double syn_retry_s = 1.0;                   // the retry leaves one initial RTO (TCP_TIMEOUT_INIT) after the SYN
};

// CPU time per I/O on one core of a host or target node, and how often the core is taken away:
// pauses (a descheduled VM vCPU, steal time) start at pause_rate_per_s per core, Poisson in
// wall time, and last an exponential time of mean pause_mean_us; work on the core stops
// meanwhile. Either pause figure 0 = the core is always there. per_call_us is what one
// io_submit costs on top of its I/Os (the system call, the wake-ups it and its reaping cause), so
// a batch of n I/Os costs per_call_us + n x per_io_us: batching saves n - 1 calls.
struct CpuParams {
  double per_io_us = 5.0;
  double per_kib_us = 0.05;
  double write_extra_us = 0.0;  // a write's extra cost (receiving its data) over a read's
  double pause_rate_per_s = 0.0;
  double pause_mean_us = 0.0;
  double per_call_us = 0.0;     // host side only: per io_submit call
  // Host side, one-core host only (models/README.md, "Where a one-core host's CPU time goes"):
  // the part of an I/O's CPU time (its own and its share of the call) spent after the path
  // choice — nvme-tcp's send and io_work, and in a loopback guest the target's kworkers — while
  // the command is counted on its path but not yet on the wire. 0 = all of it before the choice.
  double completion_share = 0.0;
  // How often fio keeps the core after an io_submit and runs its next submission before the
  // work that call woke (0 = the woken kworkers always run first, 1 = never first).
  double submitter_keeps_cpu = 0.0;
};

struct ModelSet {
  std::map<std::string, MediaParams> media;  // keyed by Namespace.media; "nand-tlc-gen4" always present
  TransportParams transport;
  CpuParams host_cpu;
  CpuParams target_cpu;
};

ModelSet default_models();

}  // namespace mpsim::models
