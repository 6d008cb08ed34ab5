// The arcs of the bipartite transport graph, described implicitly (no arc arrays): out-node c
// (a cell's mass now) sends to in-node target(c, d) (a cell's mass after the step) for each
// slot d of c. Arc (c, d) has id c * slots + d.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace snapflow::transport {

// Tie-breaking cost of arc (c, d): a fixed pseudo-random integer in [0, range) (range <=
// 52,429 = 0.05 h: fits 16 bits). With
// isotropic costs on a grid the local LP has many optimal flows (right-then-up costs as much
// as up-then-right), so nearly equal problems could get optimal flows far apart; perturbing
// every move's cost by a tiny amount that depends on the arc, not on the data, makes the
// optimum unique in practice and the flows continuous in the data.
inline int64_t tie_break(int32_t c, int d, uint32_t range) {
  uint32_t x = static_cast<uint32_t>(c) * 0x9E3779B1u ^ static_cast<uint32_t>(d) * 0x85EBCA77u;
  x ^= x >> 15;
  x *= 0x2C1B3C6Du;
  x ^= x >> 12;
  return static_cast<int64_t>((static_cast<uint64_t>(x) * range) >> 32);
}

// Local stencil: a neighbour table and one integer cost per direction (regular grid).
struct LocalArcs {
  int slots = 0;
  std::vector<int32_t> neighbour;  // [cells * slots], -1 where the slot has no arc
  std::vector<int64_t> direction_cost;
  // [cells * slots]: tie_break of each move, 0 for the stays. A table, not the hash in the
  // pricing loop: faster for 2 bytes per arc (docs/transport.md).
  std::vector<uint16_t> tie;
  // For pricing eight cells at once (lane_pricing.hpp): the offsets of each block of eight
  // cells (c / 8) slot by slot [blocks][slots][8], so a block's are one run of memory as in
  // `tie`; and per block, 1 when its cells have every slot and each slot's targets are eight
  // consecutive cells.
  std::vector<uint16_t> tie_by_block;
  std::vector<uint8_t> lane_block;

  int32_t target(int32_t c, int d) const { return neighbour[static_cast<size_t>(c) * slots + d]; }
  int64_t cost(int32_t c, int d) const {
    return direction_cost[d] + tie[static_cast<size_t>(c) * slots + d];
  }
  int stay_slot(int32_t) const { return slots / 2; }
  // The arc into cell j through slot d (its source, and the source's slot), if any.
  int32_t in_source(int32_t j, int d) const {
    return neighbour[static_cast<size_t>(j) * slots + (slots - 1 - d)];
  }
  int in_slot(int32_t, int d) const { return d; }
  // The slot of the arc back from target(c, d) to c.
  int reverse_slot(int32_t, int d) const { return slots - 1 - d; }

  // Builds tie_by_block and lane_block from the tables (blocks of `lanes` cells).
  void index_lane_blocks(int lanes) {
    const int32_t cells = static_cast<int32_t>(neighbour.size() / slots);
    const int32_t blocks = (cells + lanes - 1) / lanes;
    tie_by_block.assign(static_cast<size_t>(blocks) * slots * lanes, 0);
    for (int32_t c = 0; c < cells; ++c)
      for (int d = 0; d < slots; ++d)
        tie_by_block[(static_cast<size_t>(c / lanes) * slots + d) * lanes + c % lanes] =
            tie[static_cast<size_t>(c) * slots + d];
    lane_block.assign(static_cast<size_t>(blocks), 0);
    for (int32_t block = 0; (block + 1) * lanes <= cells; ++block) {
      const int32_t c = block * lanes;
      bool regular = true;
      for (int d = 0; d < slots && regular; ++d) {
        const int32_t first = target(c, d);
        regular = first >= 0 && first + lanes <= cells;
        for (int k = 1; k < lanes && regular; ++k) regular = target(c + k, d) == first + k;
      }
      lane_block[block] = regular;
    }
  }
};

// Global problem: every active cell sends to every active cell.
struct GlobalArcs {
  int slots = 0;                     // = number of active cells
  std::vector<int32_t> column, row;  // grid position of each active cell
  int nx = 0;
  std::vector<int64_t> offset_cost;  // [|di| + |dj| * nx]
  uint32_t tie_range = 0;            // as LocalArcs::tie_range

  int32_t target(int32_t, int d) const { return d; }
  int64_t cost(int32_t c, int d) const {
    if (c == d) return 0;
    return offset_cost[static_cast<size_t>(std::abs(column[d] - column[c]) +
                                           std::abs(row[d] - row[c]) * nx)] +
           tie_break(c, d, tie_range);
  }
  int stay_slot(int32_t c) const { return c; }
  int32_t in_source(int32_t, int d) const { return d; }
  int in_slot(int32_t j, int) const { return j; }
  int reverse_slot(int32_t c, int) const { return c; }
};

}  // namespace snapflow::transport
