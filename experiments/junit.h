// JUnit XML for CI: one <testcase> per SLO assertion x policy x subject (x sweep point), in the
// shape Jenkins, GitLab and the junit-10 XSD read: <testsuites><testsuite name tests failures>
// <testcase classname name><failure message/></testcase></testsuite></testsuites>.
#pragma once

#include <string>
#include <vector>

#include "experiments/slo.h"

namespace mpsim::experiments {

struct JunitCase {
  std::string classname;  // "<experiment>" or "<experiment>.point-0003"
  SloOutcome outcome;
};

std::string junit_xml(const std::string& suite, const std::vector<JunitCase>& cases);
void write_junit(const std::string& path, const std::string& suite, const std::vector<JunitCase>& cases);  // throws

}  // namespace mpsim::experiments
