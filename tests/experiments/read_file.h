// Whole-file reads for tests that compare written reports byte for byte: the one file helper.
#pragma once

#include "topologies/file_io.h"

using mpsim::topology::read_file;
