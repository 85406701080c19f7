// Validation and conversion of an experiment's fault schedule: the one place that checks fault
// fields (targets, flap count/period, durations, ANA state, gray factors, loss probability,
// reset side). sim/ and
// validate/ trust the FaultSpecs it returns.
#include <algorithm>
#include <cmath>

#include "experiments/experiment_checks.h"
#include "topologies/units.h"

namespace mpsim::experiments::detail {
namespace {

using experiment::Fault;

constexpr std::int64_t kMinFlapPeriodNs = 1000000;  // 1 ms

std::string seconds_text(sim::Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%gs", static_cast<double>(d.count()) / 1e9);
  return buf;
}

bool names_link(const topology::Topology& topo, std::string_view id) {
  return std::any_of(topo.links().begin(), topo.links().end(),
                     [&](const topology::Link& l) { return topology::link_name(l) == id; });
}

bool names_target_node(const topology::Topology& topo, std::string_view id) {
  return std::any_of(topo.target_nodes().begin(), topo.target_nodes().end(),
                     [&](const topology::TargetNode& n) { return n.name() == id; });
}

// A link, a NIC "<host>.<nic>", a switch, a target node or a target port "<node>.<port>".
bool names_component(const topology::Topology& topo, std::string_view id) {
  return names_link(topo, id) || names_target_node(topo, id) || topology::resolve_endpoint(topo, id).has_value();
}

void check_component(const CheckContext& ctx, const google::protobuf::Message& msg, const std::string& target) {
  if (target.empty()) ctx.error(msg, "target", "required: a link, NIC \"<host>.<nic>\", switch, target node or port \"<node>.<port>\"");
  else if (ctx.topo && !names_component(*ctx.topo, target)) ctx.error(msg, "target", "\"" + target + "\" names nothing in the fabric");
}

sim::Detection convert_detection(experiment::Down::Detection d) {
  switch (d) {
    case experiment::Down::IMMEDIATE: return sim::Detection::Immediate;
    case experiment::Down::SILENT: return sim::Detection::Silent;
    default: return sim::Detection::Auto;
  }
}

void convert_down(const CheckContext& ctx, const experiment::Down& down, sim::FaultSpec& f) {
  check_component(ctx, down, down.target());
  f.kind = sim::faults::Down{convert_detection(down.detection())};
  f.target = down.target();
  f.label = down.target() + " down";
}

// The port exists and exports a namespace of the group.
void check_ana_port(const CheckContext& ctx, const experiment::AnaChange& ana) {
  if (!ctx.topo || ana.port().empty() || ana.grpid() == 0) return;
  if (!topology::find_port(*ctx.topo, ana.port())) {
    ctx.error(ana, "port", "no target port \"" + ana.port() + "\" in the fabric");
    return;
  }
  for (const topology::Subsystem& s : ctx.topo->subsystems()) {
    if (std::find(s.ports().begin(), s.ports().end(), ana.port()) == s.ports().end()) continue;
    for (const topology::Namespace& ns : s.namespaces()) {
      if (ns.ana_grpid() == ana.grpid()) return;
    }
  }
  ctx.error(ana, "grpid", "port \"" + ana.port() + "\" exports no namespace in ANA group " + std::to_string(ana.grpid()));
}

void convert_ana(const CheckContext& ctx, const experiment::AnaChange& ana, sim::FaultSpec& f) {
  if (ana.port().empty()) ctx.error(ana, "port", "required: the target port \"<node>.<port>\"");
  if (ana.grpid() == 0) ctx.error(ana, "grpid", "required: the ANA group (1..128)");
  if (ana.state() == topology::ANA_STATE_UNSPECIFIED) ctx.error(ana, "state", "required: the state during the fault window");
  check_ana_port(ctx, ana);
  sim::faults::AnaChange kind{ana.grpid(), ana.state(), {}};
  if (!ana.transition().empty()) kind.transition = duration_field(ctx, ana, "transition", ana.transition()).value_or(sim::Duration{});
  f.kind = kind;
  f.target = ana.port();
  f.label = ana.port() + " grp " + std::to_string(ana.grpid()) + " " + topology::ana_state_name(ana.state());
}

void convert_flap(const CheckContext& ctx, const experiment::Flap& flap, sim::FaultSpec& f) {
  check_component(ctx, flap, flap.target());
  sim::faults::Flap kind{flap.count(), {}, convert_detection(flap.detection())};
  if (flap.count() == 0) ctx.error(flap, "count", "required: the number of down/up cycles (>= 1)");
  if (flap.count() > topology::limits::kMaxFlapCount) {
    ctx.error(flap, "count", "must be at most " + std::to_string(topology::limits::kMaxFlapCount));
  }
  if (flap.period().empty()) ctx.error(flap, "period", "required: the length of one down+up cycle");
  else if (auto p = duration_field(ctx, flap, "period", flap.period())) {
    if (p->count() < kMinFlapPeriodNs) ctx.error(flap, "period", "must be at least 1ms (one down+up cycle)");
    kind.period = *p;
  }
  // count x period is checked before anything multiplies it (fault_window_end, plan_faults).
  std::int64_t cycles_ns = 0;
  if (__builtin_mul_overflow(kind.period.count(), std::int64_t(flap.count()), &cycles_ns) ||
      cycles_ns > topology::limits::kMaxDurationNs) {
    ctx.error(flap, "count", "count x period is longer than 366d");
    kind.count = 0;
  }
  f.kind = kind;
  f.target = flap.target();
  f.label = flap.target() + " flap x" + std::to_string(flap.count());
}

// 0 means "not written" (proto3): no change on that axis. inf and NaN are refused: dividing a
// bandwidth by inf once made a link faster, not slower.
double gray_factor(const CheckContext& ctx, const experiment::Gray& gray, std::string_view field, double v) {
  if (v == 0) return 1.0;
  if (!(v >= 1.0 && v <= topology::limits::kMaxFactor)) {
    ctx.error(gray, field, "must be >= 1 and at most 10000 (a gray failure only slows a link down)");
  }
  return v;  // an error above stops the load: the value is never used
}

void convert_gray(const CheckContext& ctx, const experiment::Gray& gray, sim::FaultSpec& f) {
  if (gray.target().empty()) ctx.error(gray, "target", "required: a link");
  else if (ctx.topo && !names_link(*ctx.topo, gray.target())) ctx.error(gray, "target", "no link \"" + gray.target() + "\" in the fabric");
  const sim::faults::Gray kind{gray_factor(ctx, gray, "latency_factor", gray.latency_factor()),
                               gray_factor(ctx, gray, "bandwidth_divisor", gray.bandwidth_divisor())};
  if (kind.latency_factor == 1.0 && kind.bandwidth_divisor == 1.0) {
    ctx.error(gray, "latency_factor", "a gray failure needs latency_factor or bandwidth_divisor above 1");
  }
  f.kind = kind;
  f.target = gray.target();
  f.label = gray.target() + " gray latency x" + format_factor(kind.latency_factor) + " bw /" + format_factor(kind.bandwidth_divisor);
}

// proto3 cannot tell 0 from unset, so a loss of 0 is refused as "no loss": a fault must do something.
void convert_loss(const CheckContext& ctx, const experiment::Loss& loss, sim::FaultSpec& f) {
  if (loss.target().empty()) ctx.error(loss, "target", "required: a link");
  else if (ctx.topo && !names_link(*ctx.topo, loss.target())) ctx.error(loss, "target", "no link \"" + loss.target() + "\" in the fabric (random loss applies to links)");
  const double p = loss.probability();
  if (!std::isfinite(p) || p < 0.0 || p > 1.0) ctx.error(loss, "probability", "must be a number in [0, 1] (0.01 = 1 %), not " + format_factor(p));
  else if (p == 0.0) ctx.error(loss, "probability", "required: the chance in (0, 1] that a segment is dropped");
  f.kind = sim::faults::Loss{std::isfinite(p) ? std::clamp(p, 0.0, 1.0) : 0.0};
  f.target = loss.target();
  f.label = loss.target() + " loss " + format_factor(p * 100) + "%";
}

// The text parser rejects an unknown side name itself, but proto3 enums are open: a number
// such as `side: 7` parses, so it is caught here.
sim::ResetSide convert_reset_side(const CheckContext& ctx, const experiment::ControllerReset& reset) {
  switch (reset.side()) {
    case experiment::ControllerReset::HOST: return sim::ResetSide::Host;
    case experiment::ControllerReset::TARGET: return sim::ResetSide::Target;
    default:
      ctx.error(reset, "side", std::to_string(static_cast<int>(reset.side())) + " is not a side: HOST or TARGET");
      return sim::ResetSide::Host;
  }
}

// "<host>/<node>.<port>" of an existing connection.
void convert_reset(const CheckContext& ctx, const experiment::ControllerReset& reset, sim::FaultSpec& f) {
  const std::string& c = reset.controller();
  auto slash = c.find('/');
  if (c.empty() || slash == std::string::npos) {
    ctx.error(reset, "controller", "required: \"<host>/<node>.<port>\"");
  } else if (ctx.topo) {
    std::string host = c.substr(0, slash), port = c.substr(slash + 1);
    bool connected = std::any_of(ctx.topo->connections().begin(), ctx.topo->connections().end(),
                                 [&](const topology::Connection& k) { return k.host() == host && k.port() == port; });
    if (!connected) ctx.error(reset, "controller", "no connection from host \"" + host + "\" to port \"" + port + "\"");
  }
  const sim::faults::ControllerReset kind{convert_reset_side(ctx, reset)};
  f.kind = kind;
  f.target = c;
  f.label = c + (kind.side == sim::ResetSide::Target ? " target reset" : " host reset");
}

void convert_kind(const CheckContext& ctx, const Fault& fault, sim::FaultSpec& f) {
  switch (fault.kind_case()) {
    case Fault::kDown: return convert_down(ctx, fault.down(), f);
    case Fault::kAna: return convert_ana(ctx, fault.ana(), f);
    case Fault::kFlap: return convert_flap(ctx, fault.flap(), f);
    case Fault::kGray: return convert_gray(ctx, fault.gray(), f);
    case Fault::kReset: return convert_reset(ctx, fault.reset(), f);
    case Fault::kLoss: return convert_loss(ctx, fault.loss(), f);
    case Fault::KIND_NOT_SET: ctx.error(fault, "", "a fault needs a kind: down, ana, flap, gray, loss or reset");
  }
}

// `at`, and `duration` where the kind has a window: a flap's is its cycles (a duration only
// bounds them) and a controller reset is an instant (a duration is ignored).
void convert_window(const CheckContext& ctx, const Fault& fault, sim::FaultSpec& f, sim::Duration run_length) {
  if (fault.at().empty()) {
    ctx.error(fault, "at", "required: when the fault starts (e.g. \"2s\")");
  } else if (auto at = duration_field(ctx, fault, "at", fault.at())) {
    f.at = *at;
    if (*at >= run_length) ctx.error(fault, "at", fault.at() + " is not before the run ends (" + seconds_text(run_length) + ")");
  }
  if (fault.duration().empty()) return;
  const auto d = duration_field(ctx, fault, "duration", fault.duration());
  if (!d) return;
  if (d->count() <= 0) ctx.error(fault, "duration", "must be longer than 0 (leave it out for \"until the end\")");
  std::visit(sim::Overloaded{
                 [&](sim::faults::Down& down) { down.duration = *d; },
                 [&](sim::faults::AnaChange& ana) { ana.duration = *d; },
                 [&](sim::faults::Gray& gray) { gray.duration = *d; },
                 [&](sim::faults::Loss& loss) { loss.duration = *d; },
                 [&](const sim::faults::Flap& flap) {  // count x period is bounded in convert_flap
                   if (d->count() < flap.period.count() * std::int64_t(flap.count)) {
                     ctx.error(fault, "duration", "shorter than the flap's count x period");
                   }
                 },
                 [](const sim::faults::ControllerReset&) {},
             },
             f.kind);
}

}  // namespace

std::string format_factor(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::vector<sim::FaultSpec> convert_faults(const experiment::Experiment& exp, const CheckContext& ctx,
                                           sim::Duration run_length) {
  std::vector<sim::FaultSpec> faults;
  int n = 0;
  for (const Fault& fault : exp.faults()) {
    sim::FaultSpec f;
    convert_kind(ctx, fault, f);
    convert_window(ctx, fault, f, run_length);
    std::string label = "f";  // built step by step: GCC 12 warns falsely on "f" + to_string()
    label += std::to_string(++n);
    f.label = label + ": " + f.label + " at " + seconds_text(f.at);
    faults.push_back(std::move(f));
  }
  return faults;
}

}  // namespace mpsim::experiments::detail
