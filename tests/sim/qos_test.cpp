// Capacity and QoS models on their own: SPDK bdev QoS token buckets, blk-throttle (io.max),
// devices shared by namespaces in the target model.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "scenario_fixture.h"
#include "sim/blk_throttle.h"
#include "sim/spdk_qos.h"
#include "sim/target_model.h"

using namespace mpsim;
using namespace mpsim::sim;
using namespace mpsim::sim::testing;

namespace {
constexpr std::int64_t kMs = 1'000'000;
}

TEST_CASE("spdk qos: an IOPS limit admits its per-timeslice quota, then queues to the next slice", "[sim][qos]") {
  SpdkQos q(SpdkQosLimits{2000, 0, 0, 0});  // 2 I/O per 1 ms timeslice
  CHECK(q.max_per_timeslice(0) == 2);
  std::vector<std::int64_t> at;
  for (int i = 0; i < 5; ++i) at.push_back(q.admit(100, true, 4096));
  CHECK(at == std::vector<std::int64_t>{100, 100, 1 * kMs, 1 * kMs, 2 * kMs});
}

TEST_CASE("spdk qos: leftover quota is dropped at a timeslice, a deficit is carried", "[sim][qos]") {
  SpdkQos idle(SpdkQosLimits{10000, 0, 0, 0});  // 10 per slice; idle for 5 slices
  std::vector<std::int64_t> at;
  for (int i = 0; i < 12; ++i) at.push_back(idle.admit(5 * kMs + 10, true, 4096));
  CHECK(at[9] == 5 * kMs + 10);
  CHECK(at[10] == 6 * kMs);  // no saved-up quota from the idle slices
  // 1 MiB/s = 1048 bytes per slice; one 64 KiB I/O goes (quota > 0) and drives it to -64488,
  // so the next waits until the quota is positive again: 62 slices later.
  SpdkQos bytes(SpdkQosLimits{0, 1024 * 1024, 0, 0});
  CHECK(bytes.max_per_timeslice(1) == 1048);
  CHECK(bytes.admit(0, false, 65536) == 0);
  CHECK(bytes.admit(0, false, 4096) == 62 * kMs);
}

TEST_CASE("spdk qos: read and write byte limits apply to their direction only; minimums", "[sim][qos]") {
  SpdkQos q(SpdkQosLimits{0, 0, 0, 1024 * 1024});
  CHECK(q.admit(0, false, 8192) == 0);
  CHECK(q.admit(0, true, 8192) == 0);  // reads pass a write limit
  CHECK(q.admit(0, false, 8192) > 0);
  SpdkQos tiny(SpdkQosLimits{1, 1, 0, 0});  // rounded up to 1000 IOPS; bytes at 512 per slice
  CHECK(tiny.max_per_timeslice(0) == 1);
  CHECK(tiny.max_per_timeslice(1) == 512);
}

TEST_CASE("blk-throttle: riops spreads bios over the slice, queued FIFO, never failed", "[sim][qos]") {
  BlkThrottle t(100, 0, 0, 0, 100);  // riops=100 at HZ=100: one bio per jiffy (10 ms)
  std::vector<std::int64_t> at;
  for (int i = 0; i < 30; ++i) at.push_back(t.dispatch(0, true, 4096));
  // A slice is HZ/10 jiffies (100 ms): io_allowed over the elapsed time rounded up to whole
  // slices lets 10 bios go at once, the rest wait a slice each (tg_within_iops_limit).
  CHECK(std::is_sorted(at.begin(), at.end()));
  CHECK(at[9] == 0);
  CHECK(at[10] == 100 * kMs);
  CHECK(at[19] == 100 * kMs);
  CHECK(at[29] == 200 * kMs);
  CHECK(t.dispatch(0, false, 4096) == 0);  // writes are not limited
}

TEST_CASE("blk-throttle: rbps holds a long run of 128k bios to the limit", "[sim][qos]") {
  const std::uint64_t bps = 10 * 1024 * 1024;
  BlkThrottle t(0, 0, bps, 0, 250);
  std::int64_t now = 0, last = 0;
  const int n = 400;  // 50 MiB: five seconds at 10 MiB/s
  for (int i = 0; i < n; ++i) last = t.dispatch(now, true, 131072);
  const double rate = double(n) * 131072 / (double(last) / 1e9);
  CHECK(rate == Approx(double(bps)).epsilon(0.05));
}

