// Submitting a sweep's points as one Slurm array job and waiting for it, through the Slurm
// client commands (sbatch, squeue, scontrol) run as child processes without a shell.
#include "experiments/sweep_slurm.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "experiments/sweep.h"
#include "experiments/sweep_files.h"
#include "topologies/file_io.h"

extern char** environ;

namespace mpsim::experiments {
namespace {

namespace fs = std::filesystem;

struct Finished {
  bool started = false;  // false: the command could not be run (e.g. not on PATH)
  int status = -1;       // exit status; 128 + signal if killed
  std::string out, err;
};

// Runs `argv` (looked up on PATH), capturing stdout and stderr.
Finished run_command(const std::vector<std::string>& argv) {
  Finished f;
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0) return f;
  if (pipe(err_pipe) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return f;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) posix_spawn_file_actions_addclose(&actions, fd);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // sbatch, squeue and scontrol get the usual signals back (mpsim blocks SIGINT/SIGTERM for its
  // interrupt watcher, experiments/interrupt.h, and a blocked mask survives exec).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc == 0) {
    f.started = true;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    std::string* sinks[2] = {&f.out, &f.err};
    int open_fds = 2;
    char buf[4096];
    while (open_fds > 0) {
      if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = read(fds[i].fd, buf, sizeof buf);
        if (n > 0) {
          sinks[i]->append(buf, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
          fds[i].fd = -1;
          --open_fds;
        }
      }
    }
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    f.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  }
  close(out_pipe[0]);
  close(err_pipe[0]);
  return f;
}

std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

// `what` ran and failed: the command, its status and what it said.
std::string failure(const std::string& what, const Finished& f) {
  return what + " failed (exit " + std::to_string(f.status) + "): " + trimmed(f.err.empty() ? f.out : f.err);
}

Finished run_slurm(const std::vector<std::string>& argv) {
  Finished f = run_command(argv);
  if (!f.started) {
    throw SlurmError(argv[0] + " not found on PATH: --slurm needs Slurm's client commands (Debian: slurm-client) "
                               "and a reachable slurmctld; without them run the sweep locally (-j N)");
  }
  return f;
}

// A word for a POSIX shell: single-quoted, embedded quotes closed and escaped.
std::string shell_quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void write_text(const fs::path& path, const std::string& text) {
  try {
    topology::write_file_atomic(path, text);
  } catch (const topology::FileError& e) {
    throw SlurmError(e.what());
  }
}

// "Key=Value" fields of one `scontrol -o show job` record (values without spaces suffice here).
std::map<std::string, std::string> record_fields(const std::string& line) {
  std::map<std::string, std::string> fields;
  std::istringstream words(line);
  std::string word;
  while (words >> word) {
    std::size_t eq = word.find('=');
    if (eq != std::string::npos) fields.emplace(word.substr(0, eq), word.substr(eq + 1));
  }
  return fields;
}

}  // namespace

std::string point_result_path(const std::string& dir, std::size_t index) {
  return point_file(dir, index, ".result.json");
}

std::uint32_t array_task_count(std::size_t points, std::uint32_t tasks_per_job) {
  return static_cast<std::uint32_t>((points + tasks_per_job - 1) / tasks_per_job);
}

SlurmSubmission submit_sweep_array(const std::string& dir, std::size_t points, const SlurmArrayOptions& options) {
  if (points == 0) throw SlurmError("the sweep has no points to submit");
  if (options.tasks_per_job == 0) throw SlurmError("--tasks-per-job must be at least 1");
  const fs::path root = fs::absolute(dir);
  const fs::path slurm_dir = root / "slurm";
  fs::create_directories(slurm_dir);

  SlurmSubmission job;
  job.tasks = array_task_count(points, options.tasks_per_job);
  job.script = (slurm_dir / "array.sh").string();
  // Kept in DIR so the submission can be read, and resubmitted by hand (sbatch --array=...).
  write_text(job.script, "#!/bin/sh\n# mpsim sweep: array task I runs points I*K .. I*K+K-1 of this directory.\n"
                         "exec " + shell_quoted(options.mpsim) + " sweep-run " + shell_quoted(root.string()) +
                             " --index \"$SLURM_ARRAY_TASK_ID\" --count " + std::to_string(options.tasks_per_job) +
                             "\n");

  std::vector<std::string> argv = {"sbatch", "--parsable", "--array=0-" + std::to_string(job.tasks - 1),
                                   "--job-name=mpsim-sweep", "--output=" + (slurm_dir / "task_%A_%a.out").string(),
                                   "--chdir=" + root.string()};
  if (!options.partition.empty()) argv.push_back("--partition=" + options.partition);
  argv.push_back(job.script);
  Finished f = run_slurm(argv);
  if (f.status != 0) throw SlurmError(failure("sbatch", f));
  // --parsable prints "jobid" or "jobid;cluster".
  job.job_id = trimmed(f.out.substr(0, f.out.find(';')));
  if (job.job_id.empty() || job.job_id.find_first_not_of("0123456789") != std::string::npos) {
    throw SlurmError("sbatch printed no job id: \"" + trimmed(f.out) + "\"");
  }
  write_text(slurm_dir / "job_id", job.job_id + "\n");
  return job;
}

