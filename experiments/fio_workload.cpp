#include "experiments/fio_workload.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "topologies/file_io.h"
#include "topologies/textproto.h"
#include "topologies/units.h"

namespace mpsim::experiments {
namespace {

// fio options that change nothing the simulator models (how fio reaches the device, what it
// prints), accepted with one note.
const std::set<std::string, std::less<>> kNoEffect = {
    "ioengine", "direct", "buffered", "group_reporting", "thread", "norandommap", "randrepeat",
    "invalidate", "gtod_reduce", "disk_util", "description", "per_job_logs", "new_group", "clat_percentiles",
    "percentile_list", "allow_file_create", "randseed", "name", "eta", "log_max_value"};

// fio option names with the same meaning.
const std::map<std::string, std::string, std::less<>> kAliases = {
    {"readwrite", "rw"}, {"blocksize", "bs"}, {"timeout", "runtime"}, {"iodepth_batch", "iodepth_batch_submit"},
    {"iodepth_batch_complete", "iodepth_batch_complete_min"}};

class Converter {
 public:
  explicit Converter(const std::vector<FioTarget>& targets) : targets_(targets) {}

  experiment::Job job(const FioJobSection& s) {
    experiment::Job job;
    job.set_name(s.name);
    std::map<std::string, const FioOption*> last;  // a later option (the job's own) wins, as in fio
    for (const FioOption& o : s.options) {
      auto alias = kAliases.find(o.key);
      last[alias == kAliases.end() ? o.key : alias->second] = &o;
    }
    for (const FioOption& o : s.options) {  // in file order, so problems come in line order
      auto alias = kAliases.find(o.key);
      const std::string& key = alias == kAliases.end() ? o.key : alias->second;
      if (last[key] == &o) apply(job, key, o);
    }
    if (!last.count("runtime")) {
      problem(s.file, s.line, "[" + s.name + "]", "runtime is required: mpsim runs every job for a time (time_based)");
    }
    target(job, s, last.count("filename") ? last["filename"] : nullptr);
    return job;
  }

  void finish(FioWorkload& out) {
    if (!problems_.empty()) throw topology::InputError(problems_);
    if (!ignored_.empty()) {
      std::string keys;
      for (const std::string& k : ignored_) keys += (keys.empty() ? "" : ", ") + k;
      out.notes.push_back("fio options accepted without effect on the simulation: " + keys);
    }
    if (logs_ && log_avg_ms_ == 0) {
      problems_.push_back(log_where_ + ": write_*_log: without log_avg_msec fio logs every I/O, which mpsim cannot: the "
                          "simulator keeps per-window sums, not a record per I/O; set log_avg_msec (e.g. 1)");
      throw topology::InputError(problems_);
    }
    out.log_avg_ms = logs_ ? log_avg_ms_ : 0;
  }

 private:
  void apply(experiment::Job& job, const std::string& key, const FioOption& o) {
    const std::string& v = o.value;
    if (key == "rw") {
      static const std::set<std::string, std::less<>> words = {"read", "write", "randread", "randwrite", "rw", "randrw", "readwrite"};
      if (!words.count(v)) return bad(o, "\"" + v + "\": mpsim simulates read, write, randread, randwrite, rw, randrw");
      job.set_rw(v == "readwrite" ? "rw" : v);
    } else if (key == "rwmixread" || key == "rwmixwrite") {
      if (auto n = number(o, 100)) job.set_rwmixread(key == "rwmixread" ? std::uint32_t(*n) : 100 - std::uint32_t(*n));
    } else if (key == "bs") {
      if (size(o)) job.set_bs(v);
    } else if (key == "iodepth") {
      if (auto n = number(o, 65536)) job.set_iodepth(std::uint32_t(*n));
    } else if (key == "numjobs") {
      if (auto n = number(o, 65536)) job.set_numjobs(std::uint32_t(*n));
    } else if (key == "rate_iops") {
      if (auto n = number(o, UINT64_MAX)) job.set_rate_iops(*n);
    } else if (key == "runtime" || key == "ramp_time" || key == "startdelay") {
      if (!duration(o)) return;
      if (key == "runtime") job.set_runtime(v);
      else if (key == "ramp_time") job.set_ramp_time(v);
      else job.set_start_delay(v);
    } else if (key == "iodepth_batch_submit") {
      if (auto n = number(o, 65536)) job.set_iodepth_batch_submit(std::uint32_t(*n));
    } else if (key == "iodepth_batch_complete_min") {
      if (auto n = number(o, 65536)) job.set_iodepth_batch_complete_min(std::uint32_t(*n));
    } else if (key == "time_based") {
      if (o.has_value && v != "1" && v != "true") bad(o, "mpsim runs every job time-based; time_based=" + v + " is not modelled");
    } else if (key == "size" || key == "offset") {
      // The LBA region; the loader checks it against bs and the namespace's size.
      if (size(o)) key == "size" ? job.set_size(v) : job.set_offset(v);
    } else if (key == "continue_on_error") {
      job.set_continue_on_error(v);  // the loader checks the word (none, read, write, io, verify, all, 0, 1)
    } else if (key == "offset_increment") {
      bad(o, "not modelled: every clone of a job (numjobs) shares its offset/size region; give each region its own "
             "job section instead");
    } else if (key == "write_lat_log" || key == "write_iops_log" || key == "write_bw_log") {
      logs_ = true;
      log_where_ = o.file + ":" + std::to_string(o.line);
    } else if (key == "log_avg_msec") {
      if (auto n = number(o, 86400000)) log_avg_ms_ = log_avg_ms_ ? std::min(log_avg_ms_, *n) : *n;
    } else if (key == "numa_cpu_nodes") {
      // One node pins the job (the loader checks it against the host); "all" is fio's unpinned.
      if (v == "all") return;
      if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos)
        return bad(o, "\"" + v + "\": mpsim pins a job to one NUMA node (numa_cpu_nodes=N) or to none (all)");
      if (auto n = number(o, 1u << 20)) job.set_numa_node(std::uint32_t(*n));
    } else if (key == "cpus_allowed") {
      job.set_cpus_allowed(v);  // the loader resolves it against the host's NUMA nodes
    } else if (key == "filename") {
      // used by target(): which namespace the job runs on
    } else if (kNoEffect.count(key)) {
      ignored_.insert(key);
    } else {
      bad(o, "not an option mpsim models (it models rw, rwmixread, bs, iodepth, numjobs, rate_iops, runtime, "
             "ramp_time, startdelay, time_based, iodepth_batch_*, size, offset, continue_on_error, numa_cpu_nodes, "
             "cpus_allowed and fio's logs)");
    }
  }

