// Exact primal network simplex on the transport graph, bipartite or in net-change form per cell
// (integer flows and costs).
//
// Nodes: out-node c in [0, m) holds a cell's mass now (supply A_c), in-node in_base + c its
// mass after the step (demand B_c), for a split cell; a single cell is node c alone, with
// supply A_c - B_c (see the class comment). The reservoir (node m) and the root come before
// the in-nodes, so the arcs that exist while no cell is split are numbered first. With the relaxed
// policy a reservoir node may absorb (out c -> reservoir) or create (reservoir -> in c) mass at a
// per-unit penalty; an artificial root joins every node through an artificial arc of cost M (big-M:
// larger than any path), so an optimal flow uses artificial arcs only where the problem is
// infeasible. Every arc is uncapacitated, so a non-basic arc always carries zero flow.
//
// Cold start (crash basis): each split cell's stay arc (out c -> in c, cost 0, flow
// min(A_c, B_c)) is basic and the pair hangs from the root by one artificial arc carrying the
// net change A_c - B_c; a single cell hangs from the root alone. The starting basis is thus
// already optimal for the mass that stays; only the net change (DESIGN.md section 1.2) is left
// for the pivots.
//
// Warm start: the previous optimal basis (a spanning tree) and its potentials are kept; with
// the same costs every reduced cost is still >= 0. The tree flows are recomputed for the new
// supplies bottom-up; a subtree whose tree arc would need a negative flow (or whose
// artificial arc would carry flow) is re-attached by a dual simplex step, which keeps every
// reduced cost >= 0, or else by the reverse move between the same two cells; only failing
// both does it hang from the root at big-M. When every flow comes out non-negative the basis
// is optimal at once.
//
// The tree is stored with parent pointers, subtree sizes and a depth-first thread (child lists
// rebuilt for the flow placement's level order); a pivot re-roots the subtree cut off by the
// leaving arc under the entering arc and shifts the potentials of the smaller side along the
// thread; the cycle's join is found by climbing from both ends. Most pivots (97% after a warm
// start) are degenerate moves of a balanced subtree hanging by an idle arc: those skip the cycle.
// Pricing is block search over the arcs in mixed order, starting where the last block ended,
// skipping the grains of arcs that cannot have turned negative since they were last priced.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

