// The live_session fuzz target's seed corpus (tests/fuzz/seeds/live_session/) is what the live
// tests' host client sends: an admin queue's whole conversation and an I/O queue's (in-capsule
// and R2T writes, reads, flush), recorded against a running emulator. This test records them
// again and checks the files still hold exactly those bytes, so the seeds stay valid PDUs as the
// client and the target change. MPSIM_WRITE_FUZZ_SEEDS=1 rewrites the files instead.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/sim/live/live_fixture.h"

using namespace mpsim::live;
using namespace mpsim::live::test;

namespace {

namespace fs = std::filesystem;

Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = std::uint8_t(seed ^ (i * 13));
  return b;
}

struct Recorded {
  Bytes admin, io;
};

// The first connection's admin conversation, then a second connection's I/O queue. Every
// command must succeed: a seed is a stream the target accepts whole.
Recorded record_streams() {
  LiveFixture f;
  Recorded r;
  auto admin = f.client(0);
  admin->record_to(&r.admin);
  const std::uint16_t cntlid = enable_admin(*admin);
  REQUIRE(cntlid == 1);  // the fuzz target's own admin preamble gets cntlid 1 too
  CHECK(admin->property_get(prop::kCap, true) != 0);
  CHECK(admin->identify(1, 0).size() == 4096);       // controller
  CHECK(admin->identify(0, 1).size() == 4096);       // namespace 1
  CHECK(admin->identify(2, 0).size() == 4096);       // active namespace list
  CHECK(admin->identify(3, 1).size() == 4096);       // namespace identification descriptors
  CHECK(admin->set_feature(0x07, 0x00030003).status == 0);  // number of queues
  CHECK(admin->set_feature(0x0B, 0x00000900).status == 0);  // async event config: ANA + namespace notices
  CHECK(admin->get_log(0x0C, 4096).size() == 4096);  // ANA
  CHECK(admin->get_log(0x02, 512).size() == 512);    // SMART
  CHECK(admin->get_log(0x01, 64).size() == 64);      // error
  admin->submit_aer();
  CHECK(admin->command(HostClient::make_sqe(0x18)).status == 0);  // keep alive
  admin->record_to(nullptr);

  auto io = f.client(0);
  io->record_to(&r.io);
  io->icreq();
  REQUIRE(io->connect(1, kNqn, cntlid, 31).status == 0);
  const Bytes small = pattern(4096, 5), large = pattern(16384, 9);
  CHECK(io->io(opc::kWrite, 1, 16, 8, small).status == 0);
  CHECK(io->io(opc::kWrite, 1, 64, 32, large, nullptr, false).status == 0);  // R2T + H2CData
  Bytes back(16384);
  CHECK(io->io(opc::kRead, 1, 64, 32, {}, &back).status == 0);
  CHECK(back == large);
  Bytes zeros(4096);
  CHECK(io->io(opc::kRead, 1, 4096, 8, {}, &zeros).status == 0);
  CHECK(io->io(opc::kFlush, 1, 0, 1).status == 0);
  io->record_to(nullptr);
  f.stop();
  CHECK(f.protocol_errors == 0);
  return r;
}

Bytes read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("the live_session fuzz seeds are the live test client's streams, byte for byte") {
  const Recorded r = record_streams();
  REQUIRE(!r.admin.empty());
  REQUIRE(!r.io.empty());
  // File name -> (mode byte, chunk byte, stream): mode 0 = the stream from its ICReq on a fresh
  // connection; mode 2 = a second connection after the fuzz target's admin preamble (cntlid 1).
  // Chunk bytes 0, 6 and 96 split the stream into receive() calls of 1, 7 and 97 bytes.
  struct Seed {
    const char* name;
    std::uint8_t mode, chunk;
    const Bytes* stream;
  };
  const Seed seeds[] = {{"admin-1.bin", 0, 0, &r.admin},  {"admin-7.bin", 0, 6, &r.admin}, {"admin-97.bin", 0, 96, &r.admin},
                        {"io-1.bin", 2, 0, &r.io},        {"io-7.bin", 2, 6, &r.io},       {"io-97.bin", 2, 96, &r.io}};
  const fs::path dir = fs::path(MPSIM_SOURCE_DIR) / "tests/fuzz/seeds/live_session";
  const bool write = std::getenv("MPSIM_WRITE_FUZZ_SEEDS") != nullptr;
  if (write) fs::create_directories(dir);
  for (const Seed& s : seeds) {
    Bytes expected{s.mode, s.chunk};
    expected.insert(expected.end(), s.stream->begin(), s.stream->end());
    INFO(s.name);
    if (write) {
      std::ofstream(dir / s.name, std::ios::binary).write(reinterpret_cast<const char*>(expected.data()),
                                                          std::streamsize(expected.size()));
    }
    CHECK(read_bytes(dir / s.name) == expected);
  }
}
