// Shared by every fuzz target (tests/fuzz/*.cpp): the input as text, and the one rule every
// target checks — bad input may only end in the project's input errors, never in any other
// exception, a crash, a hang or a sanitizer report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "topologies/file_io.h"
#include "topologies/textproto.h"

// Runs `parse` on the fuzzer's bytes; the input errors a user may see are the expected outcome.
// Anything else escapes and libFuzzer reports it as a crash with the input that caused it.
template <typename Parse>
int mpsim_fuzz_one(const std::uint8_t* data, std::size_t size, Parse parse) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    parse(text);
  } catch (const mpsim::topology::InputError&) {
  } catch (const mpsim::topology::FileError&) {
  }
  return 0;
}
