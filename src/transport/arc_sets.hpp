// The arcs of the bipartite transport graph, described implicitly (no arc arrays): out-node c
// (a cell's mass now) sends to in-node target(c, d) (a cell's mass after the step) for each
// slot d of c. Arc (c, d) has id c * slots + d.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace snapflow::transport {

// Local stencil: a neighbour table and one integer cost per direction (regular grid).
struct LocalArcs {
  int slots = 0;
  std::vector<int32_t> neighbour;  // [cells * slots], -1 where the slot has no arc
  std::vector<int64_t> direction_cost;

  int32_t target(int32_t c, int d) const { return neighbour[static_cast<size_t>(c) * slots + d]; }
  int64_t cost(int32_t, int d) const { return direction_cost[d]; }
  int stay_slot(int32_t) const { return slots / 2; }
  // The arc into cell j through slot d (its source, and the source's slot), if any.
  int32_t in_source(int32_t j, int d) const {
    return neighbour[static_cast<size_t>(j) * slots + (slots - 1 - d)];
  }
  int in_slot(int32_t, int d) const { return d; }
  // The slot of the arc back from target(c, d) to c.
  int reverse_slot(int32_t, int d) const { return slots - 1 - d; }
};

// Global problem: every active cell sends to every active cell.
struct GlobalArcs {
  int slots = 0;                     // = number of active cells
  std::vector<int32_t> column, row;  // grid position of each active cell
  int nx = 0;
  std::vector<int64_t> offset_cost;  // [|di| + |dj| * nx]

  int32_t target(int32_t, int d) const { return d; }
  int64_t cost(int32_t c, int d) const {
    return offset_cost[static_cast<size_t>(std::abs(column[d] - column[c]) +
                                           std::abs(row[d] - row[c]) * nx)];
  }
  int stay_slot(int32_t c) const { return c; }
  int32_t in_source(int32_t, int d) const { return d; }
  int in_slot(int32_t j, int) const { return j; }
  int reverse_slot(int32_t c, int) const { return c; }
};

}  // namespace snapflow::transport
