// The tree flows of a basis for new supplies, and the warm-start repair of the arcs that would
// need a negative flow.
//
// A warm start keeps the previous optimal basis (a spanning tree) and its potentials: with the
// same costs every reduced cost is still >= 0. The tree flows are recomputed for the new
// supplies bottom-up; a subtree whose tree arc would need a negative flow (or whose artificial
// arc would carry flow) is re-attached by a dual simplex step, which keeps every reduced cost
// >= 0, or else by the reverse move between the same two cells; only failing both does it hang
// from the root at big-M. When every flow comes out non-negative the basis is optimal at once.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "simplex_graph.hpp"
#include "spanning_tree.hpp"

namespace snapflow::transport {

template <class Arcs>
class WarmStartRepair {
 public:
  WarmStartRepair(SimplexGraph<Arcs>& graph, SpanningTree& tree, std::vector<int64_t>& flow)
      : graph_(graph), tree_(tree), flow_(flow), subtree_supply_(graph.nodes(), 0) {}

  // Sets every tree arc's flow (in the arc-indexed flows) from the node supplies, bottom-up.
  // With `repair` (a warm start: the potentials are kept), a real tree arc that would need a
  // negative flow, or an artificial arc that would carry flow, is repaired: its subtree is
  // re-attached by a dual simplex step (attach_by_cheapest_arc) or else by the reverse move
  // (flip_cross_arc); failing both it hangs from the root by its artificial arc. Artificial
  // arcs take the orientation their flow needs. Nodes are placed deepest level first
  // (breadth-first order from the child lists, which the moves then leave stale: the thread
  // stands in for them); the thread's reverse pre-order takes more pivots. Returns the repairs.
  long place_tree_flows(const std::vector<int64_t>& supply, bool repair) {
    keep_potentials_ = repair;
    const int32_t nodes = graph_.nodes(), root = graph_.root();
    long repairs = 0;
    tree_.breadth_first_order(root, order_);
    for (int32_t v : order_) subtree_supply_[v] = supply[v];
    processed_.assign(nodes, 0);
    if (mark_.size() != static_cast<size_t>(nodes)) mark_.assign(nodes, 0);
    if (rootable_.size() != static_cast<size_t>(nodes)) rootable_.assign(nodes, 0);
    for (size_t k = order_.size(); k-- > 1;) {
      const int32_t v = order_[k];
      processed_[v] = 1;
      const int64_t arc = tree_.pred[v];
      const bool artificial = graph_.is_artificial(arc);
      int64_t need = subtree_supply_[v];  // must flow from v towards its parent
      if (artificial && need != 0 && repair && graph_.is_cell_node(v)) {
        // In a warm start, flow on an artificial arc would cost big-M: re-attach instead.
        if (const int32_t taker = attach_by_cheapest_arc(v, need); taker >= 0) {
          subtree_supply_[taker] += need;
          ++repairs;
          continue;
        }
      }
      if (artificial) {
        const bool turns = need != 0 && graph_.art_up(v) != (need > 0);
        if (turns) graph_.set_art_up(v, need > 0);  // an idle one keeps its side: no 2M jump
        tree_.up[v] = graph_.art_up(v);
        if (turns) make_tree_arc_tight(v);
        flow_[arc] = need >= 0 ? need : -need;
      } else if ((tree_.up[v] ? need : -need) >= 0) {
        flow_[arc] = tree_.up[v] ? need : -need;
      } else if (const int32_t taker = attach_by_cheapest_arc(v, need); taker >= 0) {
        subtree_supply_[taker] += need;
        ++repairs;
        continue;
      } else if (const int32_t taker2 = flip_cross_arc(v, need); taker2 >= 0) {
        subtree_supply_[taker2] += need;
        ++repairs;
        continue;
      } else {
        hang_from_root(v, need);
        need = 0;  // routed to the root directly: nothing passes to the old parent
      }
      if (tree_.parent[v] != root) subtree_supply_[tree_.parent[v]] += need;
    }
    // A non-tree arc carries no flow (all arcs are uncapacitated).
    for (int32_t v = 0; v < nodes; ++v) {
      const int64_t art = graph_.artificial_arc(v);
      if (v != root && !tree_.in_tree[art]) flow_[art] = 0;
    }
    return repairs;
  }

  size_t memory_bytes() const {
    return 8 * subtree_supply_.capacity() + processed_.capacity() + rootable_.capacity() +
           4 * (mark_.capacity() + subtree_.capacity() + path_.capacity() + order_.capacity());
  }

