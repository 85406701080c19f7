// Data through the live engine: in-capsule and R2T writes, C2H reads, RAM-backed and sparse.
#include <catch2/catch.hpp>

#include <numeric>

#include "sim/live/sparse_store.h"
#include "tests/sim/live/live_fixture.h"

using namespace mpsim::live;
using namespace mpsim::live::test;

namespace {

std::unique_ptr<HostClient> io_queue(LiveFixture& f, int port, HostClient& admin) {
  const std::uint16_t cntlid = enable_admin(admin);
  auto io = f.client(port);
  io->icreq();
  if (io->connect(1, kNqn, cntlid, 127).status != 0) throw std::runtime_error("I/O connect failed");
  return io;
}

Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = std::uint8_t(seed + i * 7 + (i >> 9));
  return b;
}

}  // namespace

TEST_CASE("writes round-trip through RAM: in-capsule 4 KiB, 64 KiB by R2T, read back on the other path") {
  LiveFixture f;
  auto admin0 = f.client(0), admin1 = f.client(1);
  auto io0 = io_queue(f, 0, *admin0);
  auto io1 = io_queue(f, 1, *admin1);
  const Bytes small = pattern(4096, 3), large = pattern(65536, 11);
  CHECK(io0->io(opc::kWrite, 1, 8, 8, small).status == 0);
  CHECK(io0->io(opc::kWrite, 1, 1000, 128, large, nullptr, false).status == 0);  // data on the R2T
  Bytes back_small(4096), back_large(65536);
  CHECK(io1->io(opc::kRead, 1, 8, 8, {}, &back_small).status == 0);
  CHECK(io1->io(opc::kRead, 1, 1000, 128, {}, &back_large).status == 0);
  CHECK(back_small == small);
  CHECK(back_large == large);
  Bytes never(4096, 0xFF);
  CHECK(io1->io(opc::kRead, 1, 1u << 20, 8, {}, &never).status == 0);
  CHECK(std::all_of(never.begin(), never.end(), [](std::uint8_t b) { return b == 0; }));
  CHECK(io0->io(opc::kFlush, 1, 0, 1).status == 0);
  SECTION("out of range and unknown namespace are refused with DNR") {
    Bytes in(4096);
    CHECK(io0->io(opc::kRead, 1, (1ull << 30) / 512 - 4, 8, {}, &in).status == (sc::kLbaRange | sc::kDnr));
    CHECK(io0->io(opc::kRead, 7, 0, 8, {}, &in).status == (sc::kInvalidNs | sc::kDnr));
  }
}

TEST_CASE("namespace memory is bounded: a write past the budget fails and changes nothing") {
  LiveFixture f({}, 2 * kPageSize);
  auto admin = f.client(0);
  auto io = io_queue(f, 0, *admin);
  CHECK(io->io(opc::kWrite, 1, 0, 8, pattern(4096, 1)).status == 0);
  CHECK(io->io(opc::kWrite, 1, 80, 16, pattern(8192, 2)).status == (sc::kCapacityExceeded | sc::kDnr));
  CHECK(io->io(opc::kWrite, 1, 8, 8, pattern(4096, 3)).status == 0);  // the second page still fits
  Bytes in(4096, 0xFF);
  CHECK(io->io(opc::kRead, 1, 80, 8, {}, &in).status == 0);
  CHECK(std::all_of(in.begin(), in.end(), [](std::uint8_t b) { return b == 0; }));
}

TEST_CASE("SparseStore: unaligned writes across pages, zeros where never written") {
  MemoryBudget budget(16 * kPageSize);
  SparseStore s(1 << 20, budget);
  Bytes data(5000);
  std::iota(data.begin(), data.end(), std::uint8_t{1});
  REQUIRE(s.write(4000, data));
  CHECK(s.pages() == 3);
  CHECK(budget.used() == 3 * kPageSize);
  Bytes back(5200);
  s.read(3900, back);
  CHECK(std::all_of(back.begin(), back.begin() + 100, [](std::uint8_t b) { return b == 0; }));
  CHECK(std::equal(data.begin(), data.end(), back.begin() + 100));
}

TEST_CASE("modelled service times (--model-delay): an I/O completes after the models' media service time, in wall time") {
  // A medium of 250 ms per read, without spread: the completion cannot come sooner.
  LiveFixture f({}, 64ull << 20, "", [](mpsim::sim::Scenario& s, EmulatorOptions& opt) {
    mpsim::models::MediaParams& m = s.models.media.at("nand-tlc-gen4");
    m.read_latency_us = 250'000;
    m.latency_cv = 0;
    opt.apply_models = true;
  });
  auto admin = f.client(0);
  auto io = io_queue(f, 0, *admin);
  Bytes in(4096);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(io->io(opc::kRead, 1, 0, 8, {}, &in).status == 0);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(250));
  const auto t1 = std::chrono::steady_clock::now();  // admin commands are not the media's
  CHECK((admin->property_get(prop::kCsts) & 1) == 1);
  CHECK(std::chrono::steady_clock::now() - t1 < std::chrono::milliseconds(250));
}
