// Scenario -> guest plan -> guest init: the configfs/netem/debugfs actions the real guest will
// perform, at the times the experiment asks for. No guest is booted here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "experiments/experiment_loader.h"
#include "scenario_file.h"
#include "validate/guest_plan.h"
#include "validate/guest_script.h"

using namespace mpsim;
using namespace std::chrono_literals;

namespace {

using validate::testing::load;

std::vector<std::string> commands_at(const validate::GuestPlan& plan, std::int64_t at_ms) {
  std::vector<std::string> out;
  for (const auto& a : plan.actions) {
    if (a.at_ms == at_ms) out.push_back(a.command);
  }
  return out;
}

}  // namespace

TEST_CASE("steady scenario: two connected loopback ports in connection order, iopolicy, fio job", "[validate][plan]") {
  auto plan = validate::plan_guest(load("validate/scenarios/steady-opt-nonopt-qd.textproto"));
  REQUIRE(plan.ports.size() == 2);
  CHECK(plan.ports[0].name == "nvmet.p1");
  CHECK(plan.ports[0].key == "nvmet_p1");
  CHECK(plan.ports[0].trsvcid == 4420);
  CHECK(plan.ports[1].ana == std::vector<std::pair<std::uint32_t, std::string>>{{1, "non-optimized"}});
  CHECK(plan.ports[1].connected);
  CHECK(plan.iopolicy == "queue-depth");
  CHECK(plan.net == validate::GuestNet::Loopback);
  CHECK(plan.actions.empty());
  CHECK(plan.run_ms == 2000);
  REQUIRE(plan.fio_jobs.size() == 1);
  const auto& job = plan.fio_jobs[0];
  CHECK(std::find(job.begin(), job.end(), "--iodepth=16") != job.end());
  CHECK(std::find(job.begin(), job.end(), "--runtime=2000ms") != job.end());
  CHECK(std::find(job.begin(), job.end(), "--filename=/dev/nvme0n1") != job.end());
}

TEST_CASE("ANA fault with a transition: change, then the state, then back to the topology's state", "[validate][plan]") {
  auto plan = validate::plan_guest(load("validate/scenarios/fault-ana-change-rr.textproto"));
  CHECK(commands_at(plan, 1000) == std::vector<std::string>{"ana_set nvmet_p1 1 change"});
  CHECK(commands_at(plan, 1500) == std::vector<std::string>{"ana_set nvmet_p1 1 inaccessible"});
  CHECK(commands_at(plan, 3000) == std::vector<std::string>{"ana_set nvmet_p1 1 optimized"});
  CHECK(plan.actions.size() == 3);
  std::string init = validate::render_guest_init(plan, "/repo/validate/guest/lib.sh", "/out/x");
  CHECK(init.find("  at_ms 1500; ana_set nvmet_p1 1 inaccessible") != std::string::npos);
  CHECK(init.find("PORT_nvmet_p1_CONNECT=',keep_alive_tmo=2,reconnect_delay=1,ctrl_loss_tmo=60'") != std::string::npos);
  CHECK(init.find(". '/repo/validate/guest/lib.sh'\nscn_main\n") != std::string::npos);
}

TEST_CASE("both ports inaccessible: both writes at 1 s, both restores at 4 s", "[validate][plan]") {
  auto plan = validate::plan_guest(load("validate/scenarios/fault-both-inaccessible-numa.textproto"));
  CHECK(commands_at(plan, 1000) == std::vector<std::string>{"ana_set nvmet_p1 1 inaccessible", "ana_set nvmet_p2 1 inaccessible"});
  CHECK(commands_at(plan, 4000) == std::vector<std::string>{"ana_set nvmet_p1 1 optimized", "ana_set nvmet_p2 1 optimized"});
}

