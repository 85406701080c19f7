// Validation and conversion of an experiment's fio-style jobs.
#include <algorithm>
#include <map>
#include <charconv>
#include <iterator>
#include <optional>
#include <set>
#include <stdexcept>

#include "experiments/experiment_checks.h"
#include "topologies/units.h"

namespace mpsim::experiments::detail {
namespace {

using experiment::Experiment;
using experiment::Job;

struct RwWord {
  std::string_view word;
  sim::RwMode mode;
};
// fio's rw values that mpsim simulates ("readwrite" is fio's synonym of "rw").
constexpr RwWord kRwWords[] = {{"read", sim::RwMode::Read},       {"write", sim::RwMode::Write},
                               {"randread", sim::RwMode::RandRead}, {"randwrite", sim::RwMode::RandWrite},
                               {"randrw", sim::RwMode::RandRw},   {"rw", sim::RwMode::Rw},
                               {"readwrite", sim::RwMode::Rw}};
// fio's rw values that exist but have no meaning in the model (trims carry no data path).
constexpr std::string_view kUnsimulatedRw[] = {"trim", "randtrim", "trimwrite", "randtrimwrite"};

std::optional<sim::RwMode> convert_rw(const CheckContext& ctx, const Job& job) {
  std::string rw = job.rw().empty() ? "read" : job.rw();  // fio's default
  for (const RwWord& w : kRwWords) {
    if (rw == w.word) return w.mode;
  }
  if (std::find(std::begin(kUnsimulatedRw), std::end(kUnsimulatedRw), rw) != std::end(kUnsimulatedRw)) {
    ctx.error(job, "rw", "\"" + rw + "\" is fio vocabulary but not simulated: mpsim models reads and writes");
  } else {
    ctx.error(job, "rw", "\"" + rw + "\" is not one of fio's rw values: read, write, randread, randwrite, rw, randrw");
  }
  return std::nullopt;
}

std::optional<std::uint32_t> convert_bs(const CheckContext& ctx, const Job& job) {
  if (job.bs().empty()) return 4096;  // fio's default
  if (job.bs().find(',') != std::string::npos) {
    ctx.error(job, "bs", "per-direction block sizes (\"" + job.bs() + "\") are not supported; give one size");
    return std::nullopt;
  }
  auto bytes = size_field(ctx, job, "bs", job.bs());
  if (!bytes) return std::nullopt;
  if (*bytes == 0 || *bytes % 512 != 0 || *bytes > (1u << 30)) {
    ctx.error(job, "bs", "\"" + job.bs() + "\" must be a multiple of 512 bytes between 512 and 1GiB");
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*bytes);
}

void check_counts(const CheckContext& ctx, const Job& job) {
  if (job.has_iodepth() && job.iodepth() == 0) ctx.error(job, "iodepth", "must be at least 1");
  if (job.has_iodepth() && job.iodepth() > 65536) ctx.error(job, "iodepth", "must be at most 65536");
  if (job.has_numjobs() && job.numjobs() == 0) ctx.error(job, "numjobs", "must be at least 1");
  if (job.numjobs() > topology::limits::kMaxNumjobs) {
    ctx.error(job, "numjobs", "must be at most " + std::to_string(topology::limits::kMaxNumjobs));
  }
  if (job.rate_iops() > topology::limits::kMaxRateIops) {
    ctx.error(job, "rate_iops", "must be at most " + std::to_string(topology::limits::kMaxRateIops) + " (0 = unlimited)");
  }
  if (job.rwmixread() > 100) {
    ctx.error(job, "rwmixread", std::to_string(job.rwmixread()) + " is not a percentage (0..100)");
  }
}

// The host, subsystem and namespace exist, and the host is connected to the subsystem.
void check_target(const CheckContext& ctx, const Job& job, const std::string& host_name) {
  if (!ctx.topo) return;
  const topology::Host* host = topology::find_host(*ctx.topo, host_name);
  if (host_name.empty()) ctx.error(job, "host", "required");
  else if (!host) ctx.error(job, "host", "no host \"" + host_name + "\" in the fabric");
  const topology::Subsystem* subsys = topology::find_subsystem(*ctx.topo, job.nqn());
  if (job.nqn().empty()) ctx.error(job, "nqn", "required");
  else if (!subsys) ctx.error(job, "nqn", "no subsystem \"" + job.nqn() + "\" in the fabric");
  if (subsys) {
    bool found = std::any_of(subsys->namespaces().begin(), subsys->namespaces().end(),
                             [&](const topology::Namespace& ns) { return ns.nsid() == job.nsid(); });
    if (!found) ctx.error(job, "nsid", "subsystem \"" + job.nqn() + "\" has no namespace " + std::to_string(job.nsid()));
  }
  if (host && subsys) {
    bool connected = std::any_of(ctx.topo->connections().begin(), ctx.topo->connections().end(),
                                 [&](const topology::Connection& c) { return c.host() == host_name && c.nqn() == job.nqn(); });
    if (!connected) ctx.error(job, "nqn", "host \"" + host_name + "\" has no connection to \"" + job.nqn() + "\"");
  }
}

bool whole_number(const std::string& text, std::uint64_t& out) {
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, out);
  return !text.empty() && ec == std::errc() && p == end && out < (1u << 20);
}

// fio's cpus_allowed list ("0-3,8"): the CPU numbers, or nullopt after reporting the problem.
std::optional<std::set<std::uint32_t>> parse_cpu_list(const CheckContext& ctx, const Job& job, std::uint32_t cpus) {
  std::set<std::uint32_t> out;
  const std::string& text = job.cpus_allowed();
  const auto bad = [&](const std::string& why) {
    ctx.error(job, "cpus_allowed", "\"" + text + "\": " + why);
    return std::nullopt;
  };
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, comma - pos);
    const std::size_t dash = item.find('-');
    std::uint64_t from = 0, to = 0;
    if (!whole_number(item.substr(0, dash), from) ||
        (dash != std::string::npos && !whole_number(item.substr(dash + 1), to)) || item.empty())
      return bad("a list of CPU numbers and ranges like \"0-3,8\" (fio's cpus_allowed)");
    if (dash == std::string::npos) to = from;
    if (to < from) return bad("the range " + item + " runs backwards");
    if (to >= cpus) return bad("the host has CPUs 0-" + std::to_string(cpus - 1));
    for (std::uint64_t c = from; c <= to; ++c) out.insert(std::uint32_t(c));
    pos = comma + 1;
  }
  return out;
}

