#include "experiments/calibrate_fio.h"

#include <charconv>
#include <cmath>
#include <sstream>

#include "experiments/experiment_loader.h"
#include "experiments/reports.h"
#include "experiments/runner.h"
#include "topologies/json.h"

namespace mpsim::experiments {
namespace {

using topology::Json;
using models::CalibrationInputError;

// fio's engines that complete each I/O inside the submitting call: iodepth has no effect.
bool sync_engine(const std::string& engine) {
  return engine == "sync" || engine == "psync" || engine == "vsync" || engine == "pvsync" || engine == "pvsync2";
}

class FioReader {
 public:
  explicit FioReader(std::string origin) : origin_(std::move(origin)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& why) const {
    throw CalibrationInputError(origin_ + ": " + field + ": " + why);
  }
  const Json& member(const Json& o, const std::string& path, const std::string& key) const {
    auto it = o.find(key);
    if (it == o.end()) fail(path + key, "missing");
    return *it;
  }
  double number(const Json& o, const std::string& path, const std::string& key) const {
    const Json& v = member(o, path, key);
    if (!v.is_number()) fail(path + key, "not a number");
    return v.get<double>();
  }
  const Json& object(const Json& o, const std::string& path, const std::string& key) const {
    const Json& v = member(o, path, key);
    if (!v.is_object()) fail(path + key, "not an object");
    return v;
  }
  // A job option as fio writes them (strings), the job's own over the global section's; "" if
  // neither has it. `where` gets its field path.
  std::string option(const Json& root, const Json& job, const std::string& key, std::string& where) const {
    struct Section { const Json* holder; const char* key; const char* path; };
    for (const Section& s : {Section{&job, "job options", "jobs[0].job options."},
                             Section{&root, "global options", "global options."}}) {
      auto options = s.holder->find(s.key);
      if (options == s.holder->end() || !options->is_object()) continue;
      auto v = options->find(key);
      if (v == options->end()) continue;
      where = s.path + key;
      if (!v->is_string()) fail(where, "not a string");
      return v->get<std::string>();
    }
    return "";
  }
  std::uint32_t count_option(const Json& root, const Json& job, const std::string& key) const {
    std::string where;
    const std::string text = option(root, job, key, where);
    if (text.empty()) return 1;  // fio's default for iodepth and numjobs
    std::uint32_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v == 0)
      fail(where, "\"" + text + "\" is not a count of 1 or more");
    return v;
  }

 private:
  std::string origin_;
};

}  // namespace

models::FioRunFigures read_fio_run(std::string_view text, const std::string& origin) {
  FioReader in(origin);
  const std::size_t start = text.find('{');  // fio may print warnings before the document
  if (start == std::string_view::npos) in.fail("(document)", "not fio JSON: no '{' (run fio with --output-format=json)");
  Json root;
  try {
    root = Json::parse(text.substr(start));
  } catch (const Json::parse_error& e) {
    in.fail("(document)", std::string("not fio JSON: ") + e.what());
  }
  if (!root.is_object()) in.fail("(document)", "not fio JSON: not an object");
  const Json& jobs = in.member(root, "", "jobs");
  if (!jobs.is_array()) in.fail("jobs", "not a list");
  if (jobs.size() != 1)
    in.fail("jobs", std::to_string(jobs.size()) + " jobs; calibrate reads a run of one job (numjobs > 1: add --group_reporting)");
  const Json& job = jobs[0];
  if (!job.is_object()) in.fail("jobs[0]", "not an object");
  if (const double err = in.number(job, "jobs[0].", "error"); err != 0)
    in.fail("jobs[0].error", std::to_string(int(err)) + ": fio stopped the job on an error");

  models::FioRunFigures run;
  run.origin = origin;
  const double read_ios = in.number(in.object(job, "jobs[0].", "read"), "jobs[0].read.", "total_ios");
  const double write_ios = in.number(in.object(job, "jobs[0].", "write"), "jobs[0].write.", "total_ios");
  if (read_ios > 0 && write_ios > 0) in.fail("jobs[0].write.total_ios", "the job both read and wrote; calibrate fits one direction per run");
  run.read = !(write_ios > 0);
  const std::string dir = run.read ? "read" : "write";
  const std::string path = "jobs[0]." + dir + ".";
  const Json& d = job[dir];
  run.iops = in.number(d, path, "iops");
  if (!(run.iops > 0)) in.fail(path + "iops", "is 0: the run did no I/O");
  const double ios = in.number(d, path, "total_ios");
  const double bytes = in.number(d, path, "io_bytes");
  if (!(ios > 0)) in.fail(path + "total_ios", "is 0: the run did no I/O");
  run.block_bytes = static_cast<std::uint32_t>(std::llround(bytes / ios));
  const Json& clat = in.object(d, path, "clat_ns");
  run.mean_us = in.number(clat, path + "clat_ns.", "mean") / 1000.0;
  const Json& pct = in.object(clat, path + "clat_ns.", "percentile");
  run.p50_us = in.number(pct, path + "clat_ns.percentile.", "50.000000") / 1000.0;
  run.p99_us = in.number(pct, path + "clat_ns.percentile.", "99.000000") / 1000.0;

  std::string where;
  const bool sync = sync_engine(in.option(root, job, "ioengine", where));
  run.queue_depth = (sync ? 1 : in.count_option(root, job, "iodepth")) * in.count_option(root, job, "numjobs");
  return run;
}

