// The simplex basis as a rooted spanning tree, and the updates a pivot makes to it.
//
// Each tree node keeps its parent, the tree arc joining them (pred, pointing up or down), that
// arc's flow, its potential and (roughly) its subtree's size. The thread holds the tree in
// depth-first pre-order (next node, the last one wrapping to the root; the previous node; the
// last node of each subtree), so a subtree is one run of it: a potential shift walks it with
// one load per node, and a pivot re-links a few runs instead of walking the subtree. Child
// lists exist only for the passes that need them (level order, the potentials from scratch)
// and are rebuilt from the parents before those: the pivots keep only the parents and the
// thread.
//
// The data is public: the simplex's steps (net_change cells, pricing, warm-start repair) read
// it in their inner loops; the operations that must keep the thread consistent are here.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace snapflow::transport {

class SpanningTree {
 public:
  SpanningTree(int32_t nodes, int64_t arcs, int32_t root)
      : parent(nodes, -1),
        pred(nodes, -1),
        up(nodes, 0),
        potential(nodes, 0),
        tree_flow(nodes, 0),
        size(nodes, 1),
        thread(nodes, -1),
        rev_thread(nodes, -1),
        last(nodes, -1),
        first_child(nodes, -1),
        next_sibling(nodes, -1),
        in_tree(static_cast<size_t>(arcs), 0),
        root_(root),
        nodes_(nodes),
        cycle_mark_(nodes, 0) {}

  int32_t root() const { return root_; }

  // Per node. parent -1: the root, or a node not in the graph (a single cell's in-node).
  std::vector<int32_t> parent;
  std::vector<int64_t> pred;       // the tree arc to the parent
  std::vector<int8_t> up;          // 1: pred points from the node to its parent
  std::vector<int64_t> potential;  // every tree arc prices at zero
  // pred's flow while the pivots run (kept with the node, not in the arc-indexed flows: no
  // scattered reads along a cycle)
  std::vector<int64_t> tree_flow;
  // Nodes in the subtree: exact after update_potentials or count_subtree_sizes; the pivots
  // keep it roughly (the block moves leave the ancestors' counts as they were), as only the
  // choice of the side a pivot shifts reads it.
  std::vector<int32_t> size;
  std::vector<int32_t> thread, rev_thread, last;  // pre-order (update_potentials)
  std::vector<int32_t> first_child, next_sibling;
  std::vector<uint8_t> in_tree;  // per arc: 1 for the tree arcs (the basis)
  // The two sides of the last cycle (find_cycle), from the entering arc's ends up to the join.
  std::vector<int32_t> side_u, side_v;

  // No arc in the tree and no child lists: the start of building a basis.
  void clear() {
    std::fill(in_tree.begin(), in_tree.end(), 0);
    std::fill(first_child.begin(), first_child.end(), -1);
    parent[root_] = -1;
  }
  void add_child(int32_t p, int32_t x) {
    parent[x] = p;
    next_sibling[x] = first_child[p];
    first_child[p] = x;
  }
  // The pivots and repairs only keep the parent links and the thread: the child lists are
  // rebuilt from the parents for the passes that walk them.
  void rebuild_child_lists() {
    std::fill(first_child.begin(), first_child.end(), -1);
    for (int32_t v = nodes_; v-- > 0;)
      if (v != root_ && parent[v] >= 0) add_child(parent[v], v);
  }

  // The nodes of top's subtree breadth-first (parents before children) from the child lists,
  // into `order`.
  void breadth_first_order(int32_t top, std::vector<int32_t>& order) const {
    order.clear();
    order.push_back(top);
    for (size_t k = 0; k < order.size(); ++k)
      for (int32_t ch = first_child[order[k]]; ch >= 0; ch = next_sibling[ch]) order.push_back(ch);
  }
  // The tree's nodes in the thread's pre-order (each parent before its subtree), into `order`.
  void thread_order(std::vector<int32_t>& order) const {
    order.clear();
    int32_t x = root_;
    do {
      order.push_back(x);
      x = thread[x];
    } while (x != root_);
  }

  // Exact subtree sizes from the thread (the pivots leave them approximate).
  void count_subtree_sizes() {
    thread_order(order_);
    for (int32_t x : order_) size[x] = 1;
    for (size_t k = order_.size(); k-- > 1;) size[parent[order_[k]]] += size[order_[k]];
  }

