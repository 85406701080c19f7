// fio job files in: fio's ini dialect (keys without values, ';' and '#' comments, [global]
// inheritance, include) and the conversion to experiment jobs with file:line errors.
#include <catch2/catch.hpp>

#include <map>

#include "experiments/experiment_loader.h"
#include "experiments/fio_job_file.h"
#include "experiments/fio_workload.h"
#include "topologies/textproto.h"

namespace ex = mpsim::experiments;

namespace {

std::vector<std::string> problems_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const mpsim::topology::InputError& e) {
    return e.problems();
  }
  return {};
}

const std::vector<ex::FioTarget> kAll = {ex::parse_fio_target("h0:nqn.2024-01.io.mpsim:array-a:1")};

}  // namespace

TEST_CASE("job file: [global] options come first in every later job; a later [global] changes later jobs only") {
  const char* text =
      "; a comment\n"
      "[global]\n"
      "rw=randread\n"
      "  time_based   \n"
      "# another comment\n"
      "[a]\n"
      "bs = 8k\n"
      "[global]\n"
      "iodepth=4\n"
      "[b]\n";
  auto jobs = ex::parse_fio_job_file(text, "db.fio");
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].name == "a");
  CHECK(jobs[0].line == 6);
  REQUIRE(jobs[0].options.size() == 3);
  CHECK(jobs[0].options[1].key == "time_based");
  CHECK_FALSE(jobs[0].options[1].has_value);
  CHECK(jobs[0].options[2].value == "8k");
  CHECK(jobs[0].options[2].line == 7);
  REQUIRE(jobs[1].options.size() == 3);  // rw, time_based, iodepth: not a's bs
  CHECK(jobs[1].options[2].key == "iodepth");
}

TEST_CASE("job file: include adds options to the current section; errors name file:line") {
  std::map<std::string, std::string> files = {{"common.fio", "bs=16k\niodepth=8\n"}, {"bad.fio", "[x]\n"}};
  auto reader = [&](const std::string& p) {
    if (!files.count(p)) throw std::runtime_error("no such file");
    return files[p];
  };
  auto jobs = ex::parse_fio_job_file("[a]\ninclude common.fio\nrw=write\n", "db.fio", reader);
  REQUIRE(jobs[0].options.size() == 3);
  CHECK(jobs[0].options[0].file == "common.fio");
  CHECK(jobs[0].options[1].line == 2);
  auto p = problems_of([&] { ex::parse_fio_job_file("rw=read\n[a]\ninclude bad.fio\ninclude nope.fio\n[b", "db.fio", reader); });
  REQUIRE(p.size() == 4);
  CHECK(p[0] == "db.fio:1: option outside of a [] job section: rw=read");
  CHECK(p[1].rfind("bad.fio:1: a section in an included file", 0) == 0);
  CHECK(p[2] == "db.fio:4: include nope.fio: no such file");
  CHECK(p[3] == "db.fio:5: a section header is [NAME]: [b");
  auto loop = problems_of([&] {
    ex::parse_fio_job_file("[a]\ninclude self.fio\n", "db.fio", [](const std::string&) { return std::string("include self.fio\n"); });
  });
  REQUIRE(loop.size() == 1);
  CHECK(loop[0].find("nested more than 16 deep") != std::string::npos);
}

TEST_CASE("job file to jobs: modelled keys map, size suffixes and fio's time units check, the rest is noted or an error") {
  const char* text =
      "[global]\nioengine=libaio\ndirect=1\ntime_based\nruntime=30\nramp_time=2s\n"
      "[db]\nrw=randrw\nrwmixwrite=30\nblocksize=8k\niodepth=16\nnumjobs=2\nrate_iops=5000\nstartdelay=500ms\n"
      "iodepth_batch=4\niodepth_batch_complete=2\nsize=10g\noffset=1m\ncontinue_on_error=io\nfilename=/dev/nvme0n1\n";
  auto w = ex::fio_workload(ex::parse_fio_job_file(text, "db.fio"),
                            {ex::parse_fio_target("/dev/nvme0n1=h0:nqn.2024-01.io.mpsim:array-a:3")});
  REQUIRE(w.jobs.size() == 1);
  const auto& j = w.jobs[0];
  CHECK(j.name() == "db");
  CHECK(j.rw() == "randrw");
  CHECK(j.rwmixread() == 70);
  CHECK(j.bs() == "8k");
  CHECK(j.iodepth() == 16);
  CHECK(j.numjobs() == 2);
  CHECK(j.rate_iops() == 5000);
  CHECK(j.runtime() == "30");
  CHECK(j.ramp_time() == "2s");
  CHECK(j.start_delay() == "500ms");
  CHECK(j.iodepth_batch_submit() == 4);
  CHECK(j.iodepth_batch_complete_min() == 2);
  CHECK(j.host() == "h0");
  CHECK(j.nqn() == "nqn.2024-01.io.mpsim:array-a");
  CHECK(j.nsid() == 3);
  CHECK(j.size() == "10g");  // the LBA region, checked against bs and the namespace by the loader
  CHECK(j.offset() == "1m");
  CHECK(j.continue_on_error() == "io");  // the loader checks the word
  REQUIRE(w.notes.size() == 1);
  CHECK(w.notes[0] == "fio options accepted without effect on the simulation: direct, ioengine");

  auto p = problems_of([] {
    ex::fio_workload(ex::parse_fio_job_file("[a]\nruntime=1m\nverify=md5\nbs=4q\nrw=trim\niodepth=x\n"
                                            "offset_increment=1g\nsize=50%\n", "a.fio"), kAll);
  });
  REQUIRE(p.size() == 6);
  CHECK(p[0].rfind("a.fio:3: verify: not an option mpsim models", 0) == 0);  // in line order
  CHECK(p[1].rfind("a.fio:4: bs: ", 0) == 0);
  CHECK(p[2].rfind("a.fio:5: rw: \"trim\"", 0) == 0);
  CHECK(p[3].rfind("a.fio:6: iodepth: \"x\" is not a whole number", 0) == 0);
  CHECK(p[4].rfind("a.fio:7: offset_increment: not modelled: every clone", 0) == 0);
  CHECK(p[5].rfind("a.fio:8: size: ", 0) == 0);  // fio's percentages are not modelled
}

