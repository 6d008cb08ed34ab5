// Pricing for the network simplex: which non-basic arc enters the basis next.
//
// Block search: the most negative reduced cost within a block of arcs, scanning on from where
// the last search stopped. The arcs are visited in units: a cell's real arcs (neighbour table
// and per-direction costs, no arc-id decoding), then chunks of the same size of reservoir arcs
// and artificial arcs of the nodes before the in-nodes, then those of the split cells'
// in-nodes (the others are not in the graph, and pricing them would change the order of the
// search for nothing). Runs of kPricingChunk consecutive units (cache friendly) are taken in
// mixed order (mixing_stride), so a block samples the whole grid.
//
// Cold solves price blocks of sqrt(arcs) (LEMON's block). Warm solves size the block to the
// tree-update work per pivot (recent average, at least kMinBlock): after an easy warm start few
// arcs price negative and any will do, so the search, not the pivots, is the cost; after a hard
// one (deep trees, thousands of nodes moved per pivot) the best of a full block saves pivots
// that cost far more.
//
// Warm solves on local stencils also skip grains (kGrain consecutive units) that cannot have
// turned negative since they were last priced: a grain priced whole without a negative arc stays
// clean until a pivot shifts the potential of a node its arcs touch (note_shift). A pivot
// shifts tens of nodes, so most grains stay clean between two visits. Cold solves do not track
// grains (their pivots shift hundreds of nodes each, so few grains stay clean), nor do global
// stencils (their arcs touch every grain).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <type_traits>
#include <vector>

#include "arc_sets.hpp"
#include "lane_pricing.hpp"
#include "simplex_graph.hpp"
#include "spanning_tree.hpp"

namespace snapflow::transport {

template <class Arcs>
class BlockPricing {
 public:
  BlockPricing(const SimplexGraph<Arcs>& graph, const SpanningTree& tree)
      : graph_(graph),
        arcs_(graph.arcs()),
        tree_(tree),
        max_block_(std::max<int64_t>(
            kMinBlock, static_cast<int64_t>(std::sqrt(static_cast<double>(graph.arc_count()))))) {}

  // A solve's pivots start. A warm start's repairs, a split and a crash basis set potentials
  // anywhere: every grain starts dirty.
  void start(bool warm) {
    adapt_block_ = warm;
    block_ = warm ? kMinBlock : max_block_;
    track_grains_ = std::is_same_v<Arcs, LocalArcs> && warm;
    if (track_grains_) {
      if (touched_by_begin_.empty()) list_touching_grains();
      std::fill(shifted_at_.begin(), shifted_at_.end(), -1);
      std::fill(clean_since_.begin(), clean_since_.end(), -1);
    }
    pivot_clock_ = 0;
    window_pivots_ = window_moved_ = 0;
    searched_units_ = skipped_units_ = grain_misses_ = 0;
  }

  // The arc to enter the basis, or -1 when every arc prices out (the flow is optimal).
  int64_t find_entering_arc() {
    const int64_t arc = search_with_grains();
    // The block the next search uses follows the pivots before this one.
    if (adapt_block_ && window_pivots_ == kBlockWindow) {
      block_ = std::clamp<int64_t>(window_moved_ / window_pivots_, kMinBlock, max_block_);
      window_pivots_ = window_moved_ = 0;
    }
    return arc;
  }

  // A pivot is done; it shifted `moved` nodes.
  void note_pivot(long moved) {
    window_moved_ += moved;
    ++window_pivots_;
    ++pivot_clock_;
  }
  // Node x's potential shifted: the grains whose arcs touch it may price negative again.
  void note_shift(int32_t x) {
    if (track_grains_) shifted_at_[shift_grain(x)] = pivot_clock_;
  }

  long searched_units() const { return searched_units_; }  // by this solve's searches
  long skipped_units() const { return skipped_units_; }
  long grain_misses() const { return grain_misses_; }  // negative arcs only the final pass found

  size_t memory_bytes() const {
    return 4 * (shifted_at_.capacity() + clean_since_.capacity() + touched_by_begin_.capacity() +
                touched_by_.capacity());
  }

 private:
  int64_t search_with_grains() {
    const auto search = [&] {
      const bool any_split = graph_.split_count() != 0;
      if (track_grains_)
        return any_split ? search_block<true, true>() : search_block<false, true>();
      return any_split ? search_block<true, false>() : search_block<false, false>();
    };
    const int64_t arc = search();
    if (arc >= 0 || !track_grains_) return arc;
    // Optimality is certified by a pass that skips nothing (one full scan per solve), so a flaw
    // in the grain bookkeeping costs pivots, never a wrong answer; an arc found there is
    // counted as a miss.
    trust_grains_ = false;
    const int64_t missed = search();
    trust_grains_ = true;
    grain_misses_ += missed >= 0;
    return missed;
  }