TEST_CASE("target model: namespaces on one device share its units; others keep their own", "[sim][qos]") {
  std::string text = two_path_topology();
  replace_all(text, "target_nodes { name: \"t0\" cpus: 16", "target_nodes { name: \"t0\" cpus: 16 devices { name: \"d0\" media: \"m1\" }");
  replace_all(text, "namespaces { nsid: 1 size: \"1TiB\" ana_grpid: 1 media: \"nand-tlc-gen4\" }",
              "namespaces { nsid: 1 size: \"1TiB\" ana_grpid: 1 device: \"t0.d0\" } "
              "namespaces { nsid: 2 size: \"1TiB\" ana_grpid: 1 device: \"t0.d0\" } "
              "namespaces { nsid: 3 size: \"1TiB\" ana_grpid: 1 media: \"m1\" }");
  const auto topo = parse(text);
  auto models = models::default_models();
  models.media["m1"] = models::MediaParams{80, 20, 0, 1, 7e9, 4e9};  // one unit, constant 80 us reads
  TargetModel t(topo, models, 1);
  const std::uint32_t a = t.channel(t.media_of("nqn.test:s1", 1, ""), "nqn.test:s1", 1, "h0");
  const std::uint32_t b = t.channel(t.media_of("nqn.test:s1", 2, ""), "nqn.test:s1", 2, "h0");
  const std::uint32_t c = t.channel(t.media_of("nqn.test:s1", 3, "m1"), "nqn.test:s1", 3, "h0");
  CHECK(t.serve_media(a, 0, true, 4096) == 80'000);
  CHECK(t.serve_media(b, 0, true, 4096) == 160'000);  // waited for the device's one unit
  CHECK(t.serve_media(c, 0, true, 4096) == 80'000);   // its own media
}

TEST_CASE("target model: a device's transfers share its bandwidth", "[sim][qos]") {
  std::string text = two_path_topology();
  replace_all(text, "target_nodes { name: \"t0\" cpus: 16", "target_nodes { name: \"t0\" cpus: 16 devices { name: \"d0\" media: \"m8\" }");
  replace_all(text, "media: \"nand-tlc-gen4\" }", "device: \"t0.d0\" }");
  auto models = models::default_models();
  models.media["m8"] = models::MediaParams{80, 20, 0, 8, 1e9, 1e9};  // 8 units, 1 GB/s
  TargetModel t(parse(text), models, 1);
  const std::uint32_t ch = t.channel(t.media_of("nqn.test:s1", 1, ""), "nqn.test:s1", 1, "h0");
  // Two 1 MB + 4 KiB writes at once: both accessed by 20 us, the second's transfer waits for the first's.
  CHECK(t.serve_media(ch, 0, false, 1'000'000 + 4096) == 20'000 + 1'000'000);
  CHECK(t.serve_media(ch, 0, false, 1'000'000 + 4096) == 20'000 + 2'000'000);
}

TEST_CASE("target model: SPDK QoS per namespace and per host-namespace pair", "[sim][qos]") {
  auto models = models::default_models();
  models.media["nand-tlc-gen4"].latency_cv = 0;
  TargetModel t(parse(two_path_topology()), models, 1);
  t.set_qos({TargetQosSpec{"nqn.test:s1", 1, "h0", SpdkQosLimits{1000, 0, 0, 0}}});
  const std::uint32_t m = t.media_of("nqn.test:s1", 1, "nand-tlc-gen4");
  const std::uint32_t h0 = t.channel(m, "nqn.test:s1", 1, "h0");
  const std::uint32_t h1 = t.channel(m, "nqn.test:s1", 1, "h1");
  CHECK(t.admit(h0, 0, true, 4096) == 0);
  CHECK(t.admit(h0, 0, true, 4096) == kMs);  // the pair's one I/O per slice
  CHECK(t.admit(h1, 0, true, 4096) == 0);    // another host's I/O is not limited
  CHECK(t.serve_media(h0, kMs, true, 4096) == kMs + 80'000);
  CHECK(t.capacity().throttled_ns(h0) == kMs);
  CHECK(t.capacity().throttled_ios(h0) == 1);
}