// The NUMA node the job is pinned to (numa_node or cpus_allowed), or its host's first node.
void convert_numa(const CheckContext& ctx, const Job& job, const std::string& host_name, sim::JobSpec& spec) {
  spec.numa_pinned = job.has_numa_node();
  spec.numa_node = int(job.numa_node());
  const topology::Host* host = ctx.topo ? topology::find_host(*ctx.topo, host_name) : nullptr;
  if (!host || host->numa_nodes().empty()) return;  // reported by check_target / the fabric's check
  if (job.has_numa_node() && !job.cpus_allowed().empty())
    return ctx.error(job, "cpus_allowed", "give numa_node or cpus_allowed, not both");
  if (job.has_numa_node()) {
    bool found = std::any_of(host->numa_nodes().begin(), host->numa_nodes().end(),
                             [&](const topology::NumaNode& n) { return n.id() == job.numa_node(); });
    std::string ids;
    for (const auto& n : host->numa_nodes()) ids += (ids.empty() ? "" : ", ") + std::to_string(n.id());
    if (!found)
      ctx.error(job, "numa_node", "host \"" + host_name + "\" has no NUMA node " + std::to_string(job.numa_node()) +
                                      " (its numa_nodes: " + ids + ")");
    return;
  }
  spec.numa_node = int(host->numa_nodes(0).id());  // unpinned: any core; path choice as the first node's
  if (job.cpus_allowed().empty()) return;
  std::uint32_t total = 0;
  for (const auto& n : host->numa_nodes()) total += n.cpus();
  const auto cpus = parse_cpu_list(ctx, job, total);
  if (!cpus) return;
  std::vector<std::uint32_t> whole;  // ids of the nodes it names
  std::uint32_t first = 0;
  for (const auto& n : host->numa_nodes()) {
    const auto named = std::uint32_t(std::distance(cpus->lower_bound(first), cpus->lower_bound(first + n.cpus())));
    const std::string range = std::to_string(first) + "-" + std::to_string(first + n.cpus() - 1);
    if (named > 0 && named < n.cpus())
      return ctx.error(job, "cpus_allowed", "names " + std::to_string(named) + " of NUMA node " + std::to_string(n.id()) +
                                                "'s " + std::to_string(n.cpus()) + " CPUs (" + range +
                                                "): mpsim pins a job to whole NUMA nodes");
    if (named) whole.push_back(n.id());
    first += n.cpus();
  }
  if (whole.size() == std::size_t(host->numa_nodes_size())) return;  // every CPU: unpinned
  if (whole.size() > 1)
    return ctx.error(job, "cpus_allowed", "spans NUMA nodes " + std::to_string(whole[0]) + " and " +
                                              std::to_string(whole[1]) + ": mpsim pins a job to one node, or to none "
                                              "(every CPU of the host)");
  spec.numa_pinned = true;
  spec.numa_node = int(whole[0]);
}