  // With no cell split (most warm steps) every target is its own in-node: one dependent load
  // less per arc. kGrains: skip the grains that cannot price negative (warm solves).
  template <bool kAnySplit, bool kGrains>
  int64_t search_block() {
    const int K = graph_.slots();
    const int32_t m = graph_.cells();
    const int64_t real_arcs = graph_.real_arcs();
    const int64_t before_in = graph_.art_base() + graph_.in_base();  // up to the first in-node's
    const std::vector<int32_t>& split_list = graph_.split_list();
    const int32_t other_units = static_cast<int32_t>((before_in - real_arcs + K - 1) / K);
    const int32_t units =
        m + other_units +
        static_cast<int32_t>((split_list.size() + K - 1) / static_cast<size_t>(K));
    int64_t best = -1, best_rc = 0, in_block = 0;
    const int32_t chunk = kPricingChunk;
    const int32_t chunks = (units + chunk - 1) / chunk, padded = chunks * chunk;
    const int64_t* potential = tree_.potential.data();
    const uint8_t* split = graph_.split_flags();
    const int32_t in_base = graph_.in_base();
    if (stride_runs_ != chunks) {
      stride_runs_ = chunks;
      stride_ = mixing_stride(chunks);
    }
    const int32_t graded_units = m + other_units;  // the units the grains cover
    // Prices unit c; returns whether any of its arcs prices negative.
    const auto price_unit = [&](int32_t c) {
      bool negative = false;
      if (c < m) {
        negative = price_cell<kAnySplit>(c, potential, split, best, best_rc);
      } else if (c < graded_units) {
        const int64_t from = real_arcs + static_cast<int64_t>(c - m) * K;
        const int64_t to = std::min(before_in, from + K);
        for (int64_t arc = from; arc < to; ++arc) negative |= price(arc, best, best_rc);
      } else {
        const size_t from = static_cast<size_t>(c - m - other_units) * K;
        const size_t to = std::min(split_list.size(), from + K);
        for (size_t k = from; k < to; ++k) price(before_in + split_list[k], best, best_rc);
      }
      return negative;
    };
    // Prices units c..stop-1 in order, cells of lane blocks eight at a time; true when the
    // search stops after unit c (stops_after), false with c at stop. `negative`: whether an arc
    // priced negative.
    const auto price_units = [&](int32_t& c, int32_t stop, bool& negative,
                                 const auto& stops_after) {
      while (c < stop) {
        if constexpr (std::is_same_v<Arcs, LocalArcs>) {
          if (c % kLanes == 0 && c + kLanes <= stop && c < m && arcs_.lane_block[c / kLanes]) {
            LaneMinima lane;
            price_lane_block(arcs_, c, potential, split, in_base, kAnySplit, lane);
            for (int k = 0; k < kLanes; ++k, ++c) {
              negative |= lane.rc[k] < 0;
              if (lane.rc[k] < best_rc) {
                best_rc = lane.rc[k];
                best = static_cast<int64_t>(c) * K + lane.slot[k];
              }
              if (stops_after(c)) return true;
            }
            continue;
          }
        }
        negative |= price_unit(c);
        if (stops_after(c)) return true;
        ++c;
      }
      return false;
    };
    long searched = 0, skipped = 0;
    int32_t unit = next_unit_, left = padded;
    while (left > 0) {
      // A run's first unit is placed by the stride; the rest of the run follows it.
      const int32_t first = unit % chunk, span = std::min(chunk - first, left);
      const int32_t run_base = static_cast<int32_t>((unit / chunk) * stride_ % chunks) * chunk;
      const int32_t begin = run_base + first, end = std::min(begin + span, units);
      // Counts unit c into the block; true when the block is full and holds an arc to enter:
      // the search stops after c.
      const auto stops_after = [&](int32_t c) {
        in_block += K;
        if (in_block < block_) return false;
        if (best < 0) {
          in_block = 0;
          return false;
        }
        const int32_t next = unit + (c - begin) + 1;
        next_unit_ = next >= padded ? 0 : next;
        searched_units_ += searched + (c - begin) + 1;
        skipped_units_ += skipped;
        return true;
      };
      if constexpr (!kGrains) {
        int32_t c = begin;
        bool negative = false;
        if (price_units(c, end, negative, stops_after)) return best;
      } else {
        // Grain by grain: a grain that cannot price negative (may_price_negative) is skipped
        // but counted, so the search picks the same arcs as if it priced it. The split cells'
        // units (after the graded ones) are always priced.
        for (int32_t c = begin; c < end;) {
          const int32_t g = c / kGrain, grain_first = c;
          const bool graded = c < graded_units;
          const int32_t grain_end = graded ? std::min((g + 1) * kGrain, graded_units) : end;
          const int32_t stop = std::min(grain_end, end);
          const bool priced = !graded || !trust_grains_ || may_price_negative(g);
          bool negative = false;
          if (priced) {
            if (price_units(c, stop, negative, stops_after)) return best;
          } else if (const int32_t last = skip_units(c, stop, best >= 0, in_block); last >= 0) {
            skipped += last - c + 1;
            stops_after(last);
            return best;
          } else {
            skipped += stop - c;
            c = stop;
          }
          // Priced (or skipped) whole: its state is known as of this pivot.
          if (graded && grain_first == g * kGrain && stop == grain_end)
            clean_since_[g] = negative ? -1 : pivot_clock_;
        }
      }
      searched += std::max(0, end - begin);
      left -= span;
      unit = unit + span >= padded ? 0 : unit + span;
    }
    searched_units_ += searched;
    skipped_units_ += skipped;
    return best;
  }