namespace {

std::string number_text(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

// The largest decimal byte unit that states the rate exactly (to 1 kB/s): "7GB/s", "2500MB/s".
std::string bandwidth_text(double bytes_per_s) {
  const long long kb = std::llround(bytes_per_s / 1e3);
  if (kb % 1000000 == 0) return std::to_string(kb / 1000000) + "GB/s";
  if (kb % 1000 == 0) return std::to_string(kb / 1000) + "MB/s";
  return std::to_string(kb) + "KB/s";
}

std::string media_fields(const models::MediaParams& m, const std::string& indent) {
  std::ostringstream s;
  s << indent << "read_latency_us: " << number_text(m.read_latency_us) << "\n"
    << indent << "write_latency_us: " << number_text(m.write_latency_us) << "\n"
    << indent << "latency_cv: " << number_text(m.latency_cv) << "\n"
    << indent << "parallelism: " << m.parallelism << "\n"
    << indent << "read_bandwidth: \"" << bandwidth_text(m.read_bandwidth_Bps) << "\"\n"
    << indent << "write_bandwidth: \"" << bandwidth_text(m.write_bandwidth_Bps) << "\"\n";
  return s.str();
}

}  // namespace

std::string replay_experiment_text(const models::MediaParams& media, const models::FioRunFigures& run, double runtime_s) {
  std::ostringstream s;
  s << "name: \"calibrate-check\"\nseed: 1\n"
    << "topology {\n  name: \"local\"\n"
    << "  hosts { name: \"h\" numa_nodes { id: 0 cpus: 64 } nics { name: \"n\" speed: \"100Gbps\" numa_node: 0 } }\n"
    << "  switches { name: \"s\" }\n"
    << "  target_nodes { name: \"t\" cpus: 64 ports { name: \"p\" traddr: \"10.0.0.1\" trsvcid: 4420 speed: \"100Gbps\""
    << " ana_groups { grpid: 1 state: OPTIMIZED } } }\n"
    << "  links { a: \"h.n\" b: \"s\" bandwidth: \"100Gbps\" latency_us: 0.1 }\n"
    << "  links { a: \"t.p\" b: \"s\" bandwidth: \"100Gbps\" latency_us: 0.1 }\n"
    << "  subsystems { nqn: \"nqn.2026-12.io.mpsim:dev\" ports: \"t.p\""
    << " namespaces { nsid: 1 size: \"1TiB\" ana_grpid: 1 media: \"fitted\" } }\n"
    << "  connections { host: \"h\" port: \"t.p\" nqn: \"nqn.2026-12.io.mpsim:dev\" }\n}\n"
    << "models {\n  media { key: \"fitted\" value {\n" << media_fields(media, "    ") << "  } }\n"
    << "  host_cpu { per_io_us: 0 per_kib_us: 0 }\n  target_cpu { per_io_us: 0 per_kib_us: 0 }\n}\n"
    << "jobs { name: \"replay\" host: \"h\" nqn: \"nqn.2026-12.io.mpsim:dev\" nsid: 1 rw: \""
    << (run.read ? "randread" : "randwrite") << "\" bs: \"" << run.block_bytes << "\" iodepth: " << run.queue_depth
    << " runtime: \"" << std::llround(runtime_s * 1000) << "ms\" }\n"
    << "policy { name: \"numa\" }\n";
  return s.str();
}

std::vector<SimulatedRun> simulate_fio_runs(const models::MediaParams& media, const std::vector<models::FioRunFigures>& runs,
                                            double runtime_s) {
  std::vector<SimulatedRun> out;
  for (const models::FioRunFigures& run : runs) {
    LoadedExperiment exp;
    try {
      exp = load_experiment_text(replay_experiment_text(media, run, runtime_s), "calibrate replay of " + run.origin, ".");
    } catch (const topology::InputError& e) {
      std::string why;
      for (const std::string& p : e.problems()) why += "\n  " + p;
      throw std::runtime_error("the fitted model cannot be simulated:" + why);
    }
    const std::vector<sim::RunResult> results = run_experiment(exp);
    const sim::DirectionStats& d = run.read ? results.at(0).jobs.at(0).read : results.at(0).jobs.at(0).write;
    SimulatedRun r;
    const double seconds = std::chrono::duration<double>(d.runtime).count();
    r.iops = seconds > 0 ? double(d.total_ios) / seconds : 0;
    r.p50_us = double(percentile_ns(d.clat, 50.0).value_or(0)) / 1000.0;
    r.p99_us = double(percentile_ns(d.clat, 99.0).value_or(0)) / 1000.0;
    out.push_back(r);
  }
  return out;
}

std::string media_textproto(const std::string& name, const models::MediaParams& media,
                            const std::vector<std::string>& comment) {
  std::string s;
  for (const std::string& line : comment) s += "# " + line + "\n";
  s += "models {\n  media {\n    key: \"" + name + "\"\n    value {\n" + media_fields(media, "      ") + "    }\n  }\n}\n";
  return s;
}

}  // namespace mpsim::experiments
