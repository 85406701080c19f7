// The fault schedule in wall time, and hostile input: what a host sees from the live engine.
#include <catch2/catch.hpp>

#include "sim/live/pdu.h"
#include "tests/sim/live/live_fixture.h"

using namespace mpsim::live;
using namespace mpsim::live::test;
using namespace std::chrono_literals;

namespace {

mpsim::sim::FaultSpec ana_change(const std::string& port, mpsim::topology::AnaState state, std::chrono::milliseconds at) {
  mpsim::sim::FaultSpec f;
  f.label = "f1: " + port + " group 1 " + mpsim::topology::ana_state_name(state);
  f.kind = mpsim::sim::faults::AnaChange{1, state, {}, mpsim::sim::Duration{-1}};
  f.at = at;
  f.target = port;
  return f;
}

mpsim::sim::FaultSpec p1_down(mpsim::sim::Detection detection, std::chrono::milliseconds duration) {
  mpsim::sim::FaultSpec f;
  f.label = "f1: nvmet.p1 down";
  f.kind = mpsim::sim::faults::Down{detection, mpsim::sim::Duration{duration}};
  f.at = 300ms;
  f.target = "nvmet.p1";
  return f;
}

}  // namespace

TEST_CASE("a scheduled ANA transition: AEN, the new state in the ANA log, 0x302 on that path only") {
  LiveFixture f({ana_change("nvmet.p1", mpsim::topology::INACCESSIBLE, 500ms)});
  auto admin0 = f.client(0), admin1 = f.client(1);
  const std::uint16_t cntlid = enable_admin(*admin0);
  enable_admin(*admin1);
  const std::uint64_t chgcnt_before = get64(admin0->get_log(0x0C, 4096), 0);
  REQUIRE(admin0->set_feature(0x0B, 1u << 11).status == 0);  // ANA change notices on
  admin0->submit_aer();
  auto io0 = f.client(0);
  io0->icreq();
  REQUIRE(io0->connect(1, kNqn, cntlid, 127).status == 0);

  const Cqe aen = admin0->next_async();  // blocks until the fault time
  CHECK(aen.status == 0);
  CHECK((aen.result & 0x7) == 0x2);            // notice
  CHECK(((aen.result >> 8) & 0xFF) == 0x03);   // ANA change
  CHECK(((aen.result >> 16) & 0xFF) == 0x0C);  // read the ANA log
  Bytes log = admin0->get_log(0x0C, 4096);
  CHECK(log[32] == 0x03);                      // inaccessible through p1
  CHECK(get64(log, 0) > chgcnt_before);
  CHECK(admin1->get_log(0x0C, 4096)[32] == 0x01);  // still optimized through p2
  Bytes in(4096);
  CHECK(io0->io(opc::kRead, 1, 0, 8, {}, &in).status == 0x302);  // no DNR: the host fails over
  f.stop();
  CHECK(f.log.str().find("ana nvmet.p1: group 1 inaccessible") != std::string::npos);
}

TEST_CASE("a malformed PDU closes only its own connection, with the reason logged") {
  LiveFixture f;
  auto good = f.client(0);
  enable_admin(*good);
  auto bad = f.client(0);
  bad->icreq();
  Bytes junk(72, 0);
  junk[0] = tcp::kCapsuleCmd;
  junk[2] = 40;  // wrong hlen
  put32(junk.data() + 4, 72);
  bad->send_raw(junk);
  CHECK(bad->closed_by_target());
  CHECK((good->property_get(prop::kCsts) & 1) == 1);  // the other connection still answers
  auto before_ic = f.client(1);
  Bytes capsule;
  append_capsule_cmd(capsule, HostClient::make_sqe(opc::kIdentify), {});
  before_ic->send_raw(capsule);  // a command before ICReq
  CHECK(before_ic->closed_by_target());
  f.stop();
  CHECK(f.protocol_errors == 2);
  CHECK(f.log.str().find("protocol error: hlen 40 for PDU type 4") != std::string::npos);
  CHECK(f.log.str().find("protocol error: PDU type 4 before ICReq") != std::string::npos);
}

TEST_CASE("port down IMMEDIATE closes its connections and refuses connects, up listens again") {
  LiveFixture f({p1_down(mpsim::sim::Detection::Immediate, 700ms)});
  auto a = f.client(0);
  enable_admin(*a);
  CHECK(a->closed_by_target());  // blocks until the fault closes it (5 s receive timeout otherwise)
  CHECK_THROWS(f.client(0));     // connection refused while down
  auto other = f.client(1);      // the other port is unaffected
  enable_admin(*other);
  std::unique_ptr<HostClient> back;  // the port listens again at 1 s
  const auto start = std::chrono::steady_clock::now();
  while (!back && std::chrono::steady_clock::now() - start < 3s) {
    try {
      back = f.client(0);
    } catch (const std::runtime_error&) {
      std::this_thread::yield();
    }
  }
  REQUIRE(back);
  CHECK(enable_admin(*back) >= 1);
  f.stop();
  CHECK(f.log.str().find("fault nvmet.p1: f1: nvmet.p1 down (immediate: connections closed)") != std::string::npos);
}

TEST_CASE("port down SILENT is a black hole: the connection stays open, answers wait for the port's return") {
  LiveFixture f({p1_down(mpsim::sim::Detection::Silent, 800ms)});
  auto a = f.client(0);
  enable_admin(*a);
  // Ask until one answer takes long: that command went into the black hole, and was answered
  // on the same connection once the port came back.
  bool held_back = false;
  const auto start = std::chrono::steady_clock::now();
  while (!held_back && std::chrono::steady_clock::now() - start < 3s) {
    const auto t0 = std::chrono::steady_clock::now();
    if ((a->property_get(prop::kCsts) & 1) != 1) FAIL("CSTS.RDY lost");
    held_back = std::chrono::steady_clock::now() - t0 > 200ms;
  }
  CHECK(held_back);
  f.stop();
  CHECK(f.log.str().find("(silent: black hole)") != std::string::npos);
  CHECK(f.log.str().find("disconnect") == std::string::npos);
}

TEST_CASE("a controller whose host sends nothing for KATO is dropped by the target's keep-alive timer") {
  LiveFixture f;
  auto a = f.client(0);
  a->icreq();
  REQUIRE(a->connect(0, kNqn, 0xFFFF, 31, 1000).status == 0);  // KATO 1 s, then silence
  CHECK(a->closed_by_target());
  f.stop();
  CHECK(f.log.str().find("keep-alive timer expired") != std::string::npos);
}

TEST_CASE("a target-side controller reset closes the controller's connections, a host-side reset is skipped") {
  mpsim::sim::FaultSpec reset;
  reset.label = "f1: reset guest/nvmet.p1";
  reset.kind = mpsim::sim::faults::ControllerReset{mpsim::sim::ResetSide::Target};
  reset.at = 300ms;
  reset.target = "guest/nvmet.p1";
  mpsim::sim::FaultSpec host_reset = reset;
  host_reset.label = "f2: host reset";
  host_reset.kind = mpsim::sim::faults::ControllerReset{mpsim::sim::ResetSide::Host};
  LiveFixture f({reset, host_reset});
  auto a = f.client(0), b = f.client(1);
  enable_admin(*a);
  enable_admin(*b);
  CHECK(a->closed_by_target());
  CHECK((b->property_get(prop::kCsts) & 1) == 1);
  f.stop();
  CHECK(f.log.str().find("gone: fatal error: f1: reset guest/nvmet.p1") != std::string::npos);
  CHECK(f.log.str().find("fault-skipped guest/nvmet.p1: f2: host reset") != std::string::npos);
}
