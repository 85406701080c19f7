// LiveTarget's I/O commands (Read, Write, Flush): the controller must be enabled, the
// namespace's ANA group must be accessible through the command's port (sim::TargetModel's
// nvmet_check_ana_state), the range must fit; then the data moves to or from RAM, and with
// models applied the completion waits for the modelled target CPU and media time in real time.
#include <algorithm>

#include "sim/live/live_target.h"
#include "sim/live/live_target_state.h"

namespace mpsim::live {

namespace {
constexpr std::uint16_t kCmdSeqError = 0x00C;
}

Outcome LiveTarget::io(const QueueRef& q, Controller& c, const Sqe& sqe, ByteSpan data, std::int64_t now_ns) {
  if (!(c.cc & 1) || !(c.csts & 1) || (c.csts & 2)) return Outcome{kCmdSeqError | sc::kDnr};
  const std::uint8_t op = sqe.opcode();
  if (op != opc::kRead && op != opc::kWrite && op != opc::kFlush) return Outcome{sc::kInvalidOpcode | sc::kDnr};
  Namespace* ns = find_ns(c, sqe.nsid());
  if (!ns) return Outcome{sc::kInvalidNs | sc::kDnr};
  const policies::NvmeStatus ana = model_.check_ana(ports_[q.port].model_port, ns->grpid);
  if (!ana.ok()) {
    ++counters_[q.port].ana_refused;
    return Outcome{ana.code};
  }
  Outcome out;
  ++counters_[q.port].ios;
  if (op == opc::kFlush) return out;
  const std::uint64_t slba = sqe.cdw(10) | std::uint64_t(sqe.cdw(11)) << 32;
  const std::uint64_t blocks = (sqe.cdw(12) & 0xFFFF) + 1ull;
  if (slba >= ns->blocks || blocks > ns->blocks - slba) return Outcome{sc::kLbaRange | sc::kDnr};
  const std::uint64_t bytes = blocks * TargetLimits::kBlockSize;
  if (bytes != sqe.sgl_length() || bytes > TargetLimits::kMaxTransfer) return Outcome{sc::kInvalidField | sc::kDnr};
  const bool read = op == opc::kRead;
  if (read) {
    out.data.resize(bytes);
    ns->store.read(slba * TargetLimits::kBlockSize, out.data);
  } else {
    if (data.size() != bytes) return Outcome{sc::kDataXferError | sc::kDnr};
    if (!ns->store.write(slba * TargetLimits::kBlockSize, data)) return Outcome{sc::kCapacityExceeded | sc::kDnr};
  }
  if (apply_models_) {
    // Target CPU on the node's earliest-free core, then the namespace's media, as the des engine
    // charges them (sim/README.md "Cost of one I/O", steps 5 and 7), in nanoseconds of wall time.
    const models::CpuParams& cpu = models_.target_cpu;
    const double cpu_us = cpu.per_io_us + cpu.per_kib_us * double(bytes) / 1024.0 + (read ? 0.0 : cpu.write_extra_us);
    const int node = model_.port(ports_[q.port].model_port).node;
    const std::int64_t cpu_done = model_.run_cpu(node, now_ns, std::int64_t(cpu_us * 1000.0));
    const std::int64_t media_done = model_.serve_media(ns->media, cpu_done, read, std::uint32_t(bytes));
    out.delay_ns += std::max<std::int64_t>(0, media_done - now_ns);
  }
  return out;
}

}  // namespace mpsim::live
