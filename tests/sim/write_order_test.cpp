// sim/write_order.h: which late landings are ghost writes.
#include <catch2/catch.hpp>

#include "sim/write_order.h"

using mpsim::sim::WriteOrder;

TEST_CASE("write order: a landing after a newer write was acknowledged is a ghost, with its window", "[write_order]") {
  WriteOrder w;
  // I/O 5 (block 2) finished on the host when the next id was 7; I/O 9 then wrote block 2,
  // acknowledged at t=1000; the old copy of 5 lands at t=1500.
  w.acknowledged(0, 2 * 4096, 4096, 9, 1000);
  WriteOrder::Ghost g = w.landed(0, 2 * 4096, 4096, 7, 1500);
  CHECK(g.blocks == 1);
  CHECK(g.new_blocks == 1);
  CHECK(g.window_ns == 500);
  // The same block again: a ghost, but not a new block.
  g = w.landed(0, 2 * 4096, 4096, 7, 1600);
  CHECK(g.blocks == 1);
  CHECK(g.new_blocks == 0);
  CHECK(w.ghost_blocks() == 1);
}

TEST_CASE("write order: writes in flight together, other blocks and other namespaces are not ghosts", "[write_order]") {
  WriteOrder w;
  w.acknowledged(0, 0, 4096, 9, 1000);
  CHECK(w.landed(0, 0, 4096, 10, 1500).blocks == 0);   // 9 was issued before the landing I/O finished
  CHECK(w.landed(0, 0, 4096, 0, 1500).blocks == 0);    // the host still has it: no order promised
  CHECK(w.landed(0, 4096, 4096, 5, 1500).blocks == 0); // another block
  CHECK(w.landed(1, 0, 4096, 5, 1500).blocks == 0);    // another namespace
  // A 16 KiB write covers four 4 KiB blocks; only the one a newer write holds counts.
  w.acknowledged(0, 3 * 4096, 4096, 20, 2000);
  WriteOrder::Ghost g = w.landed(0, 0, 16384, 15, 2500);
  CHECK(g.blocks == 1);
  CHECK(g.window_ns == 500);
  CHECK(w.tracked_blocks() == 2);
}

TEST_CASE("write order: only the newest acknowledged write per block is kept", "[write_order]") {
  WriteOrder w;
  w.acknowledged(0, 0, 4096, 30, 3000);
  w.acknowledged(0, 0, 4096, 25, 3500);  // older id acknowledged later: not the newest
  WriteOrder::Ghost g = w.landed(0, 0, 4096, 28, 4000);
  CHECK(g.blocks == 1);
  CHECK(g.window_ns == 1000);  // from id 30's acknowledgment
  CHECK(w.tracked_blocks() == 1);
}