std::vector<ArrayTaskOutcome> wait_for_array(const SlurmSubmission& job, const SlurmArrayOptions& options) {
  using clock = std::chrono::steady_clock;
  clock::time_point last_contact = clock::now();
  for (;;) {
    Finished f = run_slurm({"squeue", "--noheader", "--jobs=" + job.job_id, "--format=%T"});
    if (f.status == 0) {
      if (trimmed(f.out).empty()) break;  // no task pending or running
      last_contact = clock::now();
    } else if (f.err.find("Invalid job id") != std::string::npos) {
      break;  // finished and already forgotten by squeue
    } else if (clock::now() - last_contact > options.lost_contact_limit) {
      throw SlurmError(failure("squeue", f) + "; job " + job.job_id +
                       " may still be running: collect its results later with `mpsim sweep --collect DIR`");
    }
    std::this_thread::sleep_for(options.poll);
  }

  std::map<std::uint32_t, ArrayTaskOutcome> by_task;
  Finished f = run_slurm({"scontrol", "--oneliner", "show", "job", job.job_id});
  if (f.status == 0) {
    std::istringstream lines(f.out);
    std::string line;
    while (std::getline(lines, line)) {
      auto fields = record_fields(line);
      const std::string& id = fields["ArrayTaskId"];
      if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) continue;
      ArrayTaskOutcome o{static_cast<std::uint32_t>(std::stoul(id)), fields["JobState"], fields["ExitCode"],
                         fields["Reason"]};
      by_task[o.task] = o;
    }
  }
  std::vector<ArrayTaskOutcome> outcomes;
  for (std::uint32_t t = 0; t < job.tasks; ++t) {
    auto it = by_task.find(t);
    outcomes.push_back(it != by_task.end() ? it->second : ArrayTaskOutcome{t, "UNKNOWN", "", "not known to scontrol"});
  }
  return outcomes;
}

std::vector<std::pair<std::size_t, std::string>> unfinished_points(const std::string& dir, std::size_t points,
                                                                   std::uint32_t tasks_per_job,
                                                                   const SlurmSubmission& job,
                                                                   const std::vector<ArrayTaskOutcome>& outcomes) {
  std::vector<std::pair<std::size_t, std::string>> out;
  for (std::size_t p = 0; p < points; ++p) {
    if (fs::exists(point_result_path(dir, p))) continue;
    const std::uint32_t task = static_cast<std::uint32_t>(p / tasks_per_job);
    std::string how = "ended without writing its result";
    for (const ArrayTaskOutcome& o : outcomes) {
      if (o.task != task) continue;
      how = "ended " + o.state;
      if (!o.exit_code.empty()) how += " (exit " + o.exit_code + (o.reason.empty() ? "" : ", " + o.reason) + ")";
      if (o.completed()) how += " without writing this point's result";
    }
    out.emplace_back(p, "Slurm array task " + std::to_string(task) + " of job " + job.job_id + " " + how +
                            "; its output: " + (fs::absolute(dir) / "slurm").string() + "/task_" + job.job_id + "_" +
                            std::to_string(task) + ".out");
  }
  return out;
}

SlurmSweepRun run_sweep_array(const std::string& dir, std::size_t points, const SlurmArrayOptions& options, bool wait,
                              const std::function<void(std::size_t, const std::string&)>& mark_failed) {
  SlurmSweepRun run;
  run.job = submit_sweep_array(dir, points, options);
  if (!wait) return run;
  run.waited = true;
  run.failed = unfinished_points(dir, points, options.tasks_per_job, run.job, wait_for_array(run.job, options));
  for (const auto& [point, reason] : run.failed) mark_failed(point, reason);
  return run;
}

}  // namespace mpsim::experiments
