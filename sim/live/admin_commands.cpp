// LiveTarget's admin commands: Identify, Get Log Page, Set/Get Features, Asynchronous Event
// Request, Keep Alive. Field offsets are the NVMe Base specification's (Identify Controller
// figure 275, Identify Namespace figure 280 in 1.4; the kernel's struct nvme_id_ctrl and
// nvme_id_ns name the same fields); values follow what nvmet reports where a host depends on them.
#include <algorithm>

#include "sim/live/live_target.h"
#include "sim/live/live_target_state.h"

namespace mpsim::live {

namespace {

std::uint8_t ana_code(topology::AnaState s) {
  switch (s) {
    case topology::OPTIMIZED: return 0x01;
    case topology::NON_OPTIMIZED: return 0x02;
    case topology::PERSISTENT_LOSS: return 0x04;
    case topology::CHANGE: return 0x0F;
    default: return 0x03;  // inaccessible
  }
}

constexpr std::uint8_t kFeatNumQueues = 0x07, kFeatAsyncEvent = 0x0B, kFeatKeepAlive = 0x0F;
constexpr std::uint8_t kLogError = 0x01, kLogSmart = 0x02, kLogFirmware = 0x03, kLogChangedNs = 0x04, kLogAna = 0x0C;

}  // namespace

LiveTarget::Namespace* LiveTarget::find_ns(const Controller& c, std::uint32_t nsid) const {
  for (const auto& ns : subsystems_[c.subsys]->namespaces) {
    if (ns->nsid == nsid) return ns.get();
  }
  return nullptr;
}

Outcome LiveTarget::admin(QueueRef&, Controller& c, const Sqe& sqe) {
  switch (sqe.opcode()) {
    case opc::kIdentify: return identify(c, sqe);
    case opc::kGetLogPage: return get_log_page(c, sqe);
    case opc::kSetFeatures:
    case opc::kGetFeatures: return features(c, sqe);
    case opc::kKeepAlive: return Outcome{};
    case opc::kAbort: return Outcome{sc::kSuccess, 1};  // bit 0: the command was not aborted
    default: return Outcome{sc::kInvalidOpcode | sc::kDnr};
  }
}

Bytes LiveTarget::identify_controller(const Controller& c) const {
  const Subsystem& sub = *subsystems_[c.subsys];
  Bytes id(kIdentifySize, 0);
  std::uint8_t* p = id.data();
  put16(p + 0, 0x1b36);                     // VID/SSVID: not a real vendor's product
  put16(p + 2, 0x1b36);
  put_padded(p + 4, 20, sub.serial.c_str());
  put_padded(p + 24, 40, "mpsim emulated NVMe/TCP target");
  put_padded(p + 64, 8, "mpsim");
  p[72] = 6;                                // RAB
  p[76] = 0x01 | 0x02 | 0x08;               // CMIC: multi-port, multi-controller, ANA reporting
  p[77] = TargetLimits::kMdts;
  put16(p + 78, c.cntlid);
  put32(p + 80, kVersion13);
  put32(p + 92, kOaes);
  put32(p + 96, 1u << 0 | 1u << 6);         // CTRATT: 128-bit host id, traffic based keep-alive
  p[111] = 1;                               // CNTRLTYPE: I/O controller
  p[258] = 3;                               // ACL
  p[259] = TargetLimits::kAerLimit;         // AERL
  p[260] = 0x03;                            // FRMW: slot 1 read only, one slot
  p[261] = 1u << 2;                         // LPA: extended data for Get Log Page
  p[262] = 0x3F;                            // ELPE: 64 error log entries
  put16(p + 320, 10);                       // KAS: 10 x 100 ms granularity
  p[342] = sub.anatt_s;                     // ANATT
  p[343] = 0x1F;                            // ANACAP: optimized, non-optimized, inaccessible, loss, change
  put32(p + 344, TargetLimits::kAnaGroupsMax);  // ANAGRPMAX
  put32(p + 348, TargetLimits::kAnaGroupsMax);  // NANAGRPID
  p[512] = 0x66;                            // SQES
  p[513] = 0x44;                            // CQES
  put16(p + 514, TargetLimits::kMaxQueueEntries);  // MAXCMD
  put32(p + 516, TargetLimits::kNamespacesMax);    // NN
  p[525] = 0x01;                            // VWC present: the host sends Flush
  put32(p + 536, 1u << 0 | 1u << 20);       // SGLS: SGLs supported, offsets for in-capsule data
  put32(p + 540, TargetLimits::kNamespacesMax);    // MNAN
  std::memcpy(p + 768, sub.nqn.data(), std::min<std::size_t>(sub.nqn.size(), 255));  // SUBNQN
  put32(p + 1792, (kSqeSize + TargetLimits::kInlineData) / 16);  // IOCCSZ
  put32(p + 1796, kCqeSize / 16);           // IORCSZ
  put16(p + 1800, 0);                       // ICDOFF
  p[1802] = 0;                              // FCATT: dynamic controller model
  p[1803] = 1;                              // MSDBD
  return id;
}

Bytes LiveTarget::identify_namespace(const Namespace& ns) const {
  Bytes id(kIdentifySize, 0);
  std::uint8_t* p = id.data();
  put64(p + 0, ns.blocks);                  // NSZE
  put64(p + 8, ns.blocks);                  // NCAP
  put64(p + 16, ns.blocks);                 // NUSE
  p[25] = 0;                                // NLBAF: one format
  p[26] = 0;                                // FLBAS: format 0
  p[30] = 0x01;                             // NMIC: shared (may be attached to several controllers)
  put32(p + 92, ns.grpid);                  // ANAGRPID
  std::memcpy(p + 104, ns.nguid.data(), 16);// NGUID
  p[128 + 2] = 9;                           // LBAF0: LBADS 9 = 512-byte blocks, no metadata
  return id;
}

Outcome LiveTarget::identify(const Controller& c, const Sqe& sqe) const {
  const std::uint8_t cns = std::uint8_t(sqe.cdw(10) & 0xFF);
  const std::uint32_t nsid = sqe.nsid();
  switch (cns) {
    case 0x00: {
      if (nsid == 0 || (nsid > TargetLimits::kNamespacesMax && nsid != 0xFFFFFFFF))
        return Outcome{sc::kInvalidNs | sc::kDnr};
      const Namespace* ns = find_ns(c, nsid);
      return Outcome{sc::kSuccess, 0, ns ? identify_namespace(*ns) : Bytes(kIdentifySize, 0)};  // inactive: zeros
    }
    case 0x01: return Outcome{sc::kSuccess, 0, identify_controller(c)};
    case 0x02: {  // active namespace list: nsids above `nsid`, ascending
      Bytes list(kIdentifySize, 0);
      std::size_t n = 0;
      for (const auto& ns : subsystems_[c.subsys]->namespaces) {
        if (ns->nsid > nsid && n < kIdentifySize / 4) put32(list.data() + 4 * n++, ns->nsid);
      }
      return Outcome{sc::kSuccess, 0, std::move(list)};
    }
    case 0x03: {  // namespace identification descriptors: NGUID, UUID, command set (NVM)
      const Namespace* ns = find_ns(c, nsid);
      if (!ns) return Outcome{sc::kInvalidNs | sc::kDnr};
      Bytes d(kIdentifySize, 0);
      std::uint8_t* p = d.data();
      p[0] = 0x02, p[1] = 16, std::memcpy(p + 4, ns->nguid.data(), 16), p += 20;
      p[0] = 0x03, p[1] = 16, std::memcpy(p + 4, ns->uuid.data(), 16), p += 20;
      p[0] = 0x04, p[1] = 1, p[4] = 0x00;
      return Outcome{sc::kSuccess, 0, std::move(d)};
    }
    default: return Outcome{sc::kInvalidField | sc::kDnr};
  }
}

Bytes LiveTarget::ana_log(const Controller& c, bool groups_only) const {
  const Subsystem& sub = *subsystems_[c.subsys];
  const sim::TargetPortState& port = model_.port(ports_[c.port].model_port);
  // The groups this port reports and the groups of the subsystem's namespaces, ascending.
  std::vector<std::uint32_t> groups;
  for (const auto& [g, st] : port.ana) groups.push_back(g);
  for (const auto& ns : sub.namespaces) groups.push_back(ns->grpid);
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  Bytes log(16, 0);
  put64(log.data(), ana_change_count_);
  put16(log.data() + 8, std::uint16_t(groups.size()));
  for (std::uint32_t g : groups) {
    std::vector<std::uint32_t> nsids;
    for (const auto& ns : sub.namespaces) {
      if (ns->grpid == g && !groups_only) nsids.push_back(ns->nsid);
    }
    const std::size_t at = log.size();
    log.resize(at + 32 + 4 * nsids.size(), 0);
    put32(log.data() + at, g);
    put32(log.data() + at + 4, std::uint32_t(nsids.size()));
    put64(log.data() + at + 8, ana_change_count_);
    log[at + 16] = ana_code(port.state(g));
    for (std::size_t i = 0; i < nsids.size(); ++i) put32(log.data() + at + 32 + 4 * i, nsids[i]);
  }
  return log;
}

Outcome LiveTarget::get_log_page(Controller& c, const Sqe& sqe) const {
  const std::uint32_t cdw10 = sqe.cdw(10);
  const std::uint8_t lid = std::uint8_t(cdw10 & 0xFF);
  const std::uint8_t lsp = std::uint8_t((cdw10 >> 8) & 0x7F);
  const bool retain_event = (cdw10 >> 15) & 1;
  const std::uint64_t dwords = ((std::uint64_t(sqe.cdw(11) & 0xFFFF) << 16) | (cdw10 >> 16)) + 1;
  const std::uint64_t offset = sqe.cdw(12) | std::uint64_t(sqe.cdw(13)) << 32;
  const std::uint64_t length = dwords * 4;
  if (length > TargetLimits::kMaxTransfer || offset % 4) return Outcome{sc::kInvalidField | sc::kDnr};
  Bytes page;
  switch (lid) {
    case kLogError: page.assign(64, 0); break;          // no error recorded
    case kLogSmart: page.assign(512, 0); put16(page.data() + 1, 273 + 25); break;  // composite temperature 25 C
    case kLogFirmware: page.assign(512, 0); page[0] = 1; put_padded(page.data() + 8, 8, "mpsim"); break;
    case kLogChangedNs: page.assign(4096, 0); break;    // namespaces never change
    case kLogAna:
      page = ana_log(c, (lsp & 1) != 0);                // LSP bit 0: RGO, groups only
      if (!retain_event && c.ana_event_masked) {
        c.ana_event_masked = false;
        hooks_.event("ana-log", ports_[c.port].name + "/cntlid" + std::to_string(c.cntlid), "read after the notice");
      }
      break;
    default: return Outcome{sc::kInvalidLog | sc::kDnr};
  }
  Bytes out(length, 0);
  if (offset < page.size())
    std::copy_n(page.begin() + std::ptrdiff_t(offset), std::min<std::uint64_t>(length, page.size() - offset), out.begin());
  return Outcome{sc::kSuccess, 0, std::move(out)};
}

Outcome LiveTarget::features(Controller& c, const Sqe& sqe) {
  const bool set = sqe.opcode() == opc::kSetFeatures;
  const std::uint8_t fid = std::uint8_t(sqe.cdw(10) & 0xFF);
  const std::uint32_t v = sqe.cdw(11);
  switch (fid) {
    case kFeatNumQueues:
      if (set) {
        if ((v & 0xFFFF) == 0xFFFF || (v >> 16) == 0xFFFF) return Outcome{sc::kInvalidField | sc::kDnr};
        c.io_queues = std::uint16_t(std::min<std::uint32_t>(TargetLimits::kMaxIoQueues,
                                                            std::min(v & 0xFFFF, v >> 16) + 1));
      }
      return Outcome{sc::kSuccess, std::uint32_t(c.io_queues - 1) * 0x10001u};
    case kFeatAsyncEvent:
      if (set) c.aec = v & kOaes;
      return Outcome{sc::kSuccess, c.aec};
    case kFeatKeepAlive:
      if (set) c.kato_ms = v;
      return Outcome{sc::kSuccess, c.kato_ms};
    default: return Outcome{sc::kInvalidField | sc::kDnr};
  }
}

Outcome LiveTarget::async_event(Controller& c, const QueueRef&, const Sqe& sqe) {
  if (c.aer_cids.size() > TargetLimits::kAerLimit) return Outcome{sc::kAerLimit | sc::kDnr};
  c.aer_cids.push_back(sqe.cid());
  Outcome held;
  held.held = true;
  if (!c.events.empty()) {  // an event waited for a request: answer this one now
    c.aer_cids.pop_back();
    held = Outcome{sc::kSuccess, c.events.front()};
    c.events.pop_front();
  }
  return held;
}

}  // namespace mpsim::live
