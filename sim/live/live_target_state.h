// LiveTarget's inner records, shared by its source files (live_target.cpp, admin_commands.cpp,
// io_commands.cpp); not part of its interface.
#pragma once

#include <array>
#include <deque>
#include <string>
#include <vector>

#include "sim/live/live_target.h"

namespace mpsim::live {

struct LiveTarget::Namespace {
  std::uint32_t nsid = 0;
  std::uint32_t grpid = 0;
  std::uint64_t blocks = 0;                 // of TargetLimits::kBlockSize bytes
  std::array<std::uint8_t, 16> nguid{};     // the same on every path: derived from (nqn, nsid)
  std::array<std::uint8_t, 16> uuid{};
  std::uint32_t media = 0;                  // sim::TargetModel channel (its media queue)
  SparseStore store;
};

struct LiveTarget::Subsystem {
  std::string nqn;
  std::string serial;                       // 20 characters, the same for every controller
  std::uint8_t anatt_s = 10;
  std::vector<std::uint32_t> ports;
  std::vector<std::unique_ptr<Namespace>> namespaces;  // by nsid
  std::uint16_t next_cntlid = 1;
};

struct LiveTarget::Controller {
  std::uint32_t id = 0;
  std::uint16_t cntlid = 0;
  std::uint32_t subsys = 0;
  std::uint32_t port = 0;
  std::string hostnqn;
  std::uint32_t cc = 0, csts = 0, aec = 0, kato_ms = 0;
  std::uint16_t io_queues = TargetLimits::kMaxIoQueues;
  std::int64_t last_seen_ns = 0;
  ConnId admin_conn = 0;
  std::vector<ConnId> io_conns;
  std::deque<std::uint32_t> events;         // asynchronous events not yet reported (dw0)
  std::vector<std::uint16_t> aer_cids;      // Asynchronous Event Requests waiting
  bool ana_event_masked = false;            // reported, ANA log not read since (nvmet's aen_masked)
};

// Asynchronous event dw0: type notice (2), information ANA change (3), log page 0x0C.
inline constexpr std::uint32_t kAenAnaChange = 0x2u | 0x03u << 8 | 0x0Cu << 16;
inline constexpr std::uint32_t kAecAnaChange = 1u << 11;   // Set Features 0x0B bit
inline constexpr std::uint32_t kOaes = 1u << 8 | 1u << 11; // namespace attribute and ANA change notices

}  // namespace mpsim::live
