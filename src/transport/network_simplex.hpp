// Exact primal network simplex on the transport graph, bipartite or in net-change form per cell
// (integer flows and costs, every arc uncapacitated). The parts:
//   simplex_graph.hpp      the nodes and arcs, the split cells, big-M artificial arcs
//   spanning_tree.hpp      the basis as a threaded spanning tree and a pivot's updates to it
//   block_pricing.hpp      which arc enters (block search, clean grains skipped)
//   warm_start_repair.hpp  tree flows for new supplies, the repair of a kept basis
// This file is the main loop: the starting basis (crash or warm), then pivots until no arc
// prices negative, then the stays of the single cells and the cells to split.
//
// Cold start (crash basis): each split cell's stay arc (out c -> in c, cost 0, flow
// min(A_c, B_c)) is basic and the pair hangs from the root by one artificial arc carrying the
// net change A_c - B_c; a single cell hangs from the root alone. The starting basis is thus
// already optimal for the mass that stays; only the net change (DESIGN.md section 1.2) is left
// for the pivots.
//
// A pivot: the entering arc closes a cycle with the tree (find_cycle climbs from both ends to
// the join), the ratio test picks the leaving arc (ties broken so the tree stays strongly
// feasible), the flow changes along the cycle, the leaving arc's subtree is re-rooted under the
// entering arc (update_thread, rehang) and its potentials (or the rest's, when smaller) shift.
// Most warm pivots are degenerate moves of a balanced subtree hanging by an idle arc: those skip
// the cycle (move_balanced_subtree).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "block_pricing.hpp"
#include "simplex_graph.hpp"
#include "snapflow/core/error.hpp"
#include "spanning_tree.hpp"
#include "warm_start_repair.hpp"

namespace snapflow::transport {

struct FlowStats {
  int64_t unroutable = 0;  // flow left on artificial arcs: mass that could not be placed
  long pivots = 0;
  long block_moves = 0;     // of which degenerate moves of a balanced subtree (no cycle walk)
  long moved_nodes = 0;     // nodes re-hung by pivots (tree update work)
  long repairs = 0;         // warm start: tree arcs re-attached without big-M
  long split_cells = 0;     // cells solved as out/in pairs (the others as single nodes)
  long searched_units = 0;  // units of arcs (a cell's, or as many others) the pricing visited
  long skipped_units = 0;   // of which skipped: in grains that could not price negative
  long grain_misses = 0;    // negative arcs the skipping missed and the final check found

  // Adds the work of a later solve of the same problem, and takes its outcome.
  void add(const FlowStats& later) {
    unroutable = later.unroutable;
    split_cells = later.split_cells;
    pivots += later.pivots;
    block_moves += later.block_moves;
    moved_nodes += later.moved_nodes;
    repairs += later.repairs;
    searched_units += later.searched_units;
    skipped_units += later.skipped_units;
    grain_misses += later.grain_misses;
  }
};

// Net-change form first (DESIGN.md section 1.2). Each cell is either single: one node with
// supply A_c - B_c and no bound on what it passes on (stay arc unused), or split: an out-node
// (its mass now) and an in-node (its mass after the step) joined by its stay arc, as the
// transport problem is posed. All cells start single: a relaxation on the grid graph with half
// the nodes, so every tree walk and subtree shift is about half as long. Its optimal flow is
// optimal for the transport problem when no single cell sends on more than it holds;
// otherwise solve() splits the overdrawn cells, keeping the basis, and solves again. Split
// cells stay split for the solver's life (the same near-empty cells are overdrawn step after
// step). A flow that leaves mass unroutable is finished with every cell split, so the
// unroutable mass is that of the problem as posed.
template <class Arcs>
class NetworkSimplex {
 public:
  NetworkSimplex(const Arcs& arcs, int32_t cells, bool reservoir, int64_t penalty)
      : graph_(arcs, cells, reservoir, penalty),
        tree_(graph_.nodes(), graph_.arc_count(), graph_.root()),
        flow_(static_cast<size_t>(graph_.arc_count()), 0),
        supply_(static_cast<size_t>(graph_.nodes()), 0),
        pricing_(graph_, tree_),
        repair_(graph_, tree_, flow_) {}

