#include "validate/sampled_detect.h"

#include <chrono>
#include <optional>
#include <string>

namespace mpsim::validate {
namespace {

bool is_state_change(const sim::EventRow& e) { return e.kind == "ctrl-state" || e.kind == "ana"; }

bool leaves_live(const sim::EventRow& e) { return e.kind == "ctrl-state" && e.detail.rfind("live->", 0) == 0; }

// "connecting->live (connected)": the state after the arrow is "live".
bool returns_live(const sim::EventRow& e) {
  if (e.kind != "ctrl-state") return false;
  const std::size_t arrow = e.detail.find("->live");
  if (arrow == std::string::npos) return false;
  const std::size_t after = arrow + 6;
  return after == e.detail.size() || e.detail[after] == ' ';
}

// When the controller of events[i] (which leaves live) is live again, if it is.
std::optional<sim::Duration> back_live_at(const std::vector<sim::EventRow>& events, std::size_t i) {
  for (std::size_t k = i + 1; k < events.size(); ++k) {
    if (events[k].subject == events[i].subject && returns_live(events[k])) return events[k].at;
  }
  return std::nullopt;
}

// The first sample the sampler took at or after `ms`, if any.
std::optional<std::int64_t> next_sample_ms(const SampleTable& samples, std::int64_t ms) {
  for (const auto& row : samples.rows) {
    if (row.t_ms >= ms) return row.t_ms;
  }
  return std::nullopt;
}

}  // namespace

sim::Duration detect_as_sampled(const sim::FaultMeasure& fault, const std::vector<sim::EventRow>& events,
                                const SampleTable& samples, std::int64_t fault_at_ms) {
  if (fault.time_to_detect.count() < 0 || samples.rows.empty()) return fault.time_to_detect;
  const sim::Duration detected = fault.at + fault.time_to_detect;
  const auto on_samples_clock = [&](sim::Duration t) {
    return fault_at_ms + std::chrono::duration_cast<std::chrono::milliseconds>(t - fault.at).count();
  };
  std::string subject;  // the controller whose change the simulator detected first
  sim::Duration hidden_until{-1};
  for (std::size_t i = 0; i < events.size(); ++i) {
    const sim::EventRow& e = events[i];
    if (e.at < detected || !is_state_change(e)) continue;
    if (subject.empty()) subject = e.subject;
    if (e.subject != subject || e.at <= hidden_until) continue;
    if (!leaves_live(e)) return e.at - fault.at;
    const std::optional<sim::Duration> back = back_live_at(events, i);
    const std::optional<std::int64_t> sample = next_sample_ms(samples, on_samples_clock(e.at));
    if (!back || !sample || *sample <= on_samples_clock(*back)) return e.at - fault.at;
    hidden_until = *back;  // over before the sampler looked: the states in between are too
  }
  return sim::Duration{-1};
}

}  // namespace mpsim::validate