 private:
  // The last resort: v's subtree hangs from the root by v's artificial arc, carrying `need`.
  void hang_from_root(int32_t v, int64_t need) {
    const int32_t root = graph_.root();
    const int64_t art = graph_.artificial_arc(v);
    flow_[tree_.pred[v]] = 0;
    tree_.in_tree[tree_.pred[v]] = 0;
    path_.assign(1, v);
    tree_.update_thread(path_, 0, root);
    tree_.parent[v] = root;
    tree_.pred[v] = art;
    tree_.in_tree[art] = 1;
    graph_.set_art_up(v, need >= 0);
    tree_.up[v] = graph_.art_up(v);
    make_tree_arc_tight(v);  // v's subtree now hangs at +-M
    flow_[art] = need >= 0 ? need : -need;
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
    std::vector<int32_t>& parent = tree_.parent;
    std::vector<int64_t>& potential = tree_.potential;
    subtree_.clear();
    for (int32_t x = v, after = tree_.thread[tree_.last[v]]; x != after; x = tree_.thread[x]) {
      // Subtrees on artificial arcs are scanned whole: left there they would cost big-M.
      if (!graph_.is_cell_node(x) ||
          (subtree_.size() >= kRepairScanLimit && !graph_.is_artificial(tree_.pred[v])))
        return -1;
      mark_[x] = stamp_;
      subtree_.push_back(x);
    }
    // Whether S re-rooted at x keeps the flows on the reversed path x -> v non-negative; S is
    // in pre-order (the thread's), so each node extends its parent's answer.
    rootable_[v] = 1;
    for (size_t k = 1; k < subtree_.size(); ++k) {
      const int32_t x = subtree_[k], y = parent[x];
      const int64_t sub = need - subtree_supply_[x];  // all of S but x's old subtree
      const bool child_is_source = graph_.source(tree_.pred[x]) == y;  // would hang y below x
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
    const Arcs& arcs = graph_.arcs();
    const int K = arcs.slots;
    const int32_t m = graph_.cells();
    for (int32_t x : subtree_) {
      if (!rootable_[x]) continue;
      if (need > 0 && x < m) {
        for (int d = 0; d < K; ++d) {
          const int32_t t = arcs.target(x, d);
          if (t < 0 || mark_[graph_.in(t)] == stamp_) continue;
          consider(arcs.cost(x, d) + potential[x] - potential[graph_.in(t)],
                   static_cast<int64_t>(x) * K + d, x, graph_.in(t));
        }
      }
      if (need < 0 && graph_.is_in_node(x)) {
        const int32_t j = graph_.cell_of(x);
        for (int d = 0; d < K; ++d) {
          const int32_t src = arcs.in_source(j, d);
          if (src < 0 || mark_[src] == stamp_) continue;
          const int slot = arcs.in_slot(j, d);
          consider(arcs.cost(src, slot) + potential[src] - potential[x],
                   static_cast<int64_t>(src) * K + slot, x, src);
        }
      }
    }
    if (best_arc < 0) return -1;
    const int64_t shift = need > 0 ? -best_rc : best_rc;
    for (int32_t x : subtree_) potential[x] += shift;
    // New subtree supplies and flows along the reversed path, then re-hang.
    path_.clear();
    for (int32_t y = inner;; y = parent[y]) {
      path_.push_back(y);
      if (y == v) break;
    }
    const int64_t old_arc = tree_.pred[v];
    for (size_t t = path_.size(); t-- > 1;)
      subtree_supply_[path_[t]] = need - subtree_supply_[path_[t - 1]];
    subtree_supply_[inner] = need;
    tree_.update_thread(path_, path_.size() - 1, outer);
    tree_.rehang(v, inner, outer, best_arc, 0, graph_.source(best_arc) == inner);
    flow_[old_arc] = 0;
    flow_[best_arc] = need > 0 ? need : -need;
    for (size_t t = 1; t < path_.size(); ++t) {
      const int32_t y = path_[t];
      flow_[tree_.pred[y]] = tree_.up[y] ? subtree_supply_[y] : -subtree_supply_[y];
    }
    int32_t y = outer;
    for (; processed_[y]; y = parent[y]) {
      subtree_supply_[y] += need;
      const int64_t arc = tree_.pred[y];
      if (graph_.is_artificial(arc) && graph_.art_up(y) != (subtree_supply_[y] >= 0)) {
        graph_.set_art_up(y, subtree_supply_[y] >= 0);
        tree_.up[y] = graph_.art_up(y);
        make_tree_arc_tight(y);  // the subtree jumps by 2M
      }
      flow_[arc] = tree_.up[y] ? subtree_supply_[y] : -subtree_supply_[y];
    }
    return y;
  }

  // Whether hanging a subtree with net supply `need` from `outer` keeps the placed flows
  // above it non-negative: up to the first node whose flow is not placed yet (those change by
  // `need`).
  bool attach_keeps_flows_above(int64_t need, int32_t outer) const {
    for (int32_t y = outer; processed_[y]; y = tree_.parent[y]) {
      const int64_t sub = subtree_supply_[y] + need;
      if (!graph_.is_artificial(tree_.pred[y]) && (tree_.up[y] ? sub : -sub) < 0) return false;
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
    std::vector<int32_t>& parent = tree_.parent;
    std::vector<int64_t>& pred = tree_.pred;
    if (!graph_.is_cell_node(v)) return -1;
    const int32_t p = parent[v];
    if (!graph_.is_cell_node(p)) return -1;  // root or reservoir
    const int32_t j = graph_.cell_of(v), i = graph_.cell_of(p);
    if (!graph_.split(j) || !graph_.split(i) || graph_.partner(p) == v)
      return -1;  // no pairs, or v's stay arc
    const int32_t vp = graph_.partner(v), pp = graph_.partner(p);
    if (parent[vp] != v || pred[vp] != graph_.stay_arc(j)) return -1;
    const bool pp_below = parent[pp] == p && pred[pp] == graph_.stay_arc(i);
    if (!pp_below && !(pp == parent[p] && pred[p] == graph_.stay_arc(i))) return -1;
    // The reverse cross arc: out_j -> in_i when v = in_j, out_i -> in_j when v = out_j.
    const Arcs& arcs = graph_.arcs();
    const int32_t m = graph_.cells();
    const int32_t from = v < m ? i : j, to = v < m ? j : i;
    const int64_t arc = pred[v];
    const int slot =
        arcs.reverse_slot(to, static_cast<int>(arc - static_cast<int64_t>(to) * arcs.slots));
    if (arcs.target(from, slot) != to) return -1;
    const int64_t reverse = static_cast<int64_t>(from) * arcs.slots + slot;
    // v's new subtree (below vp by j's stay arc), and i's stay arc when pp, whose flow is
    // already placed, takes the subtree on: both flows must stay non-negative.
    const int64_t below = need - subtree_supply_[vp];
    const int64_t stay_j = v < m ? below : -below;  // stay arc out_j -> in_j
    if (stay_j < 0) return -1;
    const bool pp_placed = pp_below && processed_[pp];
    int64_t stay_i = 0;
    if (pp_placed) {
      const int64_t through = subtree_supply_[pp] + need;
      stay_i = tree_.up[pp] ? through : -through;
      if (stay_i < 0) return -1;
    }
    path_.assign({vp, v});  // v's subtree re-rooted at vp, under pp
    tree_.update_thread(path_, 1, pp);
    parent[vp] = pp;
    parent[v] = vp;
    tree_.in_tree[arc] = 0;
    flow_[arc] = 0;
    pred[vp] = reverse;
    tree_.up[vp] = graph_.source(reverse) == vp;
    tree_.in_tree[reverse] = 1;
    flow_[reverse] = need >= 0 ? need : -need;
    pred[v] = graph_.stay_arc(j);
    tree_.up[v] = graph_.source(graph_.stay_arc(j)) == v;
    make_tree_arc_tight(vp);  // the subtree moves by the two moves' costs
    flow_[graph_.stay_arc(j)] = stay_j;
    subtree_supply_[v] = below;
    subtree_supply_[vp] = need;
    if (!pp_placed) return pp;
    flow_[graph_.stay_arc(i)] = stay_i;
    subtree_supply_[pp] += need;
    return p;
  }

  // Shifts the potentials of x's subtree (or the rest's the other way, when that is smaller)
  // so that x's tree arc prices at zero: after the warm-start moves that are not dual steps
  // (an artificial arc turning round, a subtree hung at +-M, a flip).
  void make_tree_arc_tight(int32_t x) {
    if (!keep_potentials_) return;  // a cold start recomputes them all
    const int64_t rc = graph_.reduced_cost(tree_.pred[x], tree_.potential);
    // The pivots' pricing starts with every grain dirty: it need not hear of these shifts.
    tree_.shift_side(x, tree_.up[x] ? -rc : rc, [](int32_t) {});
  }

  static constexpr size_t kRepairScanLimit = 1 << 16;  // largest subtree a repair scans

  SimplexGraph<Arcs>& graph_;
  SpanningTree& tree_;
  std::vector<int64_t>& flow_;
  bool keep_potentials_ = false;
  std::vector<int64_t> subtree_supply_;
  std::vector<uint8_t> processed_;  // subtree flow already placed
  std::vector<uint32_t> mark_;      // == stamp_: in the subtree being repaired
  std::vector<uint8_t> rootable_;   // attach_by_cheapest_arc: S may be re-rooted here
  uint32_t stamp_ = 0;
  std::vector<int32_t> subtree_, path_, order_;
};

}  // namespace snapflow::transport