  FlowStats solve(const std::vector<int64_t>& A, const std::vector<int64_t>& B, bool warm) {
    FlowStats stats = solve_once(A, B, warm);
    while (!overdrawn_.empty() || (stats.unroutable > 0 && !graph_.all_split())) {
      if (stats.unroutable > 0)
        split_all_cells();
      else
        split_cells(overdrawn_);
      stats.add(solve_once(A, B, true));
    }
    stats.split_cells = graph_.split_count();
    return stats;
  }

  // Flow of arc (c, d) (the stay arc included), and of the reservoir arcs of cell c.
  int64_t flow(int32_t c, int d) const {
    return flow_[static_cast<size_t>(c) * graph_.slots() + d];
  }
  // Whether real arc (c, d) prices at zero after a solve: the arcs some optimal flow may use
  // (every optimal flow is zero on the others).
  bool prices_at_zero(int32_t c, int d) const {
    return graph_.reduced_cost(static_cast<int64_t>(c) * graph_.slots() + d, tree_.potential) == 0;
  }
  bool split(int32_t c) const { return graph_.split(c); }
  int64_t destroyed(int32_t c) const {
    return graph_.has_reservoir() ? flow_[graph_.destroy_base() + c] : 0;
  }
  int64_t created(int32_t c) const {
    return graph_.has_reservoir() ? flow_[graph_.create_base() + c] : 0;
  }

  size_t memory_bytes() const {
    return graph_.memory_bytes() + tree_.memory_bytes() + pricing_.memory_bytes() +
           repair_.memory_bytes() + 8 * (flow_.capacity() + supply_.capacity()) +
           4 * (overdrawn_.capacity() + order_.capacity());
  }

 private:
  // One solve with the cells split as they are; the stays of single cells are placed after it
  // and the overdrawn ones listed.
  FlowStats solve_once(const std::vector<int64_t>& A, const std::vector<int64_t>& B, bool warm) {
    const int32_t m = graph_.cells(), root = graph_.root();
    std::fill(supply_.begin(), supply_.end(), 0);
    int64_t missing = 0;
    for (int32_t c = 0; c < m; ++c) {
      supply_[c] += A[c];
      supply_[graph_.in(c)] -= B[c];
      missing += B[c] - A[c];
    }
    if (graph_.has_reservoir()) supply_[graph_.reservoir_node()] = missing;
    const bool warm_start = warm && solved_;
    if (!warm_start) {
      build_crash_basis();
      update_potentials();  // the thread, for the repairs
    }
    FlowStats stats;
    stats.repairs = repair_.place_tree_flows(supply_, warm_start);
    // A warm start's moves keep the thread and the potentials; a cold start's artificial
    // arcs take their sides without, so its potentials are computed afresh.
    if (!warm_start) {
      tree_.rebuild_child_lists();
      update_potentials();
    } else {
      tree_.count_subtree_sizes();
      // Always on: a move that shifted a subtree without its potentials would otherwise let
      // the pivots stop at a flow that is not optimal.
      SNAPFLOW_VERIFY(tree_arcs_tight(),
                      "transport: warm start left a tree arc with a nonzero "
                      "reduced cost (solver bug)");
    }
    load_tree_flows();
    pivot_to_optimality(stats, warm_start);
    tree_.rebuild_child_lists();
    store_tree_flows();
    SNAPFLOW_ASSERT(tree_is_consistent(), "transport: " << tree_problem_ << " (solver bug)");
    for (int32_t v = 0; v < graph_.nodes(); ++v)
      if (v != root && graph_.art_up(v)) stats.unroutable += flow_[graph_.artificial_arc(v)];
    solved_ = true;
    place_stays(A);
    return stats;
  }

