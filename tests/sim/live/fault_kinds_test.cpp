// The fault kinds beyond ANA, down and reset (issue 16 item 3): flaps, gray delay and random
// loss, through the live emulator's sockets, and the loss model's own rules.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "sim/live/lossy_stream.h"
#include "tests/sim/live/live_fixture.h"

using namespace mpsim::live;
using namespace mpsim::live::test;
using namespace std::chrono_literals;

namespace {

mpsim::sim::FaultSpec on_p1_link(std::string label, mpsim::sim::FaultKind kind, std::chrono::milliseconds at) {
  mpsim::sim::FaultSpec f;
  f.label = std::move(label);
  f.kind = std::move(kind);
  f.at = at;
  f.target = "nvmet.p1--loopback";  // the link plugged into p1
  return f;
}

// How long one Property Get takes through `h`.
std::chrono::steady_clock::duration timed_csts(HostClient& h) {
  const auto t0 = std::chrono::steady_clock::now();
  if ((h.property_get(prop::kCsts) & 1) != 1) throw std::runtime_error("CSTS.RDY lost");
  return std::chrono::steady_clock::now() - t0;
}

// Connects to `port` until it listens (a port that is down refuses), at most `within`.
std::unique_ptr<HostClient> connect_when_up(LiveFixture& f, int port, std::chrono::milliseconds within) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < within) {
    try {
      return f.client(port);
    } catch (const std::runtime_error&) {
      std::this_thread::yield();
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE("LossyStream: a lost chunk waits an RTO, RACK once data follows, a lost retransmission backs off") {
  const LossTiming timing = loss_timing(10e-6);  // 10 us links: a 20 us round trip
  CHECK(timing.rack_ns == 25'000);               // + min_rtt / 4
  std::mt19937_64 rng(1);
  LossyStream s;
  CHECK(s.offer(45, 0.0, 0, rng, timing));       // no loss: nothing held
  CHECK_FALSE(s.holding());
  CHECK_FALSE(s.offer(1, 1.0, 1'000, rng, timing));  // certain loss
  CHECK(s.due() == 1'000 + 200'000'000);             // a tail loss: the RTO floor
  CHECK_FALSE(s.offer(1, 0.0, 2'000, rng, timing));  // data behind it is held too, and lets RACK resend early
  CHECK(s.due() == 2'000 + 25'000);
  CHECK_FALSE(s.retransmit(1.0, s.due(), rng, timing));  // RACK's retransmission lost: the RTO finds it
  CHECK(s.due() == 27'000 + 200'000'000);
  CHECK_FALSE(s.retransmit(1.0, s.due(), rng, timing));  // lost again: backed off
  CHECK(s.due() == 200'027'000 + 400'000'000);
  CHECK(s.retransmit(0.0, s.due(), rng, timing));
  CHECK_FALSE(s.holding());
  CHECK(s.lost() == 3);
  // A chunk of n segments is lost with 1 - (1 - p)^n: 45 segments at 1 % -> 36 %.
  int lost = 0;
  for (int i = 0; i < 10'000; ++i) {
    LossyStream one;
    lost += one.offer(45, 0.01, 0, rng, timing) ? 0 : 1;
  }
  CHECK(lost == Approx(3'638).margin(300));
}

TEST_CASE("random loss on p1's link: answers through p1 wait for retransmissions, the loss count is logged") {
  LiveFixture f({on_p1_link("f1: loss on p1", mpsim::sim::faults::Loss{0.5, mpsim::sim::Duration{4s}}, 0ms)});
  auto a = f.client(0);
  enable_admin(*a);
  // A lone command's lost answer is a tail loss: nothing follows it, so only the RTO (>= 200 ms) resends it.
  bool retransmitted = false;
  const auto start = std::chrono::steady_clock::now();
  while (!retransmitted && std::chrono::steady_clock::now() - start < 3s) retransmitted = timed_csts(*a) >= 200ms;
  CHECK(retransmitted);
  auto other = f.client(1);  // p2's link loses nothing
  enable_admin(*other);
  f.stop();
  const std::string log = f.log.str();
  CHECK(log.find("fault nvmet.p1--loopback: f1: loss on p1 (loss 0.500000 per segment") != std::string::npos);
  CHECK(log.find("fault-skipped") == std::string::npos);
}

TEST_CASE("a loss fault's end logs how many transmissions the port lost, in events.csv's format with wall times") {
  const std::string events = (std::filesystem::temp_directory_path() /
                              ("mpsim-live-loss-" + std::to_string(::getpid()) + ".csv")).string();
  LiveFixture f({on_p1_link("f1: loss on p1", mpsim::sim::faults::Loss{1.0, mpsim::sim::Duration{300ms}}, 0ms)},
                64ull << 20, events);
  auto a = f.client(0);
  a->icreq();  // every segment lost: the ICResp comes only after the loss ends and a retransmission gets through
  Cqe c = a->connect(0, kNqn, 0xFFFF, 31, 5000);
  CHECK(c.status == 0);
  f.stop();
  const std::string log = f.log.str();
  const std::string end_line = "fault-end nvmet.p1--loopback: f1: loss on p1: ";
  const auto end = log.find(end_line);
  REQUIRE(end != std::string::npos);
  CHECK(std::stoi(log.substr(end + end_line.size())) >= 1);
  CHECK(log.find("transmissions lost on nvmet.p1") != std::string::npos);
  // The file: the simulator's events.csv header, then time_s (wall seconds since start, 6 decimals),kind,subject,detail.
  std::ifstream in(events);
  std::string header, line;
  std::getline(in, header);
  CHECK(header == "time_s,kind,subject,detail");
  bool loss_start = false, loss_end = false;
  const std::regex start_row(R"re(0\.\d{6},fault,nvmet\.p1--loopback,"f1: loss on p1 \(loss 1\.000000 per segment, both directions\)")re");  // quoted: a comma
  const std::regex end_row(R"(0\.(2|3|4)\d{5},fault-end,nvmet\.p1--loopback,f1: loss on p1: [1-9]\d* of \d+ transmissions lost on nvmet\.p1)");
  while (std::getline(in, line)) {
    loss_start = loss_start || std::regex_match(line, start_row);
    loss_end = loss_end || std::regex_match(line, end_row);  // at 0.3 s, read late by at most the loop
  }
  CHECK(loss_start);
  CHECK(loss_end);
  std::filesystem::remove(events);
}

TEST_CASE("a gray fault adds its delay to every completion through the port, not the other") {
  // latency 1 us x 150001: (factor - 1) x 2 x latency = 300 ms more per completion.
  LiveFixture f({on_p1_link("f1: gray p1", mpsim::sim::faults::Gray{150'001.0, 1.0, mpsim::sim::Duration{-1}}, 0ms)});
  auto a = f.client(0), b = f.client(1);
  enable_admin(*b);
  enable_admin(*a);
  CHECK(timed_csts(*a) >= 299ms);
  CHECK(timed_csts(*b) < 299ms);  // p2's completions wait for nothing
  f.stop();
  CHECK(f.log.str().find("f1: gray p1 (+") != std::string::npos);
  CHECK(f.log.str().find(" us per I/O on nvmet.p1)") != std::string::npos);
}

TEST_CASE("a flap takes the port down and up once per cycle: connections closed each time, reconnects between") {
  mpsim::sim::FaultSpec flap;
  flap.label = "f1: flap p1";
  flap.kind = mpsim::sim::faults::Flap{2, mpsim::sim::Duration{1200ms}, mpsim::sim::Detection::Immediate};
  flap.at = 300ms;
  flap.target = "nvmet.p1";
  LiveFixture f({flap});  // down 0.3-0.9 s and 1.5-2.1 s
  auto first = f.client(0);
  enable_admin(*first);
  CHECK(first->closed_by_target());
  auto second = connect_when_up(f, 0, 3000ms);  // listens again at 0.9 s
  REQUIRE(second);
  enable_admin(*second);
  CHECK(second->closed_by_target());  // the second cycle
  CHECK(connect_when_up(f, 0, 3000ms));
  f.stop();
  const std::string log = f.log.str();
  std::size_t downs = 0, ups = 0;
  for (std::size_t at = 0; (at = log.find("] fault nvmet.p1: f1: flap p1 (immediate", at)) != std::string::npos; ++at) ++downs;
  for (std::size_t at = 0; (at = log.find("] fault-end nvmet.p1: f1: flap p1", at)) != std::string::npos; ++at) ++ups;
  CHECK(downs == 2);
  CHECK(ups == 2);
}