TEST_CASE("job file to jobs: a filename without a map, a missing runtime, logs without log_avg_msec") {
  auto p = problems_of([] {
    ex::fio_workload(ex::parse_fio_job_file("[a]\nfilename=/dev/sdz\nruntime=1\n[b]\n", "a.fio"),
                     {ex::parse_fio_target("/dev/nvme0n1=h0:n:1")});
  });
  REQUIRE(p.size() == 3);
  CHECK(p[0] == "a.fio:2: [a] filename: \"/dev/sdz\" has no map to a namespace: add --map /dev/sdz=HOST:NQN:NSID "
                "(mapped: /dev/nvme0n1)");
  CHECK(p[1] == "a.fio:4: [b]: runtime is required: mpsim runs every job for a time (time_based)");
  auto logs = problems_of([] { ex::fio_workload(ex::parse_fio_job_file("[a]\nruntime=1\nwrite_lat_log=x\n", "a.fio"), kAll); });
  REQUIRE(logs.size() == 1);
  CHECK(logs[0].find("set log_avg_msec") != std::string::npos);
  auto w = ex::fio_workload(ex::parse_fio_job_file("[a]\nruntime=1\nwrite_bw_log\nlog_avg_msec=250\n", "a.fio"), kAll);
  CHECK(w.log_avg_ms == 250);
  CHECK_THROWS_AS(ex::parse_fio_target("h0:1"), std::invalid_argument);
  CHECK_THROWS_AS(ex::parse_fio_target("f=h0:nqn:0"), std::invalid_argument);
}

TEST_CASE("an experiment's jobs_file adds the job file's jobs, its notes and its log request") {
  const std::string dir = MPSIM_SOURCE_DIR "/tests/fio";
  const char* text =
      "name: \"fio-jobs\" seed: 3 topology_file: \"../../topologies/quickstart.textproto\"\n"
      "policy { name: \"numa\" }\n"
      "jobs_file: \"db.fio\"\n"
      "jobs_file_map: \"/dev/nvme0n1=h0:nqn.2026-11.io.mpsim:quickstart:1\"\n";
  ex::LoadedExperiment exp = ex::load_experiment_text(text, "fio-jobs.textproto", dir);
  REQUIRE(exp.runs.size() == 1);
  const auto& jobs = exp.runs[0].scenario.jobs;
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].name == "reads");
  CHECK(jobs[0].iodepth == 16);
  CHECK(jobs[1].name == "mixed");
  CHECK(jobs[1].block_size == 8192);
  CHECK(jobs[1].iodepth == 8);
  CHECK(jobs[1].rwmixread == 70);
  CHECK(jobs[1].offset == 1024 * 1024);  // offset=1m, size=64m: the LBA region of the sim's job
  CHECK(jobs[1].size == 64 * 1024 * 1024);
  CHECK(jobs[0].offset == 0);
  CHECK(jobs[1].ramp_time == std::chrono::milliseconds(200));
  CHECK(exp.runs[0].fio_log_avg_ms == 100);
  CHECK(exp.runs[0].scenario.sample_interval == std::chrono::milliseconds(100));
  REQUIRE(exp.notes.size() == 1);
  auto missing = problems_of([&] {
    ex::load_experiment_text("name: \"x\" seed: 1 topology_file: \"../../topologies/quickstart.textproto\"\n"
                             "policy { name: \"numa\" } jobs_file: \"db.fio\"\n", "x.textproto", dir);
  });
  REQUIRE(missing.size() == 2);  // both jobs' filename
  CHECK(missing[0].find("db.fio:18: [reads] filename: \"/dev/nvme0n1\" has no map") != std::string::npos);
}

// Found by the fio fuzz target (tests/fuzz/regressions/fio/): the options of a nameless section
// went to the last job of an empty list.
TEST_CASE("job file: a nameless section is an error and the options under it are kept apart") {
  auto p = problems_of([] { ex::parse_fio_job_file("[global]\nruntime=1s\n[ ]\nrw=read\nbs=4k\n", "db.fio"); });
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "db.fio:3: a job section needs a name");
}