TEST_CASE("immediate down is a port unlink/relink; silent down is netem loss behind veth", "[validate][plan]") {
  auto unlink = validate::plan_guest(load("validate/scenarios/fault-port-unlink-rr.textproto"));
  CHECK(commands_at(unlink, 1000) == std::vector<std::string>{"port_down nvmet_p1"});
  CHECK(commands_at(unlink, 2000) == std::vector<std::string>{"port_up nvmet_p1"});
  CHECK(unlink.net == validate::GuestNet::Loopback);

  auto silent = validate::plan_guest(load("validate/scenarios/fault-silent-loss-numa.textproto"));
  CHECK(commands_at(silent, 1000) == std::vector<std::string>{"net_set nvmet_p1 0 100"});
  CHECK(commands_at(silent, 7000) == std::vector<std::string>{"net_set nvmet_p1 0 0"});
  CHECK(silent.net == validate::GuestNet::Veth);
}

TEST_CASE("a slower link becomes a static netem delay; gray scales the link latency", "[validate][plan]") {
  auto slow = validate::plan_guest(load("validate/scenarios/steady-slow-path-rr.textproto"));
  CHECK(slow.ports[0].delay_us == 0);
  CHECK(slow.ports[1].delay_us == 500);
  CHECK(slow.net == validate::GuestNet::Veth);

  auto gray = validate::plan_guest(load("validate/scenarios/fault-gray-qd.textproto"));
  CHECK(commands_at(gray, 1000) == std::vector<std::string>{"net_set nvmet_p1 2000 0"});  // 1 us x (2001 - 1)
  CHECK(commands_at(gray, 3000) == std::vector<std::string>{"net_set nvmet_p1 0 0"});

  auto narrow = load("validate/scenarios/fault-gray-qd.textproto");
  std::get<sim::faults::Gray>(narrow.faults.at(0).kind).bandwidth_divisor = 4;  // the 100 Gbps link at a quarter: netem rate in kbit/s
  auto plan = validate::plan_guest(narrow);
  CHECK(commands_at(plan, 1000) == std::vector<std::string>{"net_set nvmet_p1 2000 0 25000000"});
  CHECK(commands_at(plan, 3000) == std::vector<std::string>{"net_set nvmet_p1 0 0"});
}

TEST_CASE("random loss is netem loss p% on the link's port, off at the window's end", "[validate][plan]") {
  auto loss = validate::plan_guest(load("validate/scenarios/fault-loss-5pct-rr.textproto"));
  CHECK(commands_at(loss, 1000) == std::vector<std::string>{"net_set nvmet_p1 0 5"});
  CHECK(commands_at(loss, 6000) == std::vector<std::string>{"net_set nvmet_p1 0 0"});
  auto half = load("validate/scenarios/fault-loss-1pct-rr.textproto");
  std::get<sim::faults::Loss>(half.faults.at(0).kind).probability = 0.005;  // netem takes a decimal percent
  CHECK(commands_at(validate::plan_guest(half), 1000) == std::vector<std::string>{"net_set nvmet_p1 0 0.5"});
}

TEST_CASE("controller reset targets the port of the named controller, on the side it names", "[validate][plan]") {
  auto target = validate::plan_guest(load("validate/scenarios/fault-ctrl-reset-rr.textproto"));
  CHECK(commands_at(target, 1000) == std::vector<std::string>{"ctrl_fatal nvmet_p1"});
  auto host = validate::plan_guest(load("validate/scenarios/fault-host-reset-rr.textproto"));
  CHECK(commands_at(host, 1000) == std::vector<std::string>{"ctrl_reset nvmet_p1"});

  auto s = load("validate/guest/smoke.textproto");
  sim::FaultSpec reset;
  reset.kind = sim::faults::ControllerReset{};
  reset.target = "guest/nvmet.p2";
  reset.at = 700ms;
  s.faults = {reset};
  CHECK(commands_at(validate::plan_guest(s), 700) == std::vector<std::string>{"ctrl_reset nvmet_p2"});  // host: the default
  s.faults[0].kind = sim::faults::ControllerReset{sim::ResetSide::Target};
  CHECK(commands_at(validate::plan_guest(s), 700) == std::vector<std::string>{"ctrl_fatal nvmet_p2"});
  s.faults[0].target = "elsewhere/nvmet.p2";
  CHECK_THROWS_AS(validate::plan_guest(s), validate::GuestPlanError);

  s = load("validate/guest/smoke.textproto");
  s.topology.mutable_hosts(0)->set_kernel_hz(1000);
  CHECK_THROWS_WITH(validate::plan_guest(s), Catch::Contains("kernel_hz 1000") && Catch::Contains("HZ=100"));
}

