// Issue 16 items 1 and 5 beyond the protocol: where the emulator listens, and what one
// connection may hold (commands in progress bounded by its queue size).
#include <catch2/catch.hpp>

#include "sim/live/pdu.h"
#include "tests/sim/live/live_fixture.h"

using namespace mpsim::live;
using namespace mpsim::live::test;

TEST_CASE("listen addresses: loopback by default (127.x kept, others mapped in order), traddr as written on request") {
  std::vector<LivePort> ports(4);
  ports[0].name = "t.p1", ports[0].traddr = "10.0.0.1", ports[0].trsvcid = 4420;
  ports[1].name = "t.p2", ports[1].traddr = "127.0.0.1", ports[1].trsvcid = 4421;
  ports[2].name = "t.p3", ports[2].traddr = "10.0.0.3", ports[2].trsvcid = 4422;
  ports[3].name = "t.p4", ports[3].traddr = "10.0.0.1", ports[3].trsvcid = 4423;  // same address, same mapping
  const auto loop = listen_addresses(ports, false);
  CHECK(loop[0].address == "127.0.0.2");  // 127.0.0.1 is a port's own
  CHECK(loop[1].address == "127.0.0.1");
  CHECK(loop[2].address == "127.0.0.3");
  CHECK(loop[3].address == "127.0.0.2");
  CHECK(loop[3].trsvcid == 4423);
  const auto real = listen_addresses(ports, true);
  CHECK(real[0].address == "10.0.0.1");
  CHECK(real[2].address == "10.0.0.3");
}

TEST_CASE("a connection holds at most sqsize + 1 commands: one more closes it, not the others") {
  LiveFixture f;
  auto admin = f.client(0);
  const std::uint16_t cntlid = enable_admin(*admin);
  auto io = f.client(0);
  io->icreq();
  REQUIRE(io->connect(1, kNqn, cntlid, 3).status == 0);  // 4 entries
  // Writes whose data waits for an R2T the host never answers stay in progress: 64 KiB each.
  Bytes capsules;
  for (std::uint16_t cid = 100; cid < 105; ++cid) {
    Sqe s = HostClient::make_sqe(opc::kWrite, 1);
    put16(s.b.data() + 2, cid);
    put64(s.b.data() + 40, std::uint64_t(cid) * 128);
    put32(s.b.data() + 48, 127);
    put32(s.b.data() + 32, 65536);
    s.b[39] = kSglTransport;
    append_capsule_cmd(capsules, s, {});
  }
  io->send_raw(capsules);
  // Past the four R2Ts (24 bytes each) the stream ends: closed_by_target() reads a byte at a time
  // and is false for each byte read, and for the receive timeout.
  bool closed = false;
  for (int byte = 0; byte <= 4 * 24 && !closed; ++byte) closed = io->closed_by_target();
  CHECK(closed);
  CHECK((admin->property_get(prop::kCsts) & 1) == 1);  // the controller's admin queue is unaffected
  f.stop();
  CHECK(f.protocol_errors == 1);
  CHECK(f.log.str().find("protocol error: more than 4 commands outstanding (queue size)") != std::string::npos);
}