  // Splits `cells` (single so far), keeping the basis as the warm start of the next solve_once:
  // each tree arc keeps its place, now between the sender's out-node and the receiver's
  // in-node, and each new pair hangs together by its stay arc. Both nodes of a pair get the
  // cell's potential, so every reduced cost stays >= 0 and only the new stays that come out
  // negative (the overdraws) need repairs and pivots.
  void split_cells(const std::vector<int32_t>& cells) {
    graph_.mark_split(cells);
    const int32_t root = graph_.root();
    tree_.breadth_first_order(root, order_);
    const std::vector<int64_t> old_pred = tree_.pred;
    const std::vector<int8_t> old_up = tree_.up;
    std::vector<uint8_t> fresh(static_cast<size_t>(graph_.cells()), 0);
    for (int32_t c : cells) fresh[c] = 1;
    tree_.clear();
    std::fill(flow_.begin(), flow_.end(), 0);
    for (size_t k = 1; k < order_.size(); ++k) {
      const int32_t x = order_[k];
      const int64_t arc = old_pred[x];
      if (graph_.is_artificial(arc)) {
        attach(x, root, arc);
      } else {
        const int32_t from = graph_.source(arc), to = graph_.target(arc);  // the new layout
        attach(old_up[x] ? from : to, old_up[x] ? to : from, arc);
      }
      if (x < graph_.cells() && fresh[x]) {
        const int32_t top = graph_.is_artificial(arc) || old_up[x] ? x : graph_.in(x);
        attach(graph_.partner(top), top, graph_.stay_arc(x));
      }
    }
    update_potentials();
  }
  void split_all_cells() {
    std::vector<int32_t> single;
    for (int32_t c = 0; c < graph_.cells(); ++c)
      if (!graph_.split(c)) single.push_back(c);
    split_cells(single);
  }

  // Single cells: the stay arc (a self-loop, never in the tree) takes what the cell keeps, A_c
  // minus all it sends on; a negative stay means the flow is not a transport (overdrawn_).
  void place_stays(const std::vector<int64_t>& A) {
    overdrawn_.clear();
    if (graph_.all_split()) return;
    const Arcs& arcs = graph_.arcs();
    const int K = arcs.slots;
    for (int32_t c = 0; c < graph_.cells(); ++c) {
      if (graph_.split(c)) continue;
      const int64_t base = static_cast<int64_t>(c) * K;
      const int stay = arcs.stay_slot(c);
      int64_t sent = destroyed(c);
      for (int d = 0; d < K; ++d)
        if (d != stay) sent += flow_[base + d];
      flow_[base + stay] = A[c] - sent;
      if (flow_[base + stay] < 0) overdrawn_.push_back(c);
    }
  }

  // Stay arcs plus one artificial arc per split cell's pair, one per single cell (and one for
  // the reservoir).
  void build_crash_basis() {
    const int32_t root = graph_.root();
    tree_.clear();
    std::fill(flow_.begin(), flow_.end(), 0);
    for (int32_t c = 0; c < graph_.cells(); ++c) {
      if (!graph_.split(c)) {
        attach(c, root, graph_.artificial_arc(c));
        continue;
      }
      // The heavier side hangs from the root; the other hangs from it by the stay arc.
      const int32_t in_c = graph_.in(c);
      const bool out_on_top = supply_[c] + supply_[in_c] >= 0;
      const int32_t top = out_on_top ? c : in_c, below = out_on_top ? in_c : c;
      attach(top, root, graph_.artificial_arc(top));
      attach(below, top, graph_.stay_arc(c));
    }
    if (graph_.has_reservoir())
      attach(graph_.reservoir_node(), root, graph_.artificial_arc(graph_.reservoir_node()));
  }

  // Makes `arc` the tree arc joining x to its new parent p.
  void attach(int32_t x, int32_t p, int64_t arc) {
    tree_.add_child(p, x);
    tree_.pred[x] = arc;
    tree_.in_tree[arc] = 1;
    if (graph_.is_artificial(arc)) graph_.set_art_up(x, true);  // place_tree_flows turns it
    tree_.up[x] = graph_.source(arc) == x;
  }

  void update_potentials() {
    tree_.update_potentials([this](int64_t arc) { return graph_.cost(arc); });
  }

