// Default model parameters. Every figure is an order-of-magnitude anchor to calibrate, not a
// measurement; the source of each is named beside it (../shared/reference/physical-anchors.md
// §5 unless said otherwise).
#include "models/model_set.h"

namespace mpsim::models {

namespace {

// A PCIe Gen4 TLC data-centre drive (Intel D7-P5500 class).
MediaParams nand_tlc_gen4() {
  MediaParams m;
  m.read_latency_us = 80.0;     // QD1 4 KiB read: anchors say 70-90 us [EST], TLC "20-70 us"
  m.write_latency_us = 20.0;    // writes land in the drive's power-protected buffer [EST]
  m.latency_cv = 0.1;           // [EST] narrow spread at low load; tails come from queueing
  m.parallelism = 80;           // ~1M 4 KiB read IOPS at QD>=128 (D7-P5500 spec) x 80 us (Little)
  m.read_bandwidth_Bps = 7.0e9; // D7-P5500 sequential read 7000 MB/s
  m.write_bandwidth_Bps = 4.0e9;// [EST] Gen4 TLC sequential write class
  return m;
}

// SLC-mode / low-latency drive (Solidigm D7-P5810: ~10 us read, 865K read IOPS at QD256).
MediaParams nand_slc() {
  MediaParams m;
  m.read_latency_us = 10.0;     // D7-P5810 read latency about 10 us
  m.write_latency_us = 10.0;    // [EST] same order as reads for SLC
  m.latency_cv = 0.1;           // [EST]
  m.parallelism = 9;            // 865K IOPS x 10 us ~ 9 in service (Little)
  m.read_bandwidth_Bps = 7.0e9; // [EST] Gen4 x4 class
  m.write_bandwidth_Bps = 4.0e9;// [EST]
  return m;
}

// Optane-class media (P4800X ~10 us, Hajnoczi KVM Forum 2020).
MediaParams optane() {
  MediaParams m;
  m.read_latency_us = 10.0;     // P4800X about 10 us
  m.write_latency_us = 10.0;    // [EST] symmetric
  m.latency_cv = 0.05;          // [EST] very tight distribution
  m.parallelism = 55;           // [EST] ~550K IOPS x 10 us (P4800X class datasheet order)
  m.read_bandwidth_Bps = 2.5e9; // [EST] PCIe Gen3 x4 Optane class
  m.write_bandwidth_Bps = 2.2e9;// [EST]
  return m;
}

}  // namespace

ModelSet default_models() {
  ModelSet s;
  s.media["nand-tlc-gen4"] = nand_tlc_gen4();
  s.media["nand-slc"] = nand_slc();
  s.media["optane"] = optane();
  // NVMe/TCP PDU sizes: NVMe/TCP transport spec (TP 8000) common header 8 B, command capsule
  // PSH 64 B (SQE), response capsule 16 B (CQE), data PDU header 24 B, R2T 24 B. Linux nvmet
  // tcp advertises inline_data_size 8 KiB by default (nvmet port param_inline_data_size).
  s.transport = TransportParams{};
  // Host: Linux nvme-tcp is plausibly 150-300K IOPS/core ([EST] from the iSCSI 70K IOPS/core and
  // ReFlex 850K IOPS/core anchors) -> ~5 us per I/O; 0.05 us/KiB ~ 20 GB/s per core copy+CRC [EST].
  s.host_cpu = CpuParams{5.0, 0.05};
  // Target: kernel nvmet is of the same order per core as the host stack (SPDK reports up to
  // 5.09x the kernel target's IOPS per core; kernel-target-class ~200K IOPS/core) [EST].
  s.target_cpu = CpuParams{5.0, 0.05};
  return s;
}

}  // namespace mpsim::models
