// report.html: one self-contained page (plots, fault table, ledger) built from the files that
// `mpsim run --out DIR` writes (reports.h), so a finished run can be reported on again later.
// The plotting library (dygraphs) and the page template are embedded in the binary at build time.
#pragma once

#include <stdexcept>
#include <string>

namespace mpsim::experiments {

// The directory is missing, is not an mpsim result, or holds a file this version cannot read.
// The message names the file (and line or field) at fault.
class ReportInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The page for the results in `results_dir`, deterministic (same files -> same bytes).
// Throws ReportInputError.
std::string report_html(const std::string& results_dir);

// Writes `results_dir`/report.html whole or not at all (a temporary file renamed into place) and
// returns its path. Throws ReportInputError, or std::runtime_error if the file cannot be written.
std::string write_report_html(const std::string& results_dir);

}  // namespace mpsim::experiments