  // Pivots until no arc prices negative.
  void pivot_to_optimality(FlowStats& stats, bool warm) {
    pricing_.start(warm);
    for (int64_t entering = pricing_.find_entering_arc(); entering >= 0;
         entering = pricing_.find_entering_arc()) {
      const int32_t u = graph_.source(entering), v = graph_.target(entering);
      long moved = move_balanced_subtree(entering, u, v);
      if (moved >= 0)
        ++stats.block_moves;
      else if ((moved = pivot_around_cycle(entering, u, v)) < 0)
        break;  // unbounded: cannot happen with big-M and non-negative costs
      stats.moved_nodes += moved;
      pricing_.note_pivot(moved);
      ++stats.pivots;
    }
    stats.searched_units = pricing_.searched_units();
    stats.skipped_units = pricing_.skipped_units();
    stats.grain_misses = pricing_.grain_misses();
  }

  // The general pivot on entering arc u -> v: the cycle through the tree, the ratio test, the
  // flow change, the leaving arc's subtree re-rooted under the entering arc. Returns the nodes
  // shifted, or -1 when nothing bounds the cycle.
  long pivot_around_cycle(int64_t entering, int32_t u, int32_t v) {
    tree_.find_cycle(u, v);
    const std::vector<int32_t>&side_u = tree_.side_u, &side_v = tree_.side_v;
    const std::vector<int8_t>& up = tree_.up;
    std::vector<int64_t>& tree_flow = tree_.tree_flow;
    // Push along u -> v and back through the tree v -> join -> u. Arcs whose flow would
    // decrease bound the step; ties are broken so the tree stays strongly feasible.
    int64_t delta = std::numeric_limits<int64_t>::max();
    size_t leaving_at = 0;  // position of the leaving arc's node on its side
    bool on_source_side = true, bounded = false;
    for (size_t k = 0; k < side_u.size(); ++k) {
      const int32_t w = side_u[k];
      if (up[w] && tree_flow[w] < delta) {
        delta = tree_flow[w];
        leaving_at = k;
        bounded = true;
      }
    }
    for (size_t k = 0; k < side_v.size(); ++k) {
      const int32_t w = side_v[k];
      if (!up[w] && tree_flow[w] <= delta) {
        delta = tree_flow[w];
        leaving_at = k;
        on_source_side = false;
        bounded = true;
      }
    }
    if (!bounded) return -1;
    if (delta > 0) {
      for (int32_t w : side_u) tree_flow[w] += up[w] ? -delta : delta;
      for (int32_t w : side_v) tree_flow[w] += up[w] ? delta : -delta;
    }
    const int64_t rc = graph_.reduced_cost(entering, tree_.potential);
    const int32_t new_top = on_source_side ? u : v, new_parent = on_source_side ? v : u;
    const std::vector<int32_t>& moving_side = on_source_side ? side_u : side_v;
    const int32_t leaving = moving_side[leaving_at];
    tree_.update_sizes(moving_side, leaving_at, on_source_side ? side_v : side_u);
    tree_.update_thread(moving_side, leaving_at, new_parent);
    tree_.rehang(leaving, new_top, new_parent, entering, delta, u == new_top);
    // Shift the moved subtree's potentials so the entering arc prices at zero.
    const long moved = tree_.shift_side(new_top, on_source_side ? -rc : rc, note_shift());
    // Shifting the rest moves the root's potential; re-anchor it long before int64 runs out.
    if (std::abs(tree_.potential[graph_.root()]) > kPotentialDrift) {
      tree_.rebuild_child_lists();
      update_potentials();
    }
    return moved;
  }

