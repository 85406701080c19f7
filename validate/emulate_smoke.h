// The live emulator's smoke in the validation guest (`mpsim validate --emulate-smoke`): boots the
// guest with validate/emulate/guest-init.sh, where this mpsim binary runs `mpsim emulate` on
// validate/emulate/ana-flip.textproto and the guest's nvme-tcp host connects to both ports and runs
// fio with crc32c verify through an ANA flip; validate/emulate/guest-proof.sh checks the results.
#pragma once

#include <ostream>
#include <string>

namespace mpsim::validate {

// Streams the script's output to `out`; true when every check passed.
bool run_emulate_smoke(const std::string& source_dir, const std::string& results_dir, std::ostream& out);

}  // namespace mpsim::validate