  // Counts the skipped units first..stop-1 into the block (in_block arcs so far) at once, as
  // the unit-by-unit loop would: returns the unit whose count fills the block when an arc to
  // enter is held (`holding`; in_block is then left one unit short, for stops_after), else -1.
  // Without one a full block starts over from 0. (Most units a warm search visits are skipped.)
  int32_t skip_units(int32_t first, int32_t stop, bool holding, int64_t& in_block) const {
    const int64_t K = graph_.slots(), units = stop - first;
    const int64_t to_full = (block_ - in_block + K - 1) / K;  // units until the block is full
    if (units < to_full) {
      in_block += units * K;
      return -1;
    }
    if (holding) {
      in_block += (to_full - 1) * K;
      return first + static_cast<int32_t>(to_full) - 1;
    }
    const int64_t per_block = (block_ + K - 1) / K;
    in_block = (units - to_full) % per_block * K;
    return -1;
  }

  // Whether grain g may hold an arc of negative reduced cost: it had one when last priced
  // whole, or a node its arcs touch has shifted potential since.
  bool may_price_negative(int32_t g) const {
    const int32_t since = clean_since_[g];
    for (int32_t k = touched_by_begin_[g]; k < touched_by_begin_[g + 1]; ++k)
      if (shifted_at_[touched_by_[k]] >= since) return true;
    return false;
  }
  // The grain of node x's cell, whose shifts shifted_at_ records; the root and the reservoir
  // share the last entry.
  int32_t shift_grain(int32_t x) const {
    return graph_.is_cell_node(x) ? graph_.cell_of(x) / kGrain
                                  : static_cast<int32_t>(shifted_at_.size()) - 1;
  }
  // For each grain of search units, the cell grains (and the root's entry) whose nodes its arcs
  // touch: the cells and targets of its real arcs, the cells of its artificial and reservoir
  // arcs. A local stencil touches ~9 grains per grain (the rows above and below).
  void list_touching_grains() {
    const int K = arcs_.slots;
    const int32_t m = graph_.cells();
    const int32_t cell_grains = m / kGrain + 1, root_entry = cell_grains;
    const int32_t graded_units = other_unit(graph_.art_base() + graph_.in_base() - 1) + 1;
    const int32_t grains = (graded_units + kGrain - 1) / kGrain;
    touched_by_begin_.assign(static_cast<size_t>(grains) + 1, 0);
    touched_by_.clear();
    std::vector<std::vector<int32_t>> touching(static_cast<size_t>(grains));
    for (int32_t c = 0; c < m; ++c) {
      std::vector<int32_t>& own = touching[c / kGrain];
      own.push_back(c / kGrain);
      for (int d = 0; d < K; ++d)
        if (const int32_t t = arcs_.target(c, d); t >= 0) own.push_back(t / kGrain);
      touching[other_unit(graph_.artificial_arc(c)) / kGrain].push_back(c / kGrain);
      if (graph_.has_reservoir()) {
        touching[other_unit(graph_.destroy_base() + c) / kGrain].push_back(c / kGrain);
        touching[other_unit(graph_.create_base() + c) / kGrain].push_back(c / kGrain);
      }
    }
    for (int32_t g = m / kGrain; g < grains; ++g) touching[g].push_back(root_entry);
    for (int32_t g = 0; g < grains; ++g) {
      std::vector<int32_t>& found = touching[g];
      std::sort(found.begin(), found.end());
      found.erase(std::unique(found.begin(), found.end()), found.end());
      touched_by_.insert(touched_by_.end(), found.begin(), found.end());
      touched_by_begin_[g + 1] = static_cast<int32_t>(touched_by_.size());
    }
    shifted_at_.assign(static_cast<size_t>(cell_grains) + 1, -1);
    clean_since_.assign(static_cast<size_t>(grains), -1);
  }
  // The search unit of an arc beyond the real ones (reservoir, artificial).
  int32_t other_unit(int64_t arc) const {
    return graph_.cells() + static_cast<int32_t>((arc - graph_.real_arcs()) / graph_.slots());
  }