  // Potentials, subtree sizes and the thread from the child lists, in one depth-first pass;
  // cost_of(arc) gives a tree arc's cost.
  template <class CostOf>
  void update_potentials(const CostOf& cost_of) {
    order_.clear();
    for (int32_t x = root_;;) {
      order_.push_back(x);
      if (first_child[x] >= 0) {
        x = first_child[x];
        continue;
      }
      while (x != root_ && next_sibling[x] < 0) x = parent[x];
      if (x == root_) break;
      x = next_sibling[x];
    }
    potential[root_] = 0;
    for (size_t k = 1; k < order_.size(); ++k) {
      const int32_t x = order_[k];
      const int64_t c = cost_of(pred[x]);
      potential[x] = up[x] ? potential[parent[x]] - c : potential[parent[x]] + c;
    }
    for (int32_t x : order_) size[x] = 1;
    for (size_t k = order_.size(); k-- > 1;) size[parent[order_[k]]] += size[order_[k]];
    for (size_t k = 0; k < order_.size(); ++k) {
      const int32_t x = order_[k], next = order_[(k + 1) % order_.size()];
      link(x, next);
      last[x] = order_[k + size[x] - 1];
    }
  }

  // The cycle of entering arc u -> v: the tree paths from u and from v up to their lowest
  // common ancestor (the join), into side_u and side_v (the join excluded). Both ends climb in
  // turn, marking the nodes they pass, until one reaches a node the other has passed: that is
  // the join, and the other side's list is cut there. (Marks, not subtree sizes: the moves of
  // balanced subtrees leave the sizes approximate.) The later walks along the cycle read these
  // lists instead of chasing parent links again.
  void find_cycle(int32_t u, int32_t v) {
    side_u.clear();
    side_v.clear();
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
      node = parent[node];
      if (cycle_mark_[node] == other) return true;
      cycle_mark_[node] = own;
      return false;
    };
    int32_t a = u, b = v, join;
    while (true) {
      if (climb(a, side_u, from_u, from_v)) {
        join = a;
        break;
      }
      if (climb(b, side_v, from_v, from_u)) {
        join = b;
        break;
      }
    }
    for (std::vector<int32_t>* side : {&side_u, &side_v})
      for (size_t k = side->size(); k-- > 0;)
        if ((*side)[k] == join) {
          side->resize(k);
          break;
        }
  }

  // The thread after a pivot that cuts the subtree T of path.back() off and re-roots it at
  // path.front() (path: new_top up to leaving in the old tree) under new_parent. T's new
  // order: new_top's old subtree, then for each next path node x_i itself and its old
  // subtree without x_{i-1}'s (two runs of the old thread); it goes right after new_parent.
  void update_thread(const std::vector<int32_t>& side, size_t leaving_at, int32_t new_parent) {
    const int32_t leaving = side[leaving_at], top = side[0];
    const int32_t old_last = last[leaving], before = rev_thread[leaving];
    const int32_t after = thread[old_last];
    // Old values along the path, read before any link changes.
    path_rev_.resize(leaving_at + 1);
    path_last_.resize(leaving_at + 1);
    path_next_.resize(leaving_at + 1);
    for (size_t i = 0; i <= leaving_at; ++i) {
      path_rev_[i] = rev_thread[side[i]];
      path_last_[i] = last[side[i]];
      path_next_[i] = thread[path_last_[i]];
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
    for (size_t i = 0; i <= leaving_at; ++i) last[side[i]] = end;
    // Cut T's old run out; the subtrees that ended with it now end before it.
    link(before, after);
    for (int32_t a = parent[leaving]; a >= 0 && last[a] == old_last; a = parent[a])
      last[a] = before;
    // Splice T in right after new_parent; if new_parent was a leaf, it and the subtrees that
    // ended with it now end with T.
    link(end, thread[new_parent]);
    link(new_parent, top);
    if (last[new_parent] == new_parent)
      for (int32_t a = new_parent; a >= 0 && last[a] == new_parent; a = parent[a]) last[a] = end;
  }

  // Removes the tree arc above `leaving` and re-roots that subtree at `top`, which hangs
  // from `new_parent` by `entering` (carrying entering_flow; entering_up: it points from top
  // to new_parent); the tree flows move with their arcs along the reversed path. Only the
  // parent links change (the thread is update_thread's).
  void rehang(int32_t leaving, int32_t top, int32_t new_parent, int64_t entering,
              int64_t entering_flow, bool entering_up) {
    in_tree[pred[leaving]] = 0;
    int32_t x = top, p = new_parent;
    int64_t arc = entering, arc_flow = entering_flow;
    bool x_up = entering_up;
    while (true) {
      const int32_t old_parent = parent[x];
      const int64_t old_arc = pred[x], old_flow = tree_flow[x];
      const bool old_up = up[x];
      parent[x] = p;
      pred[x] = arc;
      tree_flow[x] = arc_flow;
      up[x] = x_up;
      if (x == leaving) break;
      p = x;
      arc = old_arc;
      arc_flow = old_flow;
      x_up = !old_up;
      x = old_parent;
    }
    in_tree[entering] = 1;
  }

  // Subtree sizes after the pivot that cuts the subtree T of moving_side[leaving_at] off
  // (it hung below the join on that side of the cycle) and re-roots it at moving_side[0]
  // under the other side's first node: sizes drop by |T| above the leaving node up to the
  // join, grow by |T| all along the other side, and on the reversed path moving_side[0] ->
  // leaving each node's subtree becomes T less the old subtree of the path node below it.
  // (Applied to the approximate sizes the block moves leave: it keeps them roughly right.)
  void update_sizes(const std::vector<int32_t>& moving_side, size_t leaving_at,
                    const std::vector<int32_t>& other_side) {
    const int32_t moved = size[moving_side[leaving_at]];
    for (size_t k = leaving_at + 1; k < moving_side.size(); ++k) size[moving_side[k]] -= moved;
    for (int32_t w : other_side) size[w] += moved;
    int32_t below_old = 0;
    for (size_t k = 0; k <= leaving_at; ++k) {
      const int32_t old = size[moving_side[k]];
      size[moving_side[k]] = moved - below_old;
      below_old = old;
    }
  }

  // Adds `shift` to the potentials of top's subtree (a run of the thread); returns its size.
  // on_shift(x) is told of each node shifted.
  template <class OnShift>
  long shift_subtree(int32_t top, int64_t shift, const OnShift& on_shift) {
    return shift_run(top, thread[last[top]], shift, on_shift);
  }
  // Adds `shift` to the potentials of every tree node outside skip's subtree (the root's
  // included); returns the number of nodes.
  template <class OnShift>
  long shift_all_but(int32_t skip, int64_t shift, const OnShift& on_shift) {
    return shift_run(thread[last[skip]], skip, shift, on_shift);
  }
  // Adds `shift` to the potentials of top's subtree, or -shift to the rest of the tree when
  // that is smaller (only differences of potentials count); returns the nodes shifted.
  template <class OnShift>
  long shift_side(int32_t top, int64_t shift, const OnShift& on_shift) {
    return 2 * static_cast<long>(size[top]) > size[root_] ? shift_all_but(top, -shift, on_shift)
                                                          : shift_subtree(top, shift, on_shift);
  }

  // What is wrong with the thread, or "": it must run once through every tree node in
  // pre-order (a parent before its children), rev_thread undoing it (debug checks).
  std::string thread_problem() const {
    std::vector<uint8_t> seen(static_cast<size_t>(nodes_), 0);
    int32_t x = root_;
    long visited = 0;
    do {
      if (seen[x] || rev_thread[thread[x]] != x)
        return "the thread revisits node " + std::to_string(x) + " or rev_thread does not undo it";
      if (x != root_ && (parent[x] < 0 || !seen[parent[x]]))
        return "node " + std::to_string(x) + " comes before its parent in the thread";
      seen[x] = 1;
      ++visited;
      x = thread[x];
    } while (x != root_ && visited <= nodes_);
    for (int32_t v = 0; v < nodes_; ++v)
      if (v != root_ && parent[v] >= 0 && !seen[v])
        return "tree node " + std::to_string(v) + " is off the thread";
    return "";
  }

  size_t memory_bytes() const {
    return 8 * (pred.capacity() + potential.capacity() + tree_flow.capacity()) +
           4 * (parent.capacity() + size.capacity() + thread.capacity() + rev_thread.capacity() +
                last.capacity() + first_child.capacity() + next_sibling.capacity() +
                side_u.capacity() + side_v.capacity() + cycle_mark_.capacity() + order_.capacity() +
                path_rev_.capacity() + path_last_.capacity() + path_next_.capacity()) +
           up.capacity() + in_tree.capacity();
  }

 private:
  // Adds `shift` to the potentials along the thread from `first` up to, not including, `end`.
  template <class OnShift>
  long shift_run(int32_t first, int32_t end, int64_t shift, const OnShift& on_shift) {
    long count = 0;
    for (int32_t x = first; x != end; x = thread[x]) {
      potential[x] += shift;
      on_shift(x);
      ++count;
    }
    return count;
  }
  void link(int32_t from, int32_t to) {
    thread[from] = to;
    rev_thread[to] = from;
  }

  int32_t root_;
  int32_t nodes_;
  std::vector<int32_t> order_;                             // scratch of the whole-tree passes
  std::vector<int32_t> path_rev_, path_last_, path_next_;  // update_thread: old path links
  std::vector<uint32_t> cycle_mark_;                       // find_cycle: who passed each node
  uint32_t cycle_stamp_ = 0;
};

}  // namespace snapflow::transport