TEST_CASE("the simulator side runs an unspecified host kernel as the guest's HZ", "[validate][plan]") {
  auto exp = experiments::load_experiment_file(std::string(MPSIM_SOURCE_DIR) + "/experiments/quickstart.textproto");
  sim::Scenario s = exp.runs.front().scenario;
  REQUIRE(s.topology.hosts(0).kernel_hz() == 0);
  s.topology.mutable_hosts(0)->set_kernel_hz(250);
  validate::match_guest_kernel(s);
  CHECK(s.topology.hosts(0).kernel_hz() == 250);  // a stated HZ stays (plan_guest refuses it)
  for (auto& h : *s.topology.mutable_hosts()) h.set_kernel_hz(0);
  validate::match_guest_kernel(s);
  CHECK(s.topology.hosts(0).kernel_hz() == validate::kGuestKernelHz);
}

TEST_CASE("a flap expands to count down/up cycles, down for half of each period", "[validate][plan]") {
  auto s = load("validate/guest/smoke.textproto");
  sim::FaultSpec flap;
  flap.kind = sim::faults::Flap{2, 300ms, sim::Detection::Immediate};
  flap.target = "nvmet.p2";
  flap.at = 500ms;
  s.faults = {flap};
  auto plan = validate::plan_guest(s);
  std::vector<std::pair<std::int64_t, std::string>> got;
  for (const auto& a : plan.actions) got.emplace_back(a.at_ms, a.command);
  CHECK(got == std::vector<std::pair<std::int64_t, std::string>>{
                   {500, "port_down nvmet_p2"}, {650, "port_up nvmet_p2"}, {800, "port_down nvmet_p2"}, {950, "port_up nvmet_p2"}});
}

TEST_CASE("the guest follows the simulator's plan: a window shorter than the transition restores after it", "[validate][plan]") {
  auto s = load("validate/guest/smoke.textproto");
  sim::FaultSpec ana;
  ana.kind = sim::faults::AnaChange{1, topology::INACCESSIBLE, 400ms, 100ms};
  ana.target = "nvmet.p1";
  ana.at = 500ms;
  s.faults = {ana};
  auto plan = validate::plan_guest(s);
  std::vector<std::pair<std::int64_t, std::string>> got;
  for (const auto& a : plan.actions) got.emplace_back(a.at_ms, a.command);
  CHECK(got == std::vector<std::pair<std::int64_t, std::string>>{{500, "ana_set nvmet_p1 1 change"},
                                                                   {900, "ana_set nvmet_p1 1 inaccessible"},
                                                                   {900, "ana_set nvmet_p1 1 optimized"}});
}

TEST_CASE("actions after the workload ends are dropped", "[validate][plan]") {
  auto s = load("validate/guest/smoke.textproto");
  sim::FaultSpec ana;
  ana.kind = sim::faults::AnaChange{1, topology::INACCESSIBLE, {}, 5s};
  ana.target = "nvmet.p1";
  ana.at = 1500ms;
  s.faults = {ana};
  auto plan = validate::plan_guest(s);
  REQUIRE(plan.actions.size() == 1);
  CHECK(plan.actions[0].command == "ana_set nvmet_p1 1 inaccessible");
}

TEST_CASE("what the kernel cannot do is refused with the scenario named", "[validate][plan]") {
  auto s = load("validate/guest/smoke.textproto");
  s.policy.name = "spdk-round-robin";
  CHECK_THROWS_WITH(validate::plan_guest(s), Catch::Contains("smoke-rr-2opt") && Catch::Contains("not a Linux native iopolicy"));

  s = load("validate/guest/smoke.textproto");
  sim::FaultSpec down;
  down.kind = sim::faults::Down{};
  down.target = "nowhere";
  s.faults = {down};
  CHECK_THROWS_AS(validate::plan_guest(s), validate::GuestPlanError);
}