// fio's size/offset: block-aligned and inside the namespace (its size comes from the fabric).
void convert_region(const CheckContext& ctx, const Job& job, sim::JobSpec& spec) {
  if (!job.offset().empty()) spec.offset = size_field(ctx, job, "offset", job.offset()).value_or(0);
  if (!job.size().empty()) spec.size = size_field(ctx, job, "size", job.size()).value_or(0);
  if (spec.offset % spec.block_size != 0)
    ctx.error(job, "offset", "\"" + job.offset() + "\" is not a multiple of bs (" + std::to_string(spec.block_size) + " bytes)");
  if (!job.size().empty() && spec.size < spec.block_size)
    ctx.error(job, "size", "\"" + job.size() + "\" is smaller than one block (bs " + std::to_string(spec.block_size) + " bytes)");
  if (!ctx.topo) return;
  const topology::Subsystem* subsys = topology::find_subsystem(*ctx.topo, job.nqn());
  if (!subsys) return;
  for (const topology::Namespace& ns : subsys->namespaces()) {
    if (ns.nsid() != job.nsid()) continue;
    std::uint64_t ns_bytes = 0;
    try {
      ns_bytes = topology::parse_size(ns.size());
    } catch (const std::invalid_argument&) {
      return;  // the fabric's own check reports it
    }
    if (spec.offset >= ns_bytes && (!job.offset().empty()))
      ctx.error(job, "offset", "\"" + job.offset() + "\" is beyond the namespace's " + ns.size());
    else if (spec.offset + spec.size > ns_bytes)
      ctx.error(job, "size", "offset + size (" + std::to_string(spec.offset + spec.size) +
                                 " bytes) is beyond the namespace's " + ns.size());
  }
}

void convert_times(const CheckContext& ctx, const Job& job, sim::JobSpec& spec) {
  if (job.runtime().empty()) {
    ctx.error(job, "runtime", "required (e.g. \"6s\")");
  } else if (auto runtime = duration_field(ctx, job, "runtime", job.runtime())) {
    if (runtime->count() <= 0) ctx.error(job, "runtime", "must be longer than 0");
    spec.runtime = *runtime;
  }
  if (!job.ramp_time().empty()) spec.ramp_time = duration_field(ctx, job, "ramp_time", job.ramp_time()).value_or(sim::Duration{});
  if (!job.start_delay().empty()) spec.start_delay = duration_field(ctx, job, "start_delay", job.start_delay()).value_or(sim::Duration{});
}

