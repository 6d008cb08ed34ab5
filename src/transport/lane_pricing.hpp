// Pricing eight consecutive cells at once. Where the cells of a block c..c+7 (c a multiple of
// 8) all have every stencil slot and each slot's targets are eight consecutive cells too (the
// interior of a row of the grid: the lane blocks of LocalArcs), the reduced costs of one slot
// for the eight cells are one run of source potentials, one run of target potentials and one
// run of tie-breaking offsets (the block's copy of the table): vector loads, no gathers. Each
// cell's least reduced cost over its slots, and the first slot that reaches it, are what the block
// search needs (it takes the strictly smallest, the first one on ties, as the cell-by-cell loop
// does).
//
// The vector kernel uses AVX2 and is chosen at run time; elsewhere the same minima come from
// a scalar loop, so the search picks the same arcs on every machine.
#pragma once

#include <cstdint>

#include "arc_sets.hpp"

namespace snapflow::transport {

constexpr int kLanes = 8;  // cells priced together

struct LaneMinima {
  int64_t rc[kLanes];    // least reduced cost of cell c + k over its slots
  int32_t slot[kLanes];  // the first slot reaching it
};

// Cells c..c+7 of a lane block (arcs.lane_block[c / 8]). A target j's potential is that of its
// in-node, in_base + j when split[j] (any_split: some cell is split), else j's own.
void price_lane_block(const LocalArcs& arcs, int32_t c, const int64_t* potential,
                      const uint8_t* split, int32_t in_base, bool any_split, LaneMinima& out);

// The two kernels price_lane_block chooses between (the test checks that they agree): the
// scalar one, and the AVX2 one, which returns false, computing nothing, without AVX2.
void price_lane_block_scalar(const LocalArcs& arcs, int32_t c, const int64_t* potential,
                             const uint8_t* split, int32_t in_base, bool any_split,
                             LaneMinima& out);
bool price_lane_block_avx2(const LocalArcs& arcs, int32_t c, const int64_t* potential,
                           const uint8_t* split, int32_t in_base, bool any_split, LaneMinima& out);

}  // namespace snapflow::transport
