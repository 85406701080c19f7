// `mpsim calibrate`: fio's JSON of the user's own device in, a fitted media model out
// (models/calibrate.h has the math), and the fit checked by simulating both runs on it.
//
//   FioRunFigures a = read_fio_run(text_a, "qd1.json"), b = read_fio_run(text_b, "qd16.json");
//   MediaFit fit = models::fit_media(a, b, base);
//   std::vector<SimulatedRun> check = simulate_fio_runs(fit.params, {a, b});
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "models/calibrate.h"

namespace mpsim::experiments {

// fio 3.x --output-format=json (or json+) of one job (numjobs > 1 with group_reporting: one entry).
// Throws models::CalibrationInputError naming `origin` and the field path ("qd1.json:
// jobs[0].read.clat_ns.percentile.99.000000: missing") when the text is not fio JSON, has not
// one job, a key the fit needs is missing or not a number, the job stopped on an error, it did
// no I/O, or it both read and wrote.
models::FioRunFigures read_fio_run(std::string_view text, const std::string& origin);

// What the simulator measured for one run replayed on the fitted model.
struct SimulatedRun {
  double iops = 0, p50_us = 0, p99_us = 0;
};

// Each run replayed (its direction, block size, queue depth; `runtime_s` simulated seconds, seed
// 1) against one namespace of `media` on a fabric that adds next to nothing: one host and one
// target port on 100 Gbps links of 0.1 us, no CPU cost on either side. So what it measures
// is the media model alone, as fio saw the device locally. Throws std::runtime_error if the
// engine refuses the model (a parameter outside the input limits).
std::vector<SimulatedRun> simulate_fio_runs(const models::MediaParams& media, const std::vector<models::FioRunFigures>& runs,
                                            double runtime_s = 2.0);

// The experiment simulate_fio_runs runs for `run` (text format; its job is named "replay").
std::string replay_experiment_text(const models::MediaParams& media, const models::FioRunFigures& run, double runtime_s);

// `models { media { key: NAME value { ... } } }` with every field of `media`, for an experiment
// file; `comment` lines go above it as `# ...`.
std::string media_textproto(const std::string& name, const models::MediaParams& media,
                            const std::vector<std::string>& comment);

}  // namespace mpsim::experiments