// fio's continue_on_error words; "0" and "1" are fio's older none and all.
sim::ContinueOnError convert_continue_on_error(const CheckContext& ctx, const Job& job) {
  static const std::map<std::string, sim::ContinueOnError, std::less<>> kWords = {
      {"", sim::ContinueOnError::None},      {"none", sim::ContinueOnError::None},     {"0", sim::ContinueOnError::None},
      {"read", sim::ContinueOnError::Read},  {"write", sim::ContinueOnError::Write},  {"io", sim::ContinueOnError::Io},
      {"verify", sim::ContinueOnError::Verify}, {"all", sim::ContinueOnError::All}, {"1", sim::ContinueOnError::All}};
  auto word = kWords.find(job.continue_on_error());
  if (word != kWords.end()) return word->second;
  ctx.error(job, "continue_on_error", "\"" + job.continue_on_error() + "\": one of none, read, write, io, verify, all (or 0, 1)");
  return sim::ContinueOnError::None;
}

void convert_lat_log(const CheckContext& ctx, const Job& job, sim::JobSpec& spec) {
  spec.per_io_lat_log = job.per_io_lat_log();
  if (!job.has_log_entries()) return;
  spec.log_entries = job.log_entries();
  if (spec.log_entries < 1024 || spec.log_entries > 1024 * 1024)
    ctx.error(job, "log_entries", std::to_string(spec.log_entries) + " is outside fio's range 1024..1048576");
}

JobOptions options_as_written(const Job& job, const sim::JobSpec& spec) {
  JobOptions o = {{"name", job.name()}, {"rw", job.rw().empty() ? "read" : job.rw()},
                  {"bs", job.bs().empty() ? "4k" : job.bs()}, {"iodepth", std::to_string(spec.iodepth)},
                  {"numjobs", std::to_string(spec.numjobs)}, {"runtime", job.runtime()}, {"time_based", "1"}};
  if (spec.rw == sim::RwMode::RandRw || spec.rw == sim::RwMode::Rw) o.emplace_back("rwmixread", std::to_string(spec.rwmixread));
  if (job.rate_iops() > 0) o.emplace_back("rate_iops", std::to_string(job.rate_iops()));
  if (spec.iodepth_batch_submit != 1) o.emplace_back("iodepth_batch_submit", std::to_string(spec.iodepth_batch_submit));
  if (spec.iodepth_batch_complete_min != 1) {
    o.emplace_back("iodepth_batch_complete_min", std::to_string(spec.iodepth_batch_complete_min));
  }
  if (spec.per_io_lat_log) o.insert(o.end(), {{"write_lat_log", job.name()}, {"log_avg_msec", "0"}});
  if (job.has_log_entries()) o.emplace_back("log_entries", std::to_string(spec.log_entries));
  if (!job.ramp_time().empty()) o.emplace_back("ramp_time", job.ramp_time());
  if (!job.start_delay().empty()) o.emplace_back("startdelay", job.start_delay());
  if (!job.size().empty()) o.emplace_back("size", job.size());
  if (!job.offset().empty()) o.emplace_back("offset", job.offset());
  if (spec.continue_on_error != sim::ContinueOnError::None) o.emplace_back("continue_on_error", sim::fio_word(spec.continue_on_error));
  if (!job.cpus_allowed().empty()) o.emplace_back("cpus_allowed", job.cpus_allowed());
  else if (spec.numa_pinned) o.emplace_back("numa_cpu_nodes", std::to_string(spec.numa_node));
  o.emplace_back("mpsim_target", spec.host + " -> " + job.nqn() + " nsid " + std::to_string(job.nsid()));
  return o;
}

