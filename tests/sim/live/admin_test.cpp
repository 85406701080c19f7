// The live engine's admin path against a running emulator: what a Linux host reads before it
// creates a multipath head (drivers/nvme/host/core.c nvme_init_identify, multipath.c
// nvme_mpath_init_identify).
#include <catch2/catch.hpp>

#include "tests/sim/live/live_fixture.h"

using namespace mpsim::live;
using namespace mpsim::live::test;

TEST_CASE("ICResp: PFV 1.0, no CPDA, no digests, a usable MAXH2CDATA") {
  LiveFixture f;
  auto h = f.client(0);
  const std::uint32_t maxh2c = h->icreq();
  CHECK(maxh2c >= 4096);
  CHECK(maxh2c % 4 == 0);
}

TEST_CASE("admin connect gives each controller of the subsystem its own cntlid, on either port") {
  LiveFixture f;
  auto a = f.client(0), b = f.client(1);
  const std::uint16_t ca = enable_admin(*a), cb = enable_admin(*b);
  CHECK(ca != cb);
  CHECK(ca >= 1);
  CHECK(ca <= 0xFFEF);
  SECTION("properties: CAP, VS, CSTS.RDY after CC.EN, shutdown complete after CC.SHN") {
    const std::uint64_t cap = a->property_get(prop::kCap, true);
    CHECK((cap & 0xFFFF) + 1 == TargetLimits::kMaxQueueEntries);
    CHECK(((cap >> 37) & 1) == 1);  // NVM command set
    CHECK(a->property_get(prop::kVs) == kVersion13);
    CHECK((a->property_get(prop::kCsts) & 1) == 1);
    CHECK(a->property_set(prop::kCc, 1u | 6u << 16 | 4u << 20 | 1u << 14).status == 0);
    CHECK(((a->property_get(prop::kCsts) >> 2) & 3) == 2);
  }
  SECTION("Identify Controller: multipath, ANA and fabrics fields") {
    Bytes id = a->identify(0x01, 0);
    CHECK(id[76] == 0x0B);                         // CMIC multi-port, multi-controller, ANA
    CHECK(get16(id, 78) == ca);                    // CNTLID
    CHECK(id[77] == TargetLimits::kMdts);
    CHECK(((get32(id, 96) >> 6) & 1) == 1);        // CTRATT.TBKAS
    CHECK(id[342] == 10);                          // ANATT: nvmet's default
    CHECK(id[343] == 0x1F);                        // ANACAP
    CHECK(get32(id, 344) == 128);                  // ANAGRPMAX
    CHECK(get32(id, 348) == 128);                  // NANAGRPID
    CHECK(get32(id, 540) >= 1);                    // MNAN
    CHECK(get32(id, 540) <= get32(id, 516));       // MNAN <= NN (nvme_mpath_init_identify)
    CHECK((get32(id, 536) & 3) != 0);              // SGLS supported
    CHECK(get32(id, 1792) * 16 == 64 + TargetLimits::kInlineData);  // IOCCSZ
    CHECK(get32(id, 1796) == 1);                   // IORCSZ
    CHECK(std::string(reinterpret_cast<const char*>(id.data() + 768)) == kNqn);
    CHECK(std::string(reinterpret_cast<const char*>(id.data() + 4), 20) ==
          std::string(reinterpret_cast<const char*>(b->identify(0x01, 0).data() + 4), 20));  // one serial
  }
  SECTION("Identify Namespace: shared, its ANA group, the same NGUID and UUID on both paths") {
    Bytes na = a->identify(0x00, 1), nb = b->identify(0x00, 1);
    CHECK(get64(na, 0) == (1ull << 30) / 512);     // NSZE: 1 GiB of 512-byte blocks
    CHECK(na[30] == 1);                            // NMIC shared
    CHECK(get32(na, 92) == 1);                     // ANAGRPID
    CHECK(std::equal(na.begin() + 104, na.begin() + 120, nb.begin() + 104));
    Bytes da = a->identify(0x03, 1), db = b->identify(0x03, 1);
    CHECK(da == db);
    CHECK(da[0] == 0x02);                          // NGUID descriptor first
    CHECK(std::equal(da.begin() + 4, da.begin() + 20, na.begin() + 104));
    CHECK(da[20] == 0x03);                         // then the UUID
    Bytes list = a->identify(0x02, 0);
    CHECK(get32(list, 0) == 1);
    CHECK(get32(list, 4) == 0);
  }
  SECTION("features: number of queues, keep-alive timer, async event configuration") {
    Cqe q = a->set_feature(0x07, 3u | 3u << 16);
    CHECK(q.status == 0);
    CHECK(q.result == (3u | 3u << 16));
    CHECK(a->set_feature(0x0F, 15000).status == 0);
    CHECK(a->set_feature(0x0B, 1u << 11).status == 0);
    CHECK(a->set_feature(0x42, 0).status == (sc::kInvalidField | sc::kDnr));
  }
  SECTION("ANA log: one group, optimized, with its namespace; RGO leaves the namespace lists out") {
    Bytes log = a->get_log(0x0C, 4096);
    CHECK(get16(log, 8) == 1);                     // NGRPS
    CHECK(get32(log, 16) == 1);                    // grpid
    CHECK(get32(log, 20) == 1);                    // nnsids
    CHECK(log[16 + 16] == 0x01);                   // optimized
    CHECK(get32(log, 48) == 1);                    // nsid 1
    Bytes rgo = a->get_log(0x0C, 4096, 1);
    CHECK(get32(rgo, 20) == 0);
  }
}

TEST_CASE("an I/O queue connects to its controller by cntlid, an unknown cntlid is refused") {
  LiveFixture f;
  auto admin = f.client(0);
  const std::uint16_t cntlid = enable_admin(*admin);
  auto io = f.client(0);
  io->icreq();
  CHECK(io->connect(1, kNqn, cntlid, 127).status == 0);
  auto other = f.client(0);
  other->icreq();
  CHECK(other->connect(1, kNqn, std::uint16_t(cntlid + 100), 127).status == (sc::kConnectInvalidParam | sc::kDnr));
  auto wrong = f.client(0);
  wrong->icreq();
  CHECK(wrong->connect(0, "nqn.not-here", 0xFFFF).status == (sc::kConnectInvalidParam | sc::kDnr));
}

TEST_CASE("log pages a Linux host reads: error, SMART / health, changed namespaces, each accepted with its size") {
  LiveFixture f;
  auto a = f.client(0);
  enable_admin(*a);
  const Bytes error = a->get_log(0x01, 64);             // one error information entry
  CHECK(std::all_of(error.begin(), error.end(), [](std::uint8_t b) { return b == 0; }));  // no error logged
  const Bytes smart = a->get_log(0x02, 512);
  CHECK(smart[0] == 0);                                 // no critical warning
  CHECK(get16(smart, 1) > 273);                         // composite temperature in kelvin, above 0 C
  const Bytes changed = a->get_log(0x04, 4096);         // changed namespace list
  CHECK(get32(changed, 0) <= 1024);
}
