// libFuzzer target for the live engine's PDU and command parsing (issue 16 item 5): the fuzzer's
// bytes are what a hostile host sends on one connection. A Session over a LiveTarget on the
// loopback-2port fabric consumes them in chunks; the target must neither crash nor read out of
// bounds, and a refused stream must leave a reason. The first input byte chooses the start:
//   bit 0: a valid ICReq, admin Connect and CC.EN come first on the fuzzed connection, so the
//          fuzzer reaches the admin command handlers, not only the PDU checks;
//   bit 1: that preamble runs on another connection (controller cntlid 1) and the fuzzed one is
//          a second connection, where an I/O Connect to cntlid 1 opens an I/O queue (Read,
//          Write with R2T/H2CData, Flush).
// The second byte sets how the stream is split into receive() calls. The seeds
// (tests/fuzz/seeds/live_session/) are the live tests' host client's own streams, recorded by
// tests/sim/live/fuzz_seeds_test.cpp. `./mpsim fuzz live_session` runs it; ctest replays the seeds.
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "models/model_set.h"
#include "sim/live/pdu.h"
#include "sim/live/session.h"
#include "topologies/topology.h"

namespace {

using namespace mpsim::live;

struct SilentHooks final : TargetHooks {
  void complete_held(ConnId, const Cqe&) override {}
  void close_connection(ConnId, const std::string&) override {}
  void event(std::string_view, std::string_view, const std::string&) override {}
};

const mpsim::topology::Topology& fabric() {
  static const mpsim::topology::Topology topo = [] {
    auto t = mpsim::topology::load_topology_file(MPSIM_SOURCE_DIR "/topologies/loopback-2port.textproto");
    return t;
  }();
  return topo;
}

Bytes preamble() {
  Bytes b;
  append_icreq(b);
  Sqe connect;
  connect.b[0] = opc::kFabrics;
  connect.b[4] = opc::kFctConnect;
  put16(connect.b.data() + 44, 31);
  connect.b[39] = kSglInCapsule;
  put32(connect.b.data() + 32, 1024);
  Bytes data(1024, 0);
  put16(data.data() + 16, 0xFFFF);
  const char nqn[] = "nqn.2026-11.io.mpsim:loopback";
  std::memcpy(data.data() + 256, nqn, sizeof nqn - 1);
  const char host[] = "nqn.2014-08.org.nvmexpress:uuid:test-host";  // the live tests' host client's
  std::memcpy(data.data() + 512, host, sizeof host - 1);
  append_capsule_cmd(b, connect, data);
  Sqe enable;
  enable.b[0] = opc::kFabrics;
  enable.b[4] = opc::kFctPropertySet;
  put32(enable.b.data() + 44, prop::kCc);
  put64(enable.b.data() + 48, 1u | 6u << 16 | 4u << 20);
  append_capsule_cmd(b, enable, {});
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  static const mpsim::models::ModelSet models = mpsim::models::default_models();
  static SilentHooks hooks;
  LiveTarget target(fabric(), models, 1, 1u << 20, false, hooks);
  Session admin(target, 1, 0);
  Session session(target, 2, 0);
  const std::size_t chunk = 1 + data[1] % 97;  // varied splits of the byte stream
  if (data[0] & 3) {
    Session& s = data[0] & 2 ? admin : session;
    if (!s.receive(preamble(), 0)) throw std::logic_error("the valid preamble was refused: " + s.reason());
  }
  ByteSpan rest(data + 2, size - 2);
  for (std::size_t at = 0; at < rest.size(); at += chunk) {
    if (!session.receive(rest.subspan(at, std::min(chunk, rest.size() - at)), std::int64_t(at))) {
      if (session.reason().empty()) throw std::logic_error("refused without a reason");
      break;
    }
    session.release(std::int64_t(at) + 1'000'000'000);
    session.output().clear();
  }
  return 0;
}