#include "snapflow/core/error.hpp"

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
      : arcs_(arcs),
        m_(cells),
        split_(static_cast<size_t>(cells), 0),
        reservoir_(reservoir),
        penalty_(penalty) {
    const int K = arcs_.slots;
    // In-node in_base_ + c exists for every cell but is in the tree only while c is split.
    root_ = m_ + (reservoir_ ? 1 : 0);
    in_base_ = root_ + 1;
    nodes_ = in_base_ + m_;
    real_arcs_ = static_cast<int64_t>(m_) * K;
    destroy_base_ = real_arcs_;
    create_base_ = destroy_base_ + (reservoir_ ? m_ : 0);
    art_base_ = create_base_ + (reservoir_ ? m_ : 0);
    arc_count_ = art_base_ + nodes_;
    int64_t max_cost = penalty_;
    for (int32_t c = 0; c < m_; ++c)
      for (int d = 0; d < K; ++d)
        if (arcs_.target(c, d) >= 0) max_cost = std::max(max_cost, arcs_.cost(c, d));
    art_cost_ = (max_cost + 1) * static_cast<int64_t>(nodes_);
    flow_.assign(static_cast<size_t>(arc_count_), 0);
    state_.assign(static_cast<size_t>(arc_count_), kLower);
    parent_.assign(nodes_, -1);
    first_child_.assign(nodes_, -1);
    next_sibling_.assign(nodes_, -1);
    pred_.assign(nodes_, -1);
    up_.assign(nodes_, 0);
    art_up_.assign(nodes_, 1);
    potential_.assign(nodes_, 0);
    supply_.assign(nodes_, 0);
    subtree_supply_.assign(nodes_, 0);
    size_.assign(nodes_, 1);
    thread_.assign(nodes_, -1);
    rev_thread_.assign(nodes_, -1);
    last_.assign(nodes_, -1);
    tree_flow_.assign(nodes_, 0);
    cycle_mark_.assign(nodes_, 0);
    max_block_ = std::max<int64_t>(
        kMinBlock, static_cast<int64_t>(std::sqrt(static_cast<double>(arc_count_))));
  }

  FlowStats solve(const std::vector<int64_t>& A, const std::vector<int64_t>& B, bool warm) {
    FlowStats stats = solve_once(A, B, warm);
    while (!overdrawn_.empty() || (stats.unroutable > 0 && !all_split())) {
      if (stats.unroutable > 0)
        split_all_cells();
      else
        split_cells(overdrawn_);
      const FlowStats again = solve_once(A, B, true);
      stats.unroutable = again.unroutable;
      stats.pivots += again.pivots;
      stats.block_moves += again.block_moves;
      stats.moved_nodes += again.moved_nodes;
      stats.repairs += again.repairs;
      stats.searched_units += again.searched_units;
      stats.skipped_units += again.skipped_units;
      stats.grain_misses += again.grain_misses;
    }
    stats.split_cells = split_count_;
    return stats;
  }

  // Flow of arc (c, d) (the stay arc included), and of the reservoir arcs of cell c.
  int64_t flow(int32_t c, int d) const { return flow_[static_cast<size_t>(c) * arcs_.slots + d]; }
  int64_t destroyed(int32_t c) const { return reservoir_ ? flow_[destroy_base_ + c] : 0; }
  int64_t created(int32_t c) const { return reservoir_ ? flow_[create_base_ + c] : 0; }

  size_t memory_bytes() const {
    return 8 * (flow_.capacity() + tree_flow_.capacity() + pred_.capacity() +
                potential_.capacity() + supply_.capacity() + subtree_supply_.capacity()) +
           4 * (parent_.capacity() + first_child_.capacity() + next_sibling_.capacity() +
                order_.capacity() + size_.capacity() + thread_.capacity() + rev_thread_.capacity() +
                last_.capacity() + path_rev_.capacity() + path_last_.capacity() +
                path_next_.capacity() + overdrawn_.capacity()) +
           state_.capacity() + up_.capacity() + art_up_.capacity() + processed_.capacity() +
           rootable_.capacity() + split_.capacity() +
           4 * (mark_.capacity() + subtree_.capacity() + path_.capacity() + side_u_.capacity() +
                side_v_.capacity() + cycle_mark_.capacity() + split_list_.capacity() +
                shifted_at_.capacity() + clean_since_.capacity() + touched_by_begin_.capacity() +
                touched_by_.capacity());
  }

 private:
  static constexpr int8_t kTree = 0;
  static constexpr int8_t kLower = 1;
  // One solve with the cells split as they are; the stays of single cells are placed after it
  // and the overdrawn ones listed.
  FlowStats solve_once(const std::vector<int64_t>& A, const std::vector<int64_t>& B, bool warm) {
    std::fill(supply_.begin(), supply_.end(), 0);
    int64_t missing = 0;
    for (int32_t c = 0; c < m_; ++c) {
      supply_[c] += A[c];
      supply_[in(c)] -= B[c];
      missing += B[c] - A[c];
    }
    if (reservoir_) supply_[reservoir_node()] = missing;
    const bool warm_start = warm && solved_;
    if (!warm_start) {
      build_crash_basis();
      update_potentials();  // the thread, for the repairs
    }
    FlowStats stats;
    block_ = warm_start ? kMinBlock : max_block_;
    keep_potentials_ = warm_start;
    stats.repairs = place_tree_flows(warm_start);
    // A warm start's moves keep the thread and the potentials; a cold start's artificial
    // arcs take their sides without, so its potentials are computed afresh.
    if (!warm_start) {
      rebuild_child_lists();
      update_potentials();
    } else {
      count_subtree_sizes();
      // Always on: a move that shifted a subtree without its potentials would otherwise let
      // the pivots stop at a flow that is not optimal.
      SNAPFLOW_VERIFY(tree_arcs_tight(),
                      "transport: warm start left a tree arc with a nonzero "
                      "reduced cost (solver bug)");
    }
    load_tree_flows();
    pivot_to_optimality(stats, warm_start);
    rebuild_child_lists();
    store_tree_flows();
    SNAPFLOW_ASSERT(tree_is_consistent(), "transport: " << tree_problem_ << " (solver bug)");
    for (int32_t v = 0; v < nodes_; ++v)
      if (v != root_ && art_up_[v]) stats.unroutable += flow_[art_base_ + v];
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
    for (int32_t c : cells) split_[c] = 1;
    split_count_ += static_cast<long>(cells.size());
    split_list_.insert(split_list_.end(), cells.begin(), cells.end());
    breadth_first_order(root_, order_);
    std::vector<int64_t> old_pred = pred_;
    std::vector<int8_t> old_up = up_;
    std::vector<uint8_t> fresh(static_cast<size_t>(m_), 0);
    for (int32_t c : cells) fresh[c] = 1;
    std::fill(state_.begin(), state_.end(), kLower);
    std::fill(flow_.begin(), flow_.end(), 0);
    std::fill(first_child_.begin(), first_child_.end(), -1);
    for (size_t k = 1; k < order_.size(); ++k) {
      const int32_t x = order_[k];
      const int64_t arc = old_pred[x];
      if (arc >= art_base_) {
        attach(x, root_, arc);
      } else {
        const int32_t from = source(arc), to = target(arc);  // ends in the new layout
        attach(old_up[x] ? from : to, old_up[x] ? to : from, arc);
      }
      if (x < m_ && fresh[x]) {
        const int32_t top = arc >= art_base_ || old_up[x] ? x : in(x);
        attach(partner(top), top, stay_arc(x));
      }
    }
    update_potentials();
  }
  void split_all_cells() {
    std::vector<int32_t> single;
    for (int32_t c = 0; c < m_; ++c)
      if (!split(c)) single.push_back(c);
    split_cells(single);
  }
  bool all_split() const { return split_count_ == m_; }

  bool split(int32_t c) const { return split_[c] != 0; }
  int32_t in(int32_t c) const { return split_[c] ? in_base_ + c : c; }
  int32_t cell_of(int32_t x) const { return x < m_ ? x : x - in_base_; }
  // A cell's node (out, in or single), not the reservoir or the root.
  bool is_cell_node(int32_t x) const { return x < m_ || x >= in_base_; }
  // Whether x receives a cell's incoming moves: an in-node, or a single cell's node.
  bool is_in_node(int32_t x) const { return x >= in_base_ || (x < m_ && !split(x)); }
  int32_t reservoir_node() const { return m_; }

  // Single cells: the stay arc (a self-loop, never in the tree) takes what the cell keeps, A_c
  // minus all it sends on; a negative stay means the flow is not a transport (overdrawn_).
  void place_stays(const std::vector<int64_t>& A) {
    overdrawn_.clear();
    if (all_split()) return;
    const int K = arcs_.slots;
    for (int32_t c = 0; c < m_; ++c) {
      if (split(c)) continue;
      const int64_t base = static_cast<int64_t>(c) * K;
      const int stay = arcs_.stay_slot(c);
      int64_t sent = destroyed(c);
      for (int d = 0; d < K; ++d)
        if (d != stay) sent += flow_[base + d];
      flow_[base + stay] = A[c] - sent;
      if (flow_[base + stay] < 0) overdrawn_.push_back(c);
    }
  }

  int32_t source(int64_t arc) const {
    if (arc < real_arcs_) return static_cast<int32_t>(arc / arcs_.slots);
    if (arc < create_base_) return static_cast<int32_t>(arc - destroy_base_);
    if (arc < art_base_) return reservoir_node();
    const int32_t v = static_cast<int32_t>(arc - art_base_);
    return art_up_[v] ? v : root_;
  }
  int32_t target(int64_t arc) const {
    if (arc < real_arcs_) {
      const int32_t c = static_cast<int32_t>(arc / arcs_.slots);
      return in(arcs_.target(c, static_cast<int>(arc - static_cast<int64_t>(c) * arcs_.slots)));
    }
    if (arc < create_base_) return reservoir_node();
    if (arc < art_base_) return in(static_cast<int32_t>(arc - create_base_));
    const int32_t v = static_cast<int32_t>(arc - art_base_);
    return art_up_[v] ? root_ : v;
  }
  int64_t cost(int64_t arc) const {
    if (arc < real_arcs_) {
      const int32_t c = static_cast<int32_t>(arc / arcs_.slots);
      return arcs_.cost(c, static_cast<int>(arc - static_cast<int64_t>(c) * arcs_.slots));
    }
    return arc < art_base_ ? penalty_ : art_cost_;
  }
  int64_t reduced_cost(int64_t arc) const {
    return cost(arc) + potential_[source(arc)] - potential_[target(arc)];
  }

  void add_child(int32_t p, int32_t x) {
    parent_[x] = p;
    next_sibling_[x] = first_child_[p];
    first_child_[p] = x;
  }

  // Stay arcs plus one artificial arc per split cell's pair, one per single cell (and one for
  // the reservoir).
  void build_crash_basis() {
    std::fill(state_.begin(), state_.end(), kLower);
    std::fill(flow_.begin(), flow_.end(), 0);
    std::fill(first_child_.begin(), first_child_.end(), -1);
    parent_[root_] = -1;
    for (int32_t c = 0; c < m_; ++c) {
      if (!split(c)) {
        attach(c, root_, art_base_ + c);
        continue;
      }
      const int64_t stay = stay_arc(c);
      // The heavier side hangs from the root; the other hangs from it by the stay arc.
      const bool out_on_top = supply_[c] + supply_[in(c)] >= 0;
      const int32_t top = out_on_top ? c : in(c), below = out_on_top ? in(c) : c;
      attach(top, root_, art_base_ + top);
      attach(below, top, stay);
    }
    if (reservoir_) attach(reservoir_node(), root_, art_base_ + reservoir_node());
  }

  // Makes `arc` the tree arc joining x to its new parent p.
  void attach(int32_t x, int32_t p, int64_t arc) {
    add_child(p, x);
    pred_[x] = arc;
    state_[arc] = kTree;
    if (arc >= art_base_) art_up_[x] = 1;  // orientation fixed by place_tree_flows
    up_[x] = source(arc) == x;
  }

  // The nodes of top's subtree breadth-first (parents before children), into `order`; not the
  // thread's depth-first pre-order, which only update_potentials builds.
  void breadth_first_order(int32_t top, std::vector<int32_t>& order) const {
    order.clear();
    order.push_back(top);
    for (size_t k = 0; k < order.size(); ++k)
      for (int32_t ch = first_child_[order[k]]; ch >= 0; ch = next_sibling_[ch])
        order.push_back(ch);
  }

  // Sets every tree arc's flow from the supplies (bottom-up). In a warm start (`repair`), a
  // real tree arc that would need a negative flow, or an artificial arc that would carry
  // flow, is repaired: its subtree is re-attached by a dual simplex step
  // (attach_by_cheapest_arc) or else by the reverse move (flip_cross_arc); failing both it
  // hangs from the root by its artificial arc. Artificial arcs take the orientation their flow
  // needs. Nodes are placed deepest level first (breadth-first order from the child lists,
  // which the moves then leave stale: the thread stands in for them); placing them in the
  // thread's reverse pre-order instead took 13% more pivots at 07:45.
  long place_tree_flows(bool repair) {
    long repairs = 0;
    breadth_first_order(root_, order_);
    for (int32_t v : order_) subtree_supply_[v] = supply_[v];
    processed_.assign(nodes_, 0);
    if (mark_.size() != static_cast<size_t>(nodes_)) mark_.assign(nodes_, 0);
    if (rootable_.size() != static_cast<size_t>(nodes_)) rootable_.assign(nodes_, 0);
    for (size_t k = order_.size(); k-- > 1;) {
      const int32_t v = order_[k];
      processed_[v] = 1;
      const int64_t arc = pred_[v];
      int64_t need = subtree_supply_[v];  // must flow from v towards its parent
      if (arc >= art_base_ && need != 0 && repair && is_cell_node(v)) {
        // In a warm start, flow on an artificial arc would cost big-M: re-attach instead.
        if (const int32_t taker = attach_by_cheapest_arc(v, need); taker >= 0) {
          subtree_supply_[taker] += need;
          ++repairs;
          continue;
        }
      }
      if (arc >= art_base_) {
        const bool turns = need != 0 && art_up_[v] != (need > 0);
        if (turns) art_up_[v] = need > 0;  // an idle one keeps its side: no 2M jump
        up_[v] = art_up_[v];
        if (turns) make_tree_arc_tight(v);
        flow_[arc] = need >= 0 ? need : -need;
      } else if ((up_[v] ? need : -need) >= 0) {
        flow_[arc] = up_[v] ? need : -need;
      } else if (const int32_t taker = attach_by_cheapest_arc(v, need); taker >= 0) {
        subtree_supply_[taker] += need;
        ++repairs;
        continue;
      } else if (const int32_t taker2 = flip_cross_arc(v, need); taker2 >= 0) {
        subtree_supply_[taker2] += need;
        ++repairs;
        continue;
      } else {
        flow_[arc] = 0;
        state_[arc] = kLower;
        path_.assign(1, v);
        update_thread(path_, 0, root_);
        parent_[v] = root_;
        pred_[v] = art_base_ + v;
        state_[art_base_ + v] = kTree;
        art_up_[v] = need >= 0;
        up_[v] = art_up_[v];
        make_tree_arc_tight(v);  // v's subtree now hangs at +-M
        flow_[art_base_ + v] = need >= 0 ? need : -need;
        need = 0;  // routed to the root directly: nothing passes to the old parent
      }
      if (parent_[v] != root_) subtree_supply_[parent_[v]] += need;
    }
    // A non-tree arc carries no flow (all arcs are uncapacitated).
    for (int32_t v = 0; v < nodes_; ++v)
      if (v != root_ && state_[art_base_ + v] != kTree) flow_[art_base_ + v] = 0;
    return repairs;
  }

  // The other node of a cell's (out, in) pair.
  int32_t partner(int32_t x) const { return x < m_ ? x + in_base_ : x - in_base_; }
  int64_t stay_arc(int32_t c) const {
    return static_cast<int64_t>(c) * arcs_.slots + arcs_.stay_slot(c);
  }

  // Warm-start repair as a dual simplex step: v's subtree S needs flow opposite to its tree
  // arc. Among the arcs that cross from S to the rest (outwards when S has surplus, inwards
  // otherwise) take the one of least reduced cost, re-root S at its end in S and shift S's
  // potentials by that reduced cost: every reduced cost stays >= 0, so when the flows come
  // out non-negative no pivot is needed at all. Returns the node whose subtree supply must
  // take the flow on, or -1 (S too large to scan, or every candidate would turn a flow
  // negative).
  int32_t attach_by_cheapest_arc(int32_t v, int64_t need) {
    if (++stamp_ == 0) {  // wrapped: old marks would match again
      std::fill(mark_.begin(), mark_.end(), 0);
      stamp_ = 1;
    }
    subtree_.clear();
    for (int32_t x = v, after = thread_[last_[v]]; x != after; x = thread_[x]) {
      // Subtrees on artificial arcs are scanned whole: left there they would cost big-M.
      if (!is_cell_node(x) || (subtree_.size() >= kRepairScanLimit && pred_[v] < art_base_))
        return -1;
      mark_[x] = stamp_;
      subtree_.push_back(x);
    }
    // Whether S re-rooted at x keeps the flows on the reversed path x -> v non-negative; S is
    // in pre-order (the thread's), so each node extends its parent's answer.
    rootable_[v] = 1;
    for (size_t k = 1; k < subtree_.size(); ++k) {
      const int32_t x = subtree_[k], y = parent_[x];
      const int64_t sub = need - subtree_supply_[x];       // all of S but x's old subtree
      const bool child_is_source = source(pred_[x]) == y;  // that arc would hang y below x
      rootable_[x] = rootable_[y] && (child_is_source ? sub : -sub) >= 0;
    }
    // The cheapest crossing arc (least reduced cost, then least id) whose flows above its
    // outer end stay non-negative (a dearer one leaves a little dual infeasibility for the
    // pivots, far less than big-M would). The move back to v's old parent, when it exists,
    // always qualifies: nothing above it is placed yet. Only an arc that would beat the best
    // so far is checked, so no candidate list needs sorting (large cuts have ~10^5 of them).
    int64_t best_rc = std::numeric_limits<int64_t>::max(), best_arc = -1;
    int32_t inner = -1, outer = -1;
    const auto consider = [&](int64_t rc, int64_t arc, int32_t in_end, int32_t out_end) {
      if (rc > best_rc || (rc == best_rc && arc > best_arc)) return;
      if (!attach_keeps_flows_above(need, out_end)) return;
      best_rc = rc;
      best_arc = arc;
      inner = in_end;
      outer = out_end;
    };
    const int K = arcs_.slots;
    for (int32_t x : subtree_) {
      if (!rootable_[x]) continue;
      if (need > 0 && x < m_) {
        for (int d = 0; d < K; ++d) {
          const int32_t t = arcs_.target(x, d);
          if (t < 0 || mark_[in(t)] == stamp_) continue;
          consider(arcs_.cost(x, d) + potential_[x] - potential_[in(t)],
                   static_cast<int64_t>(x) * K + d, x, in(t));
        }
      }
      if (need < 0 && is_in_node(x)) {
        const int32_t j = cell_of(x);
        for (int d = 0; d < K; ++d) {
          const int32_t src = arcs_.in_source(j, d);
          if (src < 0 || mark_[src] == stamp_) continue;
          const int slot = arcs_.in_slot(j, d);
          consider(arcs_.cost(src, slot) + potential_[src] - potential_[x],
                   static_cast<int64_t>(src) * K + slot, x, src);
        }
      }
    }
    if (best_arc < 0) return -1;
    const int64_t shift = need > 0 ? -best_rc : best_rc;
    for (int32_t x : subtree_) potential_[x] += shift;
    // New subtree supplies and flows along the reversed path, then re-hang.
    path_.clear();
    for (int32_t y = inner;; y = parent_[y]) {
      path_.push_back(y);
      if (y == v) break;
    }
    const int64_t old_arc = pred_[v];
    for (size_t t = path_.size(); t-- > 1;)
      subtree_supply_[path_[t]] = need - subtree_supply_[path_[t - 1]];
    subtree_supply_[inner] = need;
    update_thread(path_, path_.size() - 1, outer);
    rehang(v, inner, outer, best_arc, 0);
    flow_[old_arc] = 0;
    flow_[best_arc] = need > 0 ? need : -need;
    for (size_t t = 1; t < path_.size(); ++t) {
      const int32_t y = path_[t];
      flow_[pred_[y]] = up_[y] ? subtree_supply_[y] : -subtree_supply_[y];
    }
    int32_t y = outer;
    for (; processed_[y]; y = parent_[y]) {
      subtree_supply_[y] += need;
      const int64_t arc = pred_[y];
      if (arc >= art_base_ && art_up_[y] != (subtree_supply_[y] >= 0)) {
        art_up_[y] = subtree_supply_[y] >= 0;
        up_[y] = art_up_[y];
        make_tree_arc_tight(y);  // the subtree jumps by 2M
      }
      flow_[arc] = up_[y] ? subtree_supply_[y] : -subtree_supply_[y];
    }
    return y;
  }

  // Whether hanging a subtree with net supply `need` from `outer` keeps the placed flows
  // above it non-negative: up to the first node whose flow is not placed yet (those change by
  // `need`).
  bool attach_keeps_flows_above(int64_t need, int32_t outer) const {
    for (int32_t y = outer; processed_[y]; y = parent_[y]) {
      const int64_t sub = subtree_supply_[y] + need;
      if (pred_[y] < art_base_ && (up_[y] ? sub : -sub) < 0) return false;
    }
    return true;
  }

  // Warm-start repair without big-M: v's tree arc joins cell j's pair (v's side) to cell i's
  // pair, but v's subtree now needs flow the other way. If j's pair hangs together by its stay
  // arc below v, the reverse move (the other cross arc between the two pairs) can carry that
  // flow instead: the subtree is re-rooted at v's partner, which hangs from the partner of v's
  // parent. Potentials then shift by the two moves' costs, not by M, so few pivots follow.
  // Returns the node whose subtree supply must take the flow on (-1: the repair does not
  // apply, e.g. a stay arc would need negative flow: the cell cannot pass that much on).
  int32_t flip_cross_arc(int32_t v, int64_t need) {
    if (!is_cell_node(v)) return -1;
    const int32_t p = parent_[v];
    if (!is_cell_node(p)) return -1;  // root or reservoir
    const int32_t j = cell_of(v), i = cell_of(p);
    if (!split(j) || !split(i) || partner(p) == v) return -1;  // no pairs, or v's stay arc
    const int32_t vp = partner(v), pp = partner(p);
    if (parent_[vp] != v || pred_[vp] != stay_arc(j)) return -1;
    const bool pp_below = parent_[pp] == p && pred_[pp] == stay_arc(i);
    if (!pp_below && !(pp == parent_[p] && pred_[p] == stay_arc(i))) return -1;
    // The reverse cross arc: out_j -> in_i when v = in_j, out_i -> in_j when v = out_j.
    const int32_t from = v < m_ ? i : j, to = v < m_ ? j : i;
    const int64_t arc = pred_[v];
    const int slot =
        arcs_.reverse_slot(to, static_cast<int>(arc - static_cast<int64_t>(to) * arcs_.slots));
    if (arcs_.target(from, slot) != to) return -1;
    const int64_t reverse = static_cast<int64_t>(from) * arcs_.slots + slot;
    // v's new subtree (below vp by j's stay arc), and i's stay arc when pp, whose flow is
    // already placed, takes the subtree on: both flows must stay non-negative.
    const int64_t below = need - subtree_supply_[vp];
    const int64_t stay_j = v < m_ ? below : -below;  // stay arc out_j -> in_j
    if (stay_j < 0) return -1;
    const bool pp_placed = pp_below && processed_[pp];
    int64_t stay_i = 0;
    if (pp_placed) {
      const int64_t through = subtree_supply_[pp] + need;
      stay_i = up_[pp] ? through : -through;
      if (stay_i < 0) return -1;
    }
    path_.assign({vp, v});  // v's subtree re-rooted at vp, under pp
    update_thread(path_, 1, pp);
    parent_[vp] = pp;
    parent_[v] = vp;
    state_[arc] = kLower;
    flow_[arc] = 0;
    pred_[vp] = reverse;
    up_[vp] = source(reverse) == vp;
    state_[reverse] = kTree;
    flow_[reverse] = need >= 0 ? need : -need;
    pred_[v] = stay_arc(j);
    up_[v] = source(stay_arc(j)) == v;
    make_tree_arc_tight(vp);  // the subtree moves by the two moves' costs
    flow_[stay_arc(j)] = stay_j;
    subtree_supply_[v] = below;
    subtree_supply_[vp] = need;
    if (!pp_placed) return pp;
    flow_[stay_arc(i)] = stay_i;
    subtree_supply_[pp] += need;
    return p;
  }

  // The tree's nodes in the thread's pre-order (each parent before its subtree), into `order`.
  void thread_order(std::vector<int32_t>& order) const {
    order.clear();
    int32_t x = root_;
    do {
      order.push_back(x);
      x = thread_[x];
    } while (x != root_);
  }
  // The spanning tree's invariants (debug checks): the thread runs once through every tree
  // node in pre-order (a parent before its children) and rev_thread_ undoes it; tree arcs
  // carry no negative flow and price at zero. Names the first broken one in tree_problem_.
  bool tree_is_consistent() const {
    std::vector<uint8_t> seen(static_cast<size_t>(nodes_), 0);
    int32_t x = root_;
    long visited = 0;
    do {
      if (seen[x] || rev_thread_[thread_[x]] != x)
        return tree_broken("the thread revisits node " + std::to_string(x) +
                           " or rev_thread does not undo it");
      if (x != root_ && (parent_[x] < 0 || !seen[parent_[x]]))
        return tree_broken("node " + std::to_string(x) + " comes before its parent in the thread");
      seen[x] = 1;
      ++visited;
      x = thread_[x];
    } while (x != root_ && visited <= nodes_);
    for (int32_t v = 0; v < nodes_; ++v) {
      if (v == root_ || parent_[v] < 0) continue;
      if (!seen[v]) return tree_broken("tree node " + std::to_string(v) + " is off the thread");
      if (flow_[pred_[v]] < 0)
        return tree_broken("the tree arc of node " + std::to_string(v) + " carries " +
                           std::to_string(flow_[pred_[v]]));
    }
    return tree_arcs_tight() || tree_broken("a tree arc has a nonzero reduced cost");
  }
  bool tree_broken(const std::string& problem) const {
    tree_problem_ = problem;
    return false;
  }
  // Whether every tree arc prices at zero, i.e. the potentials are those of the tree (the
  // arc's ends are the node and its parent: only its cost is decoded).
  bool tree_arcs_tight() const {
    for (int32_t x = 0; x < nodes_; ++x) {
      if (x == root_ || parent_[x] < 0) continue;
      const int64_t difference = potential_[x] - potential_[parent_[x]];
      if (cost(pred_[x]) + (up_[x] ? difference : -difference) != 0) return false;
    }
    return true;
  }
  // Shifts the potentials of x's subtree (or the rest's the other way, when that is smaller)
  // so that x's tree arc prices at zero: after the warm-start moves that are not dual steps
  // (an artificial arc turning round, a subtree hung at +-M, a flip).
  void make_tree_arc_tight(int32_t x) {
    if (!keep_potentials_) return;  // a cold start recomputes them all
    const int64_t rc = reduced_cost(pred_[x]);
    shift_side(x, up_[x] ? -rc : rc);
  }
  // Exact subtree sizes from the thread (the pivots leave them approximate).
  void count_subtree_sizes() {
    thread_order(order_);
    for (int32_t x : order_) size_[x] = 1;
    for (size_t k = order_.size(); k-- > 1;) size_[parent_[order_[k]]] += size_[order_[k]];
  }

  // Potentials, subtree sizes and the thread from the child lists, in one depth-first pass.
  // The thread holds the tree in pre-order (next node, the last one wrapping to the root; the
  // previous node; the last node of each subtree), so a subtree is one run of it and a
  // potential shift walks it with one load per node.
  void update_potentials() {
    order_.clear();
    for (int32_t x = root_;;) {
      order_.push_back(x);
      if (first_child_[x] >= 0) {
        x = first_child_[x];
        continue;
      }
      while (x != root_ && next_sibling_[x] < 0) x = parent_[x];
      if (x == root_) break;
      x = next_sibling_[x];
    }
    potential_[root_] = 0;
    for (size_t k = 1; k < order_.size(); ++k) {
      const int32_t x = order_[k];
      const int64_t c = cost(pred_[x]);
      potential_[x] = up_[x] ? potential_[parent_[x]] - c : potential_[parent_[x]] + c;
    }
    for (int32_t x : order_) size_[x] = 1;
    for (size_t k = order_.size(); k-- > 1;) size_[parent_[order_[k]]] += size_[order_[k]];
    for (size_t k = 0; k < order_.size(); ++k) {
      const int32_t x = order_[k], next = order_[(k + 1) % order_.size()];
      link(x, next);
      last_[x] = order_[k + size_[x] - 1];
    }
  }

  // The thread after a pivot that cuts the subtree T of path.back() off and re-roots it at
  // path.front() (path: new_top up to leaving in the old tree) under new_parent. T's new
  // order: new_top's old subtree, then for each next path node x_i itself and its old
  // subtree without x_{i-1}'s (two runs of the old thread); it goes right after new_parent.
  void update_thread(const std::vector<int32_t>& side, size_t leaving_at, int32_t new_parent) {
    const int32_t leaving = side[leaving_at], top = side[0];
    const int32_t old_last = last_[leaving], before = rev_thread_[leaving];
    const int32_t after = thread_[old_last];
    // Old values along the path, read before any link changes.
    path_rev_.resize(leaving_at + 1);
    path_last_.resize(leaving_at + 1);
    path_next_.resize(leaving_at + 1);
    for (size_t i = 0; i <= leaving_at; ++i) {
      path_rev_[i] = rev_thread_[side[i]];
      path_last_[i] = last_[side[i]];
      path_next_[i] = thread_[path_last_[i]];
    }
    int32_t tail = path_last_[0];
    for (size_t i = 1; i <= leaving_at; ++i) {
      const int32_t x = side[i];
      link(tail, x);
      tail = path_rev_[i - 1];  // x and its old subtree before x_{i-1}'s
      if (path_last_[i - 1] != path_last_[i]) {
        link(tail, path_next_[i - 1]);  // the rest of x's old subtree
        tail = path_last_[i];
      }
    }
    const int32_t end = tail;
    for (size_t i = 0; i <= leaving_at; ++i) last_[side[i]] = end;
    // Cut T's old run out; the subtrees that ended with it now end before it.
    link(before, after);
    for (int32_t a = parent_[leaving]; a >= 0 && last_[a] == old_last; a = parent_[a])
      last_[a] = before;
    // Splice T in right after new_parent; if new_parent was a leaf, it and the subtrees that
    // ended with it now end with T.
    link(end, thread_[new_parent]);
    link(new_parent, top);
    if (last_[new_parent] == new_parent)
      for (int32_t a = new_parent; a >= 0 && last_[a] == new_parent; a = parent_[a]) last_[a] = end;
  }
  void link(int32_t from, int32_t to) {
    thread_[from] = to;
    rev_thread_[to] = from;
  }

  // Block search: the most negative reduced cost within a block of arcs, scanning on from
  // where the last search stopped. The arcs are visited in units: a cell's real arcs
  // (neighbour table and per-direction costs, no arc-id decoding), then chunks of the same
  // size of reservoir arcs and artificial arcs of the nodes before the in-nodes, then those of
  // the split cells' in-nodes (the others are not in the graph, and pricing them would change
  // the order of the search for nothing). Runs of kPricingChunk consecutive units (cache
  // friendly) are taken in mixed order (mixing_stride), so a block samples the whole grid.
  // Returns -1 when every arc prices out.
  int64_t find_entering_arc() {
    const auto search = [&] {
      if (track_grains_)
        return split_count_ == 0 ? search_block<false, true>() : search_block<true, true>();
      return split_count_ == 0 ? search_block<false, false>() : search_block<true, false>();
    };
    const int64_t arc = search();
    if (arc >= 0 || !track_grains_) return arc;
    // Optimality is certified by a pass that skips nothing (one full scan per solve, 2-3 ms
    // at province scale, ~1.5% of a warm step), so a flaw in the grain bookkeeping costs
    // pivots, never a wrong answer; an arc found there is counted as a miss.
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
    const int K = arcs_.slots;
    const int64_t before_in = art_base_ + in_base_;  // arcs up to the first in-node's
    const int32_t other_units = static_cast<int32_t>((before_in - real_arcs_ + K - 1) / K);
    const int32_t units =
        m_ + other_units +
        static_cast<int32_t>((split_list_.size() + K - 1) / static_cast<size_t>(K));
    int64_t best = -1, best_rc = 0, in_block = 0;
    const int32_t chunk = kPricingChunk;
    const int32_t chunks = (units + chunk - 1) / chunk, padded = chunks * chunk;
    const int64_t* potential = potential_.data();
    const uint8_t* split = split_.data();
    if (stride_runs_ != chunks) {
      stride_runs_ = chunks;
      stride_ = mixing_stride(chunks);
    }
    const int32_t graded_units = m_ + other_units;  // the units the grains cover
    // Prices unit c; returns whether any of its arcs prices negative.
    const auto price_unit = [&](int32_t c) {
      bool negative = false;
      if (c < m_) {
        negative = price_cell<kAnySplit>(c, potential, split, best, best_rc);
      } else if (c < graded_units) {
        const int64_t from = real_arcs_ + static_cast<int64_t>(c - m_) * K;
        const int64_t to = std::min(before_in, from + K);
        for (int64_t arc = from; arc < to; ++arc) negative |= price(arc, best, best_rc);
      } else {
        const size_t from = static_cast<size_t>(c - m_ - other_units) * K;
        const size_t to = std::min(split_list_.size(), from + K);
        for (size_t k = from; k < to; ++k)
          price(art_base_ + in_base_ + split_list_[k], best, best_rc);
      }
      return negative;
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
        for (int32_t c = begin; c < end; ++c) {
          price_unit(c);
          if (stops_after(c)) return best;
        }
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
            for (; c < stop; ++c) {
              negative |= price_unit(c);
              if (stops_after(c)) return best;
            }
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
    const int64_t K = arcs_.slots, units = stop - first;
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

  // Whether grain g (kGrain consecutive search units) may hold an arc of negative reduced
  // cost: it had one when last priced whole, or a node its arcs touch has shifted potential
  // since. After a warm start few arcs price negative and the search scanned ever longer for
  // them (07:45: pricing was ~45% of a warm step, mostly in searches of > 4,096 arcs); a pivot
  // shifts tens of nodes, so most grains stay clean between two visits (70-80% skipped).
  bool may_price_negative(int32_t g) const {
    const int32_t since = clean_since_[g];
    for (int32_t k = touched_by_begin_[g]; k < touched_by_begin_[g + 1]; ++k)
      if (shifted_at_[touched_by_[k]] >= since) return true;
    return false;
  }
  // The grain of node x's cell, whose shifts shifted_at_ records; the root and the reservoir
  // share the last entry.
  int32_t shift_grain(int32_t x) const {
    return is_cell_node(x) ? cell_of(x) / kGrain : static_cast<int32_t>(shifted_at_.size()) - 1;
  }
  // For each grain of search units, the cell grains (and the root's entry) whose nodes its arcs
  // touch: the cells and targets of its real arcs, the cells of its artificial and reservoir
  // arcs. A local stencil touches ~9 grains per grain (the rows above and below).
  void list_touching_grains() {
    const int K = arcs_.slots;
    const int32_t cell_grains = m_ / kGrain + 1, root_entry = cell_grains;
    const int32_t graded_units = other_unit(art_base_ + in_base_ - 1) + 1;
    const int32_t grains = (graded_units + kGrain - 1) / kGrain;
    touched_by_begin_.assign(static_cast<size_t>(grains) + 1, 0);
    touched_by_.clear();
    std::vector<std::vector<int32_t>> touching(static_cast<size_t>(grains));
    for (int32_t c = 0; c < m_; ++c) {
      std::vector<int32_t>& own = touching[c / kGrain];
      own.push_back(c / kGrain);
      for (int d = 0; d < K; ++d)
        if (const int32_t t = arcs_.target(c, d); t >= 0) own.push_back(t / kGrain);
      touching[other_unit(art_base_ + c) / kGrain].push_back(c / kGrain);
      if (reservoir_) {
        touching[other_unit(destroy_base_ + c) / kGrain].push_back(c / kGrain);
        touching[other_unit(create_base_ + c) / kGrain].push_back(c / kGrain);
      }
    }
    for (int32_t g = m_ / kGrain; g < grains; ++g) touching[g].push_back(root_entry);
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
    return m_ + static_cast<int32_t>((arc - real_arcs_) / arcs_.slots);
  }

  // Cell c's arcs: the first of the most negative reduced costs below best_rc becomes the best.
  // Returns whether any arc prices negative.
  template <bool kAnySplit>
  bool price_cell(int32_t c, const int64_t* potential, const uint8_t* split, int64_t& best,
                  int64_t& best_rc) const {
    bool negative = false;
    const int K = arcs_.slots;
    const int64_t base = static_cast<int64_t>(c) * K;
    const int64_t pc = potential[c];
    for (int d = 0; d < K; ++d) {
      // Tree arcs need no check: they price at exactly zero, never below best_rc.
      const int32_t j = arcs_.target(c, d);
      if (j < 0) continue;
      // j's in-node: in_base_ + j when j is split, else j.
      const int32_t in_j = kAnySplit ? j + split[j] * in_base_ : j;
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
    if (state_[arc] != kLower) return false;
    const int64_t rc = reduced_cost(arc);
    if (rc < best_rc) {
      best_rc = rc;
      best = arc;
    }
    return rc < 0;
  }

  // A stride coprime to `runs` near the golden section of it: run k of the search is
  // k * stride mod runs, so a block samples cells from all over the grid. Scanning cells in
  // grid order instead makes the entering arcs sweep the grid and the tree grow long chains:
  // 2-4x more tree updates on province DMD states (LEMON mixes its arcs for the same reason).
  static int64_t mixing_stride(int32_t runs) {
    int64_t stride = static_cast<int64_t>(runs * 0.618) | 1;
    while (std::gcd(stride, static_cast<int64_t>(runs)) != 1) stride += 2;
    return stride;
  }

  // The cycle of entering arc u -> v: the tree paths from u and from v up to their lowest
  // common ancestor (the join), into side_u_ and side_v_ (the join excluded). Both ends climb in
  // turn, marking the nodes they pass, until one reaches a node the other has passed: that is
  // the join, and the other side's list is cut there. (Marks, not subtree sizes: the moves of
  // balanced subtrees leave the sizes approximate.) The later walks along the cycle read these
  // lists instead of chasing parent links again.
  void find_cycle(int32_t u, int32_t v) {
    side_u_.clear();
    side_v_.clear();
    if (cycle_stamp_ >= std::numeric_limits<uint32_t>::max() - 2) {
      std::fill(cycle_mark_.begin(), cycle_mark_.end(), 0);
      cycle_stamp_ = 0;
    }
    const uint32_t from_u = cycle_stamp_ += 2, from_v = from_u - 1;
    cycle_mark_[u] = from_u;
    cycle_mark_[v] = from_v;
    // One step up from `node` (none from the root); true when it reaches a node the other
    // side has passed.
    const auto climb = [&](int32_t& node, std::vector<int32_t>& side, uint32_t own,
                           uint32_t other) {
      if (node == root_) return false;
      side.push_back(node);
      node = parent_[node];
      if (cycle_mark_[node] == other) return true;
      cycle_mark_[node] = own;
      return false;
    };
    int32_t a = u, b = v, join;
    while (true) {
      if (climb(a, side_u_, from_u, from_v)) {
        join = a;
        break;
      }
      if (climb(b, side_v_, from_v, from_u)) {
        join = b;
        break;
      }
    }
    for (std::vector<int32_t>* side : {&side_u_, &side_v_})
      for (size_t k = side->size(); k-- > 0;)
        if ((*side)[k] == join) {
          side->resize(k);
          break;
        }
  }

  // Warm solves size the pricing block to the tree-update work per pivot (recent average),
  // between kMinBlock and sqrt(arcs) (LEMON's block, kept for cold solves). After an easy warm
  // start few arcs price negative and any will do: the search, not the pivots, was the cost
  // (province DMD steps at 07:45: 1.12 -> 0.57 s). After a hard one (deep trees, thousands
  // of nodes moved per pivot) the best of a full block saves pivots that cost far more.
  void pivot_to_optimality(FlowStats& stats, bool adapt_block) {
    // Warm solves on local stencils only: a cold solve's pivots shift hundreds of nodes each,
    // so few grains stay clean (cold single LPs were 5-10% slower with grains), and global arcs
    // touch every grain. The repairs, splits and crash basis set potentials anywhere: every
    // grain starts dirty.
    track_grains_ = std::is_same_v<Arcs, LocalArcs> && adapt_block;
    if (track_grains_) {
      if (touched_by_begin_.empty()) list_touching_grains();
      std::fill(shifted_at_.begin(), shifted_at_.end(), -1);
      std::fill(clean_since_.begin(), clean_since_.end(), -1);
    }
    pivot_clock_ = 0;
    searched_units_ = skipped_units_ = grain_misses_ = 0;
    long window_pivots = 0, window_moved = 0;
    for (int64_t entering = find_entering_arc(); entering >= 0; entering = find_entering_arc()) {
      if (adapt_block && window_pivots == kBlockWindow) {
        block_ = std::clamp<int64_t>(window_moved / window_pivots, kMinBlock, max_block_);
        window_pivots = window_moved = 0;
      }
      const int32_t u = source(entering), v = target(entering);
      long moved = move_balanced_subtree(entering, u, v);
      if (moved >= 0)
        ++stats.block_moves;
      else if ((moved = pivot_around_cycle(entering, u, v)) < 0)
        break;  // unbounded: cannot happen with big-M and non-negative costs
      stats.moved_nodes += moved;
      window_moved += moved;
      ++window_pivots;
      ++pivot_clock_;
      ++stats.pivots;
    }
    stats.searched_units = searched_units_;
    stats.skipped_units = skipped_units_;
    stats.grain_misses = grain_misses_;
  }

  // The general pivot on entering arc u -> v: the cycle through the tree, the ratio test, the
  // flow change, the leaving arc's subtree re-rooted under the entering arc. Returns the nodes
  // shifted, or -1 when nothing bounds the cycle.
  long pivot_around_cycle(int64_t entering, int32_t u, int32_t v) {
    find_cycle(u, v);
    // Push along u -> v and back through the tree v -> join -> u. Arcs whose flow would
    // decrease bound the step; ties are broken so the tree stays strongly feasible.
    int64_t delta = std::numeric_limits<int64_t>::max();
    size_t leaving_at = 0;  // position of the leaving arc's node on its side
    bool on_source_side = true, bounded = false;
    for (size_t k = 0; k < side_u_.size(); ++k) {
      const int32_t w = side_u_[k];
      if (up_[w] && tree_flow_[w] < delta) {
        delta = tree_flow_[w];
        leaving_at = k;
        bounded = true;
      }
    }
    for (size_t k = 0; k < side_v_.size(); ++k) {
      const int32_t w = side_v_[k];
      if (!up_[w] && tree_flow_[w] <= delta) {
        delta = tree_flow_[w];
        leaving_at = k;
        on_source_side = false;
        bounded = true;
      }
    }
    if (!bounded) return -1;
    if (delta > 0) {
      for (int32_t w : side_u_) tree_flow_[w] += up_[w] ? -delta : delta;
      for (int32_t w : side_v_) tree_flow_[w] += up_[w] ? delta : -delta;
    }
    const int64_t rc = reduced_cost(entering);
    const int32_t new_top = on_source_side ? u : v, new_parent = on_source_side ? v : u;
    const std::vector<int32_t>& moving_side = on_source_side ? side_u_ : side_v_;
    const int32_t leaving = moving_side[leaving_at];
    update_sizes(moving_side, leaving_at, on_source_side ? side_v_ : side_u_);
    update_thread(moving_side, leaving_at, new_parent);
    rehang(leaving, new_top, new_parent, entering, delta);
    // Shift the moved subtree's potentials so the entering arc prices at zero.
    const long moved = shift_side(new_top, on_source_side ? -rc : rc);
    // Shifting the rest moves the root's potential; re-anchor it long before int64 runs out.
    if (std::abs(potential_[root_]) > kPotentialDrift) {
      rebuild_child_lists();
      update_potentials();
    }
    return moved;
  }

  // The common warm pivot (97% of those after a warm start at 07:45): u's own tree arc points
  // up and carries no flow, so it blocks the cycle at ratio 0 and leaves (the strongly feasible
  // rule picks the same arc 99.4% of the time), and u's subtree, balanced, moves under v as a
  // block. No cycle walk: a few nodes (u's subtree) instead of ~130 (the climbs to the join in
  // trees ~800 deep). Returns the nodes shifted, or -1 when it does not apply (u's arc carries
  // flow or points down, v is in u's subtree, or the subtree is large): the general pivot runs.
  long move_balanced_subtree(int64_t entering, int32_t u, int32_t v) {
    if (u == root_ || !up_[u] || tree_flow_[u] != 0) return -1;
    const int32_t after = thread_[last_[u]];
    long count = 0;
    for (int32_t x = u; x != after; x = thread_[x])
      if (x == v || ++count > kMaxBlockMove) return -1;
    const int64_t rc = reduced_cost(entering);
    side_u_.assign(1, u);  // the re-rooted path: u alone
    update_thread(side_u_, 0, v);
    rehang(u, u, v, entering, 0);
    shift_subtree(u, -rc);
    return count;
  }

  // Subtree sizes after the pivot that cuts the subtree T of moving_side[leaving_at] off
  // (it hung below the join on that side of the cycle) and re-roots it at moving_side[0]
  // under the other side's first node: sizes drop by |T| above the leaving node up to the
  // join, grow by |T| all along the other side, and on the reversed path moving_side[0] ->
  // leaving each node's subtree becomes T less the old subtree of the path node below it.
  // (Applied to the approximate sizes the block moves leave: it keeps them roughly right.)
  void update_sizes(const std::vector<int32_t>& moving_side, size_t leaving_at,
                    const std::vector<int32_t>& other_side) {
    const int32_t moved = size_[moving_side[leaving_at]];
    for (size_t k = leaving_at + 1; k < moving_side.size(); ++k) size_[moving_side[k]] -= moved;
    for (int32_t w : other_side) size_[w] += moved;
    int32_t below_old = 0;
    for (size_t k = 0; k <= leaving_at; ++k) {
      const int32_t old = size_[moving_side[k]];
      size_[moving_side[k]] = moved - below_old;
      below_old = old;
    }
  }

  // Adds `shift` to the potentials of top's subtree, or -shift to the rest of the tree when
  // that is smaller (only differences of potentials count); returns the nodes shifted.
  long shift_side(int32_t top, int64_t shift) {
    return 2 * static_cast<long>(size_[top]) > size_[root_] ? shift_all_but(top, -shift)
                                                            : shift_subtree(top, shift);
  }
  // Adds `shift` to the potentials of every tree node outside skip's subtree (the root's
  // included); returns the number of nodes.
  long shift_all_but(int32_t skip, int64_t shift) {
    long count = 0;
    for (int32_t x = thread_[last_[skip]]; x != skip; x = thread_[x]) {
      potential_[x] += shift;
      if (track_grains_) shifted_at_[shift_grain(x)] = pivot_clock_;
      ++count;
    }
    return count;
  }

  // Adds `shift` to the potentials of top's subtree (a run of the thread); returns its size.
  long shift_subtree(int32_t top, int64_t shift) {
    const int32_t after = thread_[last_[top]];
    long count = 0;
    for (int32_t x = top; x != after; x = thread_[x]) {
      potential_[x] += shift;
      if (track_grains_) shifted_at_[shift_grain(x)] = pivot_clock_;
      ++count;
    }
    return count;
  }

  // The pivots and repairs only keep the parent links and the thread: the child lists are
  // rebuilt from the parents for the passes that walk them (the next solve's flow placement
  // and split_cells after the pivots, update_potentials after moves that need it).
  void rebuild_child_lists() {
    std::fill(first_child_.begin(), first_child_.end(), -1);
    for (int32_t v = nodes_; v-- > 0;)
      if (v != root_ && parent_[v] >= 0) add_child(parent_[v], v);
  }

  // The pivots keep each tree arc's flow with the node below it (read along the cycle with
  // the cycle lists) instead of in the arc-indexed flow_: no scattered reads per cycle node.
  // flow_ is zero on every arc meanwhile, as it is on non-tree arcs after the pivots.
  void load_tree_flows() {
    for (int32_t v = 0; v < nodes_; ++v) {
      if (v == root_ || parent_[v] < 0) continue;
      tree_flow_[v] = flow_[pred_[v]];
      flow_[pred_[v]] = 0;
    }
  }
  void store_tree_flows() {
    for (int32_t v = 0; v < nodes_; ++v)
      if (v != root_ && parent_[v] >= 0) flow_[pred_[v]] = tree_flow_[v];
  }

  // Removes the tree arc above `leaving` and re-roots that subtree at `top`, which hangs
  // from `new_parent` by `entering` (carrying entering_flow); the tree flows move with their
  // arcs along the reversed path. Only the parent links change: the thread stands in for the
  // child lists (see rebuild_child_lists).
  void rehang(int32_t leaving, int32_t top, int32_t new_parent, int64_t entering,
              int64_t entering_flow) {
    state_[pred_[leaving]] = kLower;
    int32_t x = top, p = new_parent;
    int64_t arc = entering, arc_flow = entering_flow;
    bool x_up = source(entering) == top;
    while (true) {
      const int32_t old_parent = parent_[x];
      const int64_t old_arc = pred_[x], old_flow = tree_flow_[x];
      const bool old_up = up_[x];
      parent_[x] = p;
      pred_[x] = arc;
      tree_flow_[x] = arc_flow;
      up_[x] = x_up;
      if (x == leaving) break;
      p = x;
      arc = old_arc;
      arc_flow = old_flow;
      x_up = !old_up;
      x = old_parent;
    }
    state_[entering] = kTree;
  }

  const Arcs& arcs_;
  int32_t m_;
  std::vector<uint8_t> split_;  // 1: the cell has an out- and an in-node (in_base_ + c)
  long split_count_ = 0;
  std::vector<int32_t> split_list_;  // the split cells, in the order they were split
  std::vector<int32_t> overdrawn_;   // single cells the last solve_once overdrew
  bool reservoir_;
  int64_t penalty_;
  int32_t nodes_ = 0, root_ = 0, in_base_ = 0;
  mutable std::string tree_problem_;  // what tree_is_consistent found broken
  int64_t real_arcs_ = 0, destroy_base_ = 0, create_base_ = 0, art_base_ = 0, arc_count_ = 0;
  int64_t art_cost_ = 0, block_ = 64;
  int64_t max_block_ = 64;
  static constexpr int64_t kMinBlock = 16;  // arcs priced per pivot at the least
  static constexpr long kBlockWindow = 64;  // pivots per warm block-size update
  // |root potential| at which the potentials are recomputed (shift_all_but moves it).
  static constexpr int64_t kPotentialDrift = int64_t{1} << 61;
  int32_t next_unit_ = 0;
  static constexpr int32_t kGrain = 16;  // search units per grain (skipped when clean)
  bool track_grains_ = false;  // this solve's search skips clean grains (pivot_to_optimality)
  int32_t pivot_clock_ = 0;    // pivots of this solve so far
  long searched_units_ = 0, skipped_units_ = 0;  // by the searches of this solve
  long grain_misses_ = 0;                        // negative arcs only the certifying pass found
  bool trust_grains_ = true;                     // false: the search prices every grain
  std::vector<int32_t> shifted_at_;   // per cell grain: the last pivot that shifted a node
  std::vector<int32_t> clean_since_;  // per grain: pivot when priced whole clean, or -1
  std::vector<int32_t> touched_by_begin_, touched_by_;  // list_touching_grains
  static constexpr int32_t kPricingChunk = 128;         // consecutive units per run of the search
  static_assert(kPricingChunk % kGrain == 0, "a run holds whole grains");
  int32_t stride_runs_ = 0;
  int64_t stride_ = 1;
  bool solved_ = false;
  bool keep_potentials_ = false;  // place_tree_flows keeps the potentials (warm starts)
  std::vector<int64_t> flow_, tree_flow_, pred_, potential_, supply_, subtree_supply_;
  std::vector<int8_t> state_, up_, art_up_;
  std::vector<uint8_t> processed_;  // place_tree_flows: subtree flow already placed
  static constexpr size_t kRepairScanLimit = 1 << 16;  // largest subtree a repair scans
  std::vector<uint32_t> mark_;                         // == stamp_: in the subtree being repaired
  std::vector<uint8_t> rootable_;  // attach_by_cheapest_arc: S may be re-rooted here
  uint32_t stamp_ = 0;
  std::vector<int32_t> subtree_, path_;
  std::vector<int32_t> side_u_, side_v_;  // the two sides of the pivot's cycle (find_cycle)
  std::vector<uint32_t> cycle_mark_;      // find_cycle: the side that passed each node
  uint32_t cycle_stamp_ = 0;
  static constexpr long kMaxBlockMove = 1 << 12;     // largest subtree move_balanced_subtree takes
  std::vector<int32_t> thread_, rev_thread_, last_;  // pre-order (update_potentials)
  std::vector<int32_t> path_rev_, path_last_, path_next_;  // update_thread: old path links
  // Nodes in each node's subtree: exact after update_potentials; the pivots keep it roughly
  // (the block moves leave the ancestors' counts as they were), as only the choice of the
  // side a pivot shifts reads it.
  std::vector<int32_t> size_;
  std::vector<int32_t> parent_, first_child_, next_sibling_, order_;
};

}  // namespace snapflow::transport