TEST_CASE("the same scenario renders the same init, and bash accepts it", "[validate][plan]") {
  auto plan = validate::plan_guest(load("validate/scenarios/fault-silent-loss-rr.textproto"));
  std::string a = validate::render_guest_init(plan, std::string(MPSIM_SOURCE_DIR) + "/validate/guest/lib.sh", "/tmp/x");
  std::string b = validate::render_guest_init(validate::plan_guest(load("validate/scenarios/fault-silent-loss-rr.textproto")),
                                              std::string(MPSIM_SOURCE_DIR) + "/validate/guest/lib.sh", "/tmp/x");
  CHECK(a == b);
  auto path = std::filesystem::temp_directory_path() / "mpsim-test-guest-init.sh";
  std::ofstream(path) << a;
  CHECK(std::system(("bash -n " + path.string()).c_str()) == 0);
  std::filesystem::remove(path);
}

TEST_CASE("shell quoting survives single quotes", "[validate][plan]") {
  CHECK(validate::shell_quote("it's") == "'it'\\''s'");
  CHECK(validate::shell_quote("") == "''");
}

TEST_CASE("a host NIC's link going down (AUTO) unlinks every port reached through it", "[validate][plan]") {
  auto exp = experiments::load_experiment_file(std::string(MPSIM_SOURCE_DIR) + "/experiments/quickstart.textproto");
  auto plan = validate::plan_guest(exp.runs.front().scenario);
  CHECK(commands_at(plan, 2000) == std::vector<std::string>{"port_down node_a_p0"});
  CHECK(commands_at(plan, 4000) == std::vector<std::string>{"port_up node_a_p0"});
  // 10.0.x.10 addresses sharing port 4420 cannot all listen on loopback: veth pairs instead.
  CHECK(plan.net == validate::GuestNet::Veth);
}

TEST_CASE("io_timeout_s becomes nvme_core.io_timeout on the guest's command line; the kernel has one value", "[validate][plan]") {
  auto plan = validate::plan_guest(load("validate/scenarios/tcp-io-timeout-3s-rr.textproto"));
  CHECK(plan.io_timeout_s == 3);
  const auto args = plan.kernel_args();
  CHECK(std::find(args.begin(), args.end(), "nvme_core.io_timeout=3") != args.end());
  CHECK(std::none_of(args.begin(), args.end(), [](const std::string& a) { return a.rfind("nvme_core.admin_timeout", 0) == 0; }));

  auto unset = validate::plan_guest(load("validate/scenarios/fault-silent-loss-rr.textproto"));
  CHECK(unset.io_timeout_s == 0);
  const auto plain = unset.kernel_args();
  CHECK(std::none_of(plain.begin(), plain.end(), [](const std::string& a) { return a.rfind("nvme_core.", 0) == 0; }));

  auto s = load("validate/scenarios/tcp-io-timeout-3s-rr.textproto");
  s.topology.mutable_connections(1)->mutable_options()->set_io_timeout_s(4);
  CHECK_THROWS_WITH(validate::plan_guest(s), Catch::Contains("io_timeout_s 3 and 4"));
  s.topology.mutable_connections(1)->mutable_options()->set_io_timeout_s(2.5);
  CHECK_THROWS_WITH(validate::plan_guest(s), Catch::Contains("whole seconds"));
}

TEST_CASE("a job's verify has the guest's fio read back every iodepth writes", "[validate][plan]") {
  auto plan = validate::plan_guest(load("validate/scenarios/tcp-write-silent-loss-qd.textproto"));
  REQUIRE(plan.fio_jobs.size() == 1);
  const auto& job = plan.fio_jobs[0];
  CHECK(std::find(job.begin(), job.end(), "--rw=randwrite") != job.end());
  CHECK(std::find(job.begin(), job.end(), "--verify=crc32c") != job.end());
  CHECK(std::find(job.begin(), job.end(), "--verify_backlog=16") != job.end());
  auto reads = validate::plan_guest(load("validate/scenarios/fault-silent-loss-qd.textproto"));
  CHECK(std::none_of(reads.fio_jobs[0].begin(), reads.fio_jobs[0].end(),
                     [](const std::string& a) { return a.rfind("--verify", 0) == 0; }));
}
