// A running emulator on the loopback-2port fabric for the live tests: its loop on a thread, its
// two ports on 127.0.0.1 and 127.0.0.2 with kernel-chosen TCP ports (tests run in parallel).
#pragma once

#include <functional>
#include <memory>
#include <sstream>
#include <thread>

#include "models/model_set.h"
#include "sim/live/emulator.h"
#include "tests/sim/live/host_client.h"
#include "topologies/topology.h"

namespace mpsim::live::test {

inline constexpr const char* kNqn = "nqn.2026-11.io.mpsim:loopback";

struct LiveFixture {
  sim::Scenario scenario;
  std::ostringstream log;
  std::unique_ptr<Emulator> emulator;
  std::thread loop;
  int protocol_errors = -1;

  explicit LiveFixture(std::vector<sim::FaultSpec> faults = {}, std::uint64_t memory = 64ull << 20,
                       std::string events_csv = "",
                       const std::function<void(sim::Scenario&, EmulatorOptions&)>& adjust = {}) {
    scenario.topology = topology::load_topology_file(MPSIM_SOURCE_DIR "/topologies/loopback-2port.textproto");
    int i = 1;
    for (auto& port : *scenario.topology.mutable_target_nodes(0)->mutable_ports()) {
      port.set_traddr("10.0.0." + std::to_string(i++));  // mapped to 127.0.0.1, 127.0.0.2
      port.set_trsvcid(0);
    }
    scenario.models = models::default_models();
    scenario.seed = 1;
    scenario.faults = std::move(faults);
    EmulatorOptions opt;
    opt.memory_limit = memory;
    opt.events_csv = std::move(events_csv);
    if (adjust) adjust(scenario, opt);
    emulator = std::make_unique<Emulator>(scenario, opt, log);
    emulator->start();
    loop = std::thread([this] { protocol_errors = emulator->run(); });
  }
  ~LiveFixture() { stop(); }
  void stop() {
    if (!loop.joinable()) return;
    emulator->stop();
    loop.join();
  }
  const ListenAddress& address(int port) const { return emulator->addresses()[std::size_t(port)]; }
  std::unique_ptr<HostClient> client(int port) const {
    return std::make_unique<HostClient>(address(port).address, address(port).trsvcid);
  }
};

// ICReq, admin Connect, CC.EN = 1 with 64/16-byte entries; returns the cntlid.
inline std::uint16_t enable_admin(HostClient& h) {
  h.icreq();
  Cqe c = h.connect(0, kNqn, 0xFFFF, 31, 5000);
  if (c.status != 0) throw std::runtime_error("admin connect failed");
  h.property_set(prop::kCc, 1u | 6u << 16 | 4u << 20);
  return std::uint16_t(c.result);
}

}  // namespace mpsim::live::test
