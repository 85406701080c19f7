// libFuzzer target for the live engine's PDU and command parsing (issue 16 item 5): the fuzzer's
// bytes are what a hostile host sends on one connection. A Session over a LiveTarget on the
// loopback-2port fabric consumes them in chunks; the target must neither crash nor read out of
// bounds, and a refused stream must leave a reason. With the first input byte's bit 0 set, a
// valid ICReq and admin Connect (and CC.EN) come first, so the fuzzer reaches the admin and I/O
// command handlers, not only the PDU checks.
//
// Build (clang): clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//   tests/fuzz/live_session_fuzz.cpp <mpsim_live, mpsim_sim and their dependencies>
// or through the project's fuzz harness (tests/fuzz/) once it exists on main.
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
  Session session(target, 1, 0);
  const std::size_t chunk = 1 + data[1] % 97;  // varied splits of the byte stream
  if (data[0] & 1) {
    Bytes pre = preamble();
    if (!session.receive(pre, 0)) throw std::logic_error("the valid preamble was refused: " + session.reason());
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