  // The common warm pivot: u's own tree arc points up and carries no flow, so it blocks the
  // cycle at ratio 0 and leaves (the strongly feasible rule nearly always picks that arc), and
  // u's subtree, balanced, moves under v as a block. No cycle walk: a few nodes (u's subtree)
  // instead of the climbs to the join in deep trees. Returns the nodes shifted, or -1 when it
  // does not apply (u's arc carries flow or points down, v is in u's subtree, or the subtree is
  // large): the general pivot runs.
  long move_balanced_subtree(int64_t entering, int32_t u, int32_t v) {
    if (u == graph_.root() || !tree_.up[u] || tree_.tree_flow[u] != 0) return -1;
    const int32_t after = tree_.thread[tree_.last[u]];
    long count = 0;
    for (int32_t x = u; x != after; x = tree_.thread[x])
      if (x == v || ++count > kMaxBlockMove) return -1;
    const int64_t rc = graph_.reduced_cost(entering, tree_.potential);
    tree_.side_u.assign(1, u);  // the re-rooted path: u alone
    tree_.update_thread(tree_.side_u, 0, v);
    tree_.rehang(u, u, v, entering, 0, true);
    tree_.shift_subtree(u, -rc, note_shift());
    return count;
  }
  // The pricing hears of every potential shift a pivot makes.
  auto note_shift() {
    return [this](int32_t x) { pricing_.note_shift(x); };
  }

  // The pivots keep each tree arc's flow with the node below it (read along the cycle with
  // the cycle lists) instead of in the arc-indexed flow_: no scattered reads per cycle node.
  // flow_ is zero on every arc meanwhile, as it is on non-tree arcs after the pivots.
  void load_tree_flows() {
    for (int32_t v = 0; v < graph_.nodes(); ++v) {
      if (v == graph_.root() || tree_.parent[v] < 0) continue;
      tree_.tree_flow[v] = flow_[tree_.pred[v]];
      flow_[tree_.pred[v]] = 0;
    }
  }
  void store_tree_flows() {
    for (int32_t v = 0; v < graph_.nodes(); ++v)
      if (v != graph_.root() && tree_.parent[v] >= 0) flow_[tree_.pred[v]] = tree_.tree_flow[v];
  }

  // Whether every tree arc prices at zero, i.e. the potentials are those of the tree (the
  // arc's ends are the node and its parent: only its cost is decoded).
  bool tree_arcs_tight() const {
    for (int32_t x = 0; x < graph_.nodes(); ++x) {
      if (x == graph_.root() || tree_.parent[x] < 0) continue;
      const int64_t difference = tree_.potential[x] - tree_.potential[tree_.parent[x]];
      if (graph_.cost(tree_.pred[x]) + (tree_.up[x] ? difference : -difference) != 0) return false;
    }
    return true;
  }
  // The basis's invariants (debug checks): a consistent thread, no negative flow on a tree
  // arc, every tree arc tight. Names the first broken one in tree_problem_.
  bool tree_is_consistent() const {
    tree_problem_ = tree_.thread_problem();
    if (!tree_problem_.empty()) return false;
    for (int32_t v = 0; v < graph_.nodes(); ++v) {
      if (v == graph_.root() || tree_.parent[v] < 0) continue;
      if (flow_[tree_.pred[v]] < 0) {
        tree_problem_ = "the tree arc of node " + std::to_string(v) + " carries " +
                        std::to_string(flow_[tree_.pred[v]]);
        return false;
      }
    }
    if (tree_arcs_tight()) return true;
    tree_problem_ = "a tree arc has a nonzero reduced cost";
    return false;
  }

  // |root potential| at which the potentials are recomputed (shift_all_but moves it).
  static constexpr int64_t kPotentialDrift = int64_t{1} << 61;
  static constexpr long kMaxBlockMove = 1 << 12;  // largest subtree move_balanced_subtree takes

  SimplexGraph<Arcs> graph_;
  SpanningTree tree_;
  std::vector<int64_t> flow_;    // per arc (the tree arcs' in tree_.tree_flow while pivoting)
  std::vector<int64_t> supply_;  // per node
  BlockPricing<Arcs> pricing_;
  WarmStartRepair<Arcs> repair_;
  std::vector<int32_t> overdrawn_;  // single cells the last solve_once overdrew
  std::vector<int32_t> order_;      // split_cells: the old tree, parents first
  bool solved_ = false;
  mutable std::string tree_problem_;  // what tree_is_consistent found broken
};

}  // namespace snapflow::transport
