// mpsim_soak: `./mpsim soak [--seconds N] [--seed S] [--cases N] [--failures DIR]`.
// Runs soak cases (seed S, S+1, ...) until the wall-clock budget or the case count is spent.
// Exit 0: every case held every invariant; 1: a case failed (its seed is printed and its
// experiment written to DIR/soak-SEED.textproto); 2: bad arguments.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>

#include "experiments/soak/soak.h"
#include "topologies/file_io.h"

namespace {

struct Args {
  double seconds = 60;
  std::uint64_t seed = 1;
  std::uint64_t cases = UINT64_MAX;
  std::string failures = "soak-failures";
};

bool parse(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return false;
    const char* v = argv[++i];
    char* end = nullptr;
    if (arg == "--seconds") a.seconds = std::strtod(v, &end);
    else if (arg == "--seed") a.seed = std::strtoull(v, &end, 10);
    else if (arg == "--cases") a.cases = std::strtoull(v, &end, 10);
    else if (arg == "--failures") a.failures = v;
    else return false;
    if (end && *end != '\0') return false;
  }
  return a.seconds > 0;
}

}  // namespace

int main(int argc, char** argv) {
  namespace soak = mpsim::experiments::soak;
  Args args;
  if (!parse(argc, argv, args)) {
    std::fprintf(stderr, "usage: mpsim soak [--seconds N] [--seed S] [--cases N] [--failures DIR]\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  std::uint64_t cases = 0, runs = 0, ios = 0, events = 0;
  std::map<std::string, std::uint64_t> kinds;
  for (std::uint64_t seed = args.seed; cases < args.cases && elapsed() < args.seconds; ++seed) {
    const soak::SoakCase c = soak::generate_soak_case(seed);
    const soak::SoakOutcome o = soak::check_soak_case(c);
    ++cases;
    runs += o.runs;
    ios += o.simulated_ios;
    events += o.events;
    for (const std::string& k : c.fault_kinds) ++kinds[k];
    if (!o.problems.empty()) {
      std::filesystem::create_directories(args.failures);
      const std::string file = args.failures + "/soak-" + std::to_string(seed) + ".textproto";
      mpsim::topology::write_file_atomic(file, c.text);
      std::fprintf(stderr, "soak: case seed %llu FAILED (experiment: %s; rerun: mpsim soak --seed %llu --cases 1)\n",
                   static_cast<unsigned long long>(seed), file.c_str(), static_cast<unsigned long long>(seed));
      for (const std::string& p : o.problems) std::fprintf(stderr, "  %s\n", p.c_str());
      return 1;
    }
  }
  std::string kind_text;
  for (const auto& [k, n] : kinds) kind_text += " " + k + "=" + std::to_string(n);
  std::printf("soak: %llu cases (seeds %llu..%llu), %llu policy runs each done twice, %llu simulated I/Os, "
              "%llu engine events (invariants checked after each), cases with fault kinds:%s; %.1f s wall; "
              "every invariant held\n",
              static_cast<unsigned long long>(cases), static_cast<unsigned long long>(args.seed),
              static_cast<unsigned long long>(args.seed + cases - 1), static_cast<unsigned long long>(runs),
              static_cast<unsigned long long>(ios), static_cast<unsigned long long>(events), kind_text.c_str(), elapsed());
  return 0;
}