  // Cell c's arcs: the first of the most negative reduced costs below best_rc becomes the best.
  // Returns whether any arc prices negative.
  template <bool kAnySplit>
  bool price_cell(int32_t c, const int64_t* potential, const uint8_t* split, int64_t& best,
                  int64_t& best_rc) const {
    bool negative = false;
    const int K = arcs_.slots;
    const int32_t in_base = graph_.in_base();
    const int64_t base = static_cast<int64_t>(c) * K;
    const int64_t pc = potential[c];
    for (int d = 0; d < K; ++d) {
      // Tree arcs need no check: they price at exactly zero, never below best_rc.
      const int32_t j = arcs_.target(c, d);
      if (j < 0) continue;
      // j's in-node: in_base + j when j is split, else j.
      const int32_t in_j = kAnySplit ? j + split[j] * in_base : j;
      const int64_t rc = arcs_.cost(c, d) + pc - potential[in_j];
      negative |= rc < 0;
      if (rc < best_rc) {
        best_rc = rc;
        best = base + d;
      }
    }
    return negative;
  }

  // Returns whether the arc prices negative.
  bool price(int64_t arc, int64_t& best, int64_t& best_rc) const {
    if (tree_.in_tree[arc]) return false;
    const int64_t rc = graph_.reduced_cost(arc, tree_.potential);
    if (rc < best_rc) {
      best_rc = rc;
      best = arc;
    }
    return rc < 0;
  }

  // A stride coprime to `runs` near the golden section of it: run k of the search is
  // k * stride mod runs, so a block samples cells from all over the grid. Scanning cells in
  // grid order instead makes the entering arcs sweep the grid and the tree grow long chains,
  // with several times more tree updates (LEMON mixes its arcs for the same reason).
  static int64_t mixing_stride(int32_t runs) {
    int64_t stride = static_cast<int64_t>(runs * 0.618) | 1;
    while (std::gcd(stride, static_cast<int64_t>(runs)) != 1) stride += 2;
    return stride;
  }

  static constexpr int64_t kMinBlock = 16;       // arcs priced per pivot at the least
  static constexpr long kBlockWindow = 64;       // pivots per warm block-size update
  static constexpr int32_t kGrain = 16;          // search units per grain (skipped when clean)
  static constexpr int32_t kPricingChunk = 128;  // consecutive units per run of the search
  static_assert(kPricingChunk % kGrain == 0, "a run holds whole grains");

  const SimplexGraph<Arcs>& graph_;
  const Arcs& arcs_;  // the graph's, one load nearer the pricing's inner loop
  const SpanningTree& tree_;
  int64_t max_block_;
  int64_t block_ = 64;
  bool adapt_block_ = false;  // warm solves size the block to the pivots' work
  long window_pivots_ = 0, window_moved_ = 0;
  int32_t next_unit_ = 0;  // where the next search starts
  int32_t stride_runs_ = 0;
  int64_t stride_ = 1;
  bool track_grains_ = false;  // this solve's search skips clean grains
  bool trust_grains_ = true;   // false: the search prices every grain
  int32_t pivot_clock_ = 0;    // pivots of this solve so far
  long searched_units_ = 0, skipped_units_ = 0, grain_misses_ = 0;
  std::vector<int32_t> shifted_at_;   // per cell grain: the last pivot that shifted a node
  std::vector<int32_t> clean_since_;  // per grain: pivot when priced whole clean, or -1
  std::vector<int32_t> touched_by_begin_, touched_by_;  // list_touching_grains
};

}  // namespace snapflow::transport
