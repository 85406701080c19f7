#include "experiments/fio_job_file.h"

#include <stdexcept>

#include "topologies/textproto.h"

namespace mpsim::experiments {
namespace {

constexpr int kMaxIncludeDepth = 16;  // an include loop ends here instead of recursing forever

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

class Parser {
 public:
  explicit Parser(const FioIncludeReader& read_include) : read_include_(read_include) {}

  void parse(std::string_view text, const std::string& file, int depth) {
    int line_no = 0;
    for (std::size_t pos = 0;;) {
      const std::size_t nl = text.find('\n', pos);
      line(trim(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos)), file, ++line_no, depth);
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
    }
  }

  std::vector<FioJobSection> finish() {
    if (!problems_.empty()) throw topology::InputError(problems_);
    return std::move(jobs_);
  }

 private:
  void line(std::string_view l, const std::string& file, int line_no, int depth) {
    if (l.empty() || l.front() == ';' || l.front() == '#') return;
    const std::string where = file + ":" + std::to_string(line_no) + ": ";
    if (l.front() == '[') {
      if (depth > 0) return problem(where + "a section in an included file (fio: \"No new sections in included files\")");
      if (l.back() != ']' || l.size() < 3) return problem(where + "a section header is [NAME]: " + std::string(l));
      section(std::string(trim(l.substr(1, l.size() - 2))), file, line_no);
      return;
    }
    if (!in_section_) return problem(where + "option outside of a [] job section: " + std::string(l));
    if (l.substr(0, 7) == "include" && (l.size() == 7 || l[7] == ' ' || l[7] == '\t')) {
      return include(std::string(trim(l.substr(7))), where, depth);
    }
    FioOption o;
    const std::size_t eq = l.find('=');
    o.key = std::string(trim(l.substr(0, eq)));
    if (eq != std::string_view::npos) {
      o.value = std::string(trim(l.substr(eq + 1)));
      o.has_value = true;
    }
    if (o.key.empty()) return problem(where + "an option needs a name: " + std::string(l));
    o.file = file;
    o.line = line_no;
    (in_global_ ? globals_ : jobs_.back().options).push_back(std::move(o));
  }

  void section(std::string name, const std::string& file, int line_no) {
    in_section_ = true;
    in_global_ = name.compare(0, 6, "global") == 0;  // fio: strncmp(name, "global", 6)
    if (in_global_) return;
    // A nameless section is still opened, so the options under it have a section to go to (the
    // problem makes finish() throw). Found by the fio fuzz target: `[ ]` then an option.
    if (name.empty()) problem(file + ":" + std::to_string(line_no) + ": a job section needs a name");
    jobs_.push_back(FioJobSection{std::move(name), file, line_no, globals_});
  }

  void include(const std::string& path, const std::string& where, int depth) {
    if (path.empty()) return problem(where + "include needs a file name");
    if (!read_include_) return problem(where + "include " + path + ": includes are not read here");
    if (depth + 1 >= kMaxIncludeDepth) return problem(where + "include " + path + ": nested more than 16 deep (a loop?)");
    std::string text;
    try {
      text = read_include_(path);
    } catch (const std::exception& e) {
      return problem(where + "include " + path + ": " + e.what());
    }
    parse(text, path, depth + 1);
  }

  void problem(std::string text) { problems_.push_back(std::move(text)); }

  const FioIncludeReader& read_include_;
  bool in_section_ = false;
  bool in_global_ = false;
  std::vector<FioOption> globals_;
  std::vector<FioJobSection> jobs_;
  std::vector<std::string> problems_;
};

}  // namespace

std::vector<FioJobSection> parse_fio_job_file(std::string_view text, const std::string& filename,
                                              const FioIncludeReader& read_include) {
  Parser p(read_include);
  p.parse(text, filename, 0);
  return p.finish();
}

}  // namespace mpsim::experiments
