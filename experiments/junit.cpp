#include "experiments/junit.h"

#include "experiments/sweep_files.h"

namespace mpsim::experiments {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string junit_xml(const std::string& suite, const std::vector<JunitCase>& cases) {
  std::size_t failures = 0;
  for (const JunitCase& c : cases) failures += c.outcome.passed ? 0 : 1;
  std::string head = "tests=\"" + std::to_string(cases.size()) + "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\"";
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"" + escape(suite) + "\" " + head + ">\n";
  xml += "  <testsuite name=\"" + escape(suite) + "\" " + head + " skipped=\"0\" time=\"0\">\n";
  for (const JunitCase& c : cases) {
    const SloOutcome& o = c.outcome;
    std::string name = o.name + " [" + o.policy + "] " + o.subject;
    xml += "    <testcase classname=\"" + escape(c.classname) + "\" name=\"" + escape(name) + "\" time=\"0\"";
    if (o.passed) {
      xml += "/>\n";
    } else {
      std::string msg = o.subject + ": measured " + o.measured + ", required " + o.threshold;
      xml += ">\n      <failure message=\"" + escape(msg) + "\" type=\"slo\">" + escape(msg) + "</failure>\n    </testcase>\n";
    }
  }
  return xml + "  </testsuite>\n</testsuites>\n";
}

void write_junit(const std::string& path, const std::string& suite, const std::vector<JunitCase>& cases) {
  write_atomically(path, junit_xml(suite, cases));
}

}  // namespace mpsim::experiments
