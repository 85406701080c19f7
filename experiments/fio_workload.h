// A fio job file as an experiment's workload: each job section becomes an experiment Job, its
// fio options mapped to the fields mpsim models, its `filename` (or, without one, its name, as
// fio uses it) mapped to a host and namespace by "FILENAME=HOST:NQN:NSID".
//
//   keys mpsim models     rw/readwrite, rwmixread, rwmixwrite, bs/blocksize, iodepth, numjobs,
//                         rate_iops, runtime/timeout, ramp_time, startdelay, time_based,
//                         iodepth_batch/iodepth_batch_submit, iodepth_batch_complete(_min),
//                         size, offset (the job's LBA region: Job.size, Job.offset),
//                         write_lat_log, write_iops_log, write_bw_log with log_avg_msec,
//                         numa_cpu_nodes (one node or "all": Job.numa_node), cpus_allowed
//                         (whole NUMA nodes, resolved by the loader: Job.cpus_allowed)
//   an error, explained   offset_increment (clones share one region), write_*_log without
//                         log_avg_msec (per-I/O logs: the simulator keeps windows, not I/Os)
//   no effect (one note)  ioengine, direct, buffered, filename, group_reporting, thread, ...
//   anything else         an error naming FILE:LINE and the key
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "experiments/experiment.pb.h"
#include "experiments/fio_job_file.h"

namespace mpsim::experiments {

struct FioTarget {
  std::string filename;  // "" = every job without a map of its own
  std::string host;
  std::string nqn;
  std::uint32_t nsid = 0;
};

// "FILENAME=HOST:NQN:NSID" or "HOST:NQN:NSID" (every job); an NQN may contain ':'.
// Throws std::invalid_argument saying what is wrong.
FioTarget parse_fio_target(std::string_view text);

struct FioWorkload {
  std::vector<experiment::Job> jobs;
  std::vector<std::string> notes;  // options accepted without effect, one line
  std::uint64_t log_avg_ms = 0;    // > 0: a job asked for fio's logs (write_*_log with log_avg_msec)
};

// Throws topology::InputError with a "FILE:LINE: key: message" line per problem.
FioWorkload fio_workload(const std::vector<FioJobSection>& sections, const std::vector<FioTarget>& targets);

// Reads and converts a job file; includes are resolved relative to its directory.
FioWorkload read_fio_workload(const std::string& path, const std::vector<FioTarget>& targets);

}  // namespace mpsim::experiments