sim::JobSpec convert_job(const CheckContext& ctx, const Job& job, const std::string& host) {
  sim::JobSpec spec;
  spec.name = job.name();
  spec.host = host;
  spec.nqn = job.nqn();
  spec.nsid = job.nsid();
  spec.rw = convert_rw(ctx, job).value_or(sim::RwMode::Read);
  spec.rwmixread = job.has_rwmixread() ? job.rwmixread() : 50;
  spec.block_size = convert_bs(ctx, job).value_or(4096);
  spec.iodepth = job.has_iodepth() ? job.iodepth() : 1;
  spec.numjobs = job.has_numjobs() ? job.numjobs() : 1;
  // fio's own fix-ups: a batch of 0 or above iodepth means iodepth; a minimum of 0 waits for 1.
  const std::uint32_t batch = job.has_iodepth_batch_submit() ? job.iodepth_batch_submit() : 1;
  spec.iodepth_batch_submit = batch == 0 || batch > spec.iodepth ? spec.iodepth : batch;
  const std::uint32_t complete_min = job.has_iodepth_batch_complete_min() ? job.iodepth_batch_complete_min() : 1;
  spec.iodepth_batch_complete_min = std::max<std::uint32_t>(1, complete_min);
  convert_lat_log(ctx, job, spec);
  spec.rate_iops = job.rate_iops();
  if (!job.verify().empty()) {
    if (job.verify() != "crc32c" && job.verify() != "md5" && job.verify() != "sha256") {
      ctx.error(job, "verify", "\"" + job.verify() + "\": one of crc32c, md5, sha256");
    } else if (spec.rw == sim::RwMode::Read || spec.rw == sim::RwMode::RandRead) {
      ctx.error(job, "verify", "a read-only job has nothing to verify");
    }
    spec.verify = job.verify();
  }
  spec.continue_on_error = convert_continue_on_error(ctx, job);
  check_counts(ctx, job);
  check_target(ctx, job, host);
  convert_numa(ctx, job, host, spec);
  convert_times(ctx, job, spec);
  convert_region(ctx, job, spec);
  return spec;
}

}  // namespace

std::vector<sim::JobSpec> convert_jobs(const Experiment& exp, const CheckContext& ctx,
                                       std::vector<JobOptions>& options_out) {
  if (exp.jobs().empty()) ctx.error(exp, "jobs", "at least one job is required");
  std::vector<sim::JobSpec> jobs;
  std::set<std::string> names;
  for (const Job& job : exp.jobs()) {
    if (job.name().empty()) ctx.error(job, "name", "required");
    else if (!names.insert(job.name()).second) ctx.error(job, "name", "duplicate job name \"" + job.name() + "\"");
    if (job.host() != "*" || !ctx.topo) {
      jobs.push_back(convert_job(ctx, job, job.host()));
      options_out.push_back(options_as_written(job, jobs.back()));
      continue;
    }
    // host "*": the job on every host of the fabric, "<name>@<host>", so the load grows with a
    // generated fabric's host count (a sizing axis). Errors point at the job as written.
    for (int h = 0; h < ctx.topo->hosts_size(); ++h) {
      const std::string& host = ctx.topo->hosts(h).name();
      if (h == 0) jobs.push_back(convert_job(ctx, job, host));  // the fields checked once
      else check_target(ctx, job, host), jobs.push_back(jobs.back()), convert_numa(ctx, job, host, jobs.back());
      jobs.back().host = host;
      jobs.back().name = job.name() + "@" + host;
      options_out.push_back(options_as_written(job, jobs.back()));
      options_out.back().front().second = jobs.back().name;
    }
  }
  return jobs;
}

// Each part is at most limits::kMaxDurationNs (parse_duration), so the sum fits in 64 bits.
sim::Duration longest_job(const std::vector<sim::JobSpec>& jobs) {
  sim::Duration end{};
  for (const sim::JobSpec& j : jobs) end = std::max(end, j.start_delay + j.ramp_time + j.runtime);
  return end;
}

std::optional<sim::Duration> duration_field(const CheckContext& ctx, const google::protobuf::Message& msg,
                                            std::string_view field, const std::string& text) {
  try {
    return sim::Duration(topology::parse_duration(text));
  } catch (const std::invalid_argument& e) {
    ctx.error(msg, field, e.what());
    return std::nullopt;
  }
}

std::optional<std::uint64_t> size_field(const CheckContext& ctx, const google::protobuf::Message& msg,
                                        std::string_view field, const std::string& text) {
  try {
    return topology::parse_size(text);
  } catch (const std::invalid_argument& e) {
    ctx.error(msg, field, e.what());
    return std::nullopt;
  }
}

}  // namespace mpsim::experiments::detail
