// What the guest measured in /work/tmp-val/final2 (validate/README.md, "Calibration"): the four
// calibration runs' IOPS, mean, p50 and p99 (us), shared by the calibration and probe tests.
#pragma once

#include "validate/calibration.h"

namespace mpsim::validate::testing {

inline CalibrationRuns final2_runs() {
  CalibrationRuns r;
  r.qd1_read = {17153.0, 55.733019, 47.805, 176.635};
  r.qd16_read = {14236.5, 1102.539664, 893.901, 7210.297};
  r.qd1_write = {13975.0, 68.924558, 52.937, 220.651};
  r.qd16_write = {7576.5, 2046.159627, 1128.771, 11833.816};
  return r;
}

}  // namespace mpsim::validate::testing