  void target(experiment::Job& job, const FioJobSection& s, const FioOption* filename) {
    const std::string file = filename ? filename->value : s.name;  // fio: no filename -> the job's name
    const FioTarget* any = nullptr;
    for (const FioTarget& t : targets_) {
      if (t.filename == file) return assign(job, t);
      if (t.filename.empty()) any = &t;
    }
    if (any) return assign(job, *any);
    std::string known;
    for (const FioTarget& t : targets_) known += (known.empty() ? "" : ", ") + t.filename;
    const std::string where = filename ? filename->file : s.file;
    problem(where, filename ? filename->line : s.line, "[" + s.name + "] filename",
            "\"" + file + "\" has no map to a namespace: add --map " + file + "=HOST:NQN:NSID" +
                (known.empty() ? "" : " (mapped: " + known + ")"));
  }

  static void assign(experiment::Job& job, const FioTarget& t) {
    job.set_host(t.host);
    job.set_nqn(t.nqn);
    job.set_nsid(t.nsid);
  }

  std::optional<std::uint64_t> number(const FioOption& o, std::uint64_t max) {
    std::uint64_t n = 0;
    const char* end = o.value.data() + o.value.size();
    auto [p, ec] = std::from_chars(o.value.data(), end, n);
    if (o.value.empty() || ec != std::errc() || p != end || n > max) {
      bad(o, "\"" + o.value + "\" is not a whole number" + (max < UINT64_MAX ? " up to " + std::to_string(max) : ""));
      return std::nullopt;
    }
    return n;
  }

  // The value parses with mpsim's unit parser (fio's suffixes): size or duration.
  bool parses(const FioOption& o, auto parse) {
    try {
      parse(o.value);
      return true;
    } catch (const std::invalid_argument& e) {
      bad(o, e.what());
      return false;
    }
  }
  bool size(const FioOption& o) { return parses(o, topology::parse_size); }
  bool duration(const FioOption& o) { return parses(o, topology::parse_duration); }

  void bad(const FioOption& o, const std::string& message) { problem(o.file, o.line, o.key, message); }
  void problem(const std::string& file, int line, const std::string& key, const std::string& message) {
    problems_.push_back(file + ":" + std::to_string(line) + ": " + key + ": " + message);
  }

  const std::vector<FioTarget>& targets_;
  std::vector<std::string> problems_;
  std::set<std::string> ignored_;
  bool logs_ = false;
  std::string log_where_;
  std::uint64_t log_avg_ms_ = 0;
};

}  // namespace

FioTarget parse_fio_target(std::string_view text) {
  FioTarget t;
  const std::size_t eq = text.find('=');
  if (eq != std::string_view::npos) {
    t.filename = std::string(text.substr(0, eq));
    text.remove_prefix(eq + 1);
    if (t.filename.empty()) throw std::invalid_argument("--map FILENAME=HOST:NQN:NSID: the filename is empty");
  }
  const std::size_t first = text.find(':'), last = text.rfind(':');
  if (first == std::string_view::npos || first == last) {
    throw std::invalid_argument("\"" + std::string(text) + "\" is not HOST:NQN:NSID");
  }
  t.host = std::string(text.substr(0, first));
  t.nqn = std::string(text.substr(first + 1, last - first - 1));
  const std::string_view nsid = text.substr(last + 1);
  auto [p, ec] = std::from_chars(nsid.data(), nsid.data() + nsid.size(), t.nsid);
  if (t.host.empty() || t.nqn.empty() || ec != std::errc() || p != nsid.data() + nsid.size() || t.nsid == 0) {
    throw std::invalid_argument("\"" + std::string(text) + "\" is not HOST:NQN:NSID (NSID a number from 1)");
  }
  return t;
}

FioWorkload fio_workload(const std::vector<FioJobSection>& sections, const std::vector<FioTarget>& targets) {
  Converter c(targets);
  FioWorkload out;
  for (const FioJobSection& s : sections) out.jobs.push_back(c.job(s));
  c.finish(out);
  return out;
}

FioWorkload read_fio_workload(const std::string& path, const std::vector<FioTarget>& targets) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(path).parent_path();
  std::string text;
  try {
    text = topology::read_file(path);
  } catch (const std::exception& e) {
    throw topology::InputError(path + ": cannot read the fio job file: " + e.what());
  }
  const FioIncludeReader include = [&dir](const std::string& name) {
    return topology::read_file(fs::path(name).is_absolute() ? fs::path(name) : dir / name);
  };
  std::vector<FioJobSection> sections = parse_fio_job_file(text, path, include);
  if (sections.empty()) throw topology::InputError(path + ": no job section (fio job files name each job in [brackets])");
  return fio_workload(sections, targets);
}

}  // namespace mpsim::experiments
