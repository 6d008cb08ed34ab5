// Exact min-cost flow on the bipartite transport graph by successive shortest paths.
//
// Nodes: out-node c in [0, m) holds a cell's mass now (supply A_c), in-node m + c its mass
// after the step (demand B_c); with the relaxed policy a reservoir node 2m may absorb
// (out c -> R) or create (R -> in c) mass at a per-unit penalty. Every arc is uncapacitated.
//
// The solver keeps a pseudoflow and node potentials p such that every residual arc has a
// non-negative reduced cost c(u,v) + p(u) - p(v). It repeatedly takes a node with excess, runs
// Dijkstra on reduced costs until the first node with a deficit is settled, shifts the
// potentials of the settled nodes (which keeps every reduced cost non-negative), and pushes
// flow along that path. When no excess is left the flow is optimal; an excess that reaches
// no deficit proves the problem infeasible.
//
// Cold start: every cell keeps min(A_c, B_c) ("stay" arcs, cost 0) and potentials are 0, so
// only the net change max(A_c - B_c, 0) is routed (DESIGN.md section 1.2's net-change form:
// routing through a cell uses the reverse of its stay arc, whose capacity is the mass that
// stays, so "outflow of c <= A_c" holds by construction). Warm start: the moves (and
// potentials) of the previous, similar problem are kept and only the stay arcs are
// recomputed, so what is left to route is the change of the net change between steps.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace snapflow::transport {

struct FlowStats {
  int64_t unroutable = 0;  // excess that reached no deficit (infeasible when > 0)
  long augmentations = 0;
  long settled = 0;  // nodes settled by all Dijkstra runs (work measure)
};

template <class Arcs>
class ShortestPathFlow {
 public:
  ShortestPathFlow(const Arcs& arcs, int32_t cells, bool reservoir, int64_t penalty)
      : arcs_(arcs), m_(cells), reservoir_(reservoir), penalty_(penalty) {
    nodes_ = 2 * m_ + (reservoir_ ? 1 : 0);
    flow_.assign(static_cast<size_t>(m_) * arcs_.slots, 0);
    potential_.assign(nodes_, 0);
    excess_.assign(nodes_, 0);
    if (reservoir_) {
      created_.assign(m_, 0);
      destroyed_.assign(m_, 0);
    }
    dist_.assign(nodes_, 0);
    reached_.assign(nodes_, 0);
    settled_mark_.assign(nodes_, 0);
    pred_node_.assign(nodes_, -1);
    pred_arc_.assign(nodes_, 0);
    pred_kind_.assign(nodes_, 0);
  }

  // Solves for supplies A (out-nodes) and demands B (in-nodes). With `warm` and a previous
  // solve, starts from its moves and potentials.
  FlowStats solve(const std::vector<int64_t>& A, const std::vector<int64_t>& B, bool warm) {
    const bool reuse = warm && solved_;
    if (!reuse) std::fill(potential_.begin(), potential_.end(), 0);
    initial_flow(A, B, reuse);
    FlowStats stats;
    std::vector<int32_t> queue;
    for (int32_t v = 0; v < nodes_; ++v)
      if (excess_[v] > 0) queue.push_back(v);
    for (size_t next = 0; next < queue.size(); ++next) {
      const int32_t s = queue[next];
      while (excess_[s] > 0) {
        const int32_t t = shortest_path_to_deficit(s, stats);
        if (t < 0) {
          stats.unroutable += excess_[s];
          break;
        }
        augment(s, t);
        ++stats.augmentations;
      }
    }
    normalise_potentials();
    solved_ = true;
    return stats;
  }

  const std::vector<int64_t>& flow() const { return flow_; }
  const std::vector<int64_t>& created() const { return created_; }
  const std::vector<int64_t>& destroyed() const { return destroyed_; }
  const std::vector<int64_t>& potential() const { return potential_; }
  void forget_warm_start() { solved_ = false; }

 private:
  enum Kind : int8_t { kForward, kReverse, kDestroy, kUndestroy, kCreate, kUncreate };

  int32_t in(int32_t c) const { return m_ + c; }
  int32_t root() const { return 2 * m_; }
  int64_t& arc_flow(int32_t c, int d) { return flow_[static_cast<size_t>(c) * arcs_.slots + d]; }
  int64_t forward_reduced(int32_t c, int d, int32_t j) const {
    return arcs_.cost(c, d) + potential_[c] - potential_[in(j)];
  }

  void initial_flow(const std::vector<int64_t>& A, const std::vector<int64_t>& B, bool reuse) {
    std::fill(excess_.begin(), excess_.end(), 0);
    for (int32_t c = 0; c < m_; ++c) {
      const int stay = arcs_.stay_slot(c);
      int64_t moved = 0;
      for (int d = 0; d < arcs_.slots; ++d) {
        if (d == stay) continue;
        int64_t& f = arc_flow(c, d);
        if (!reuse) f = 0;
        moved += f;
      }
      // The stay arc may carry flow only while its reduced cost is 0 (complementary slackness).
      int64_t stay_flow = 0;
      if (!reuse)
        stay_flow = std::min(A[c], B[c]);
      else if (forward_reduced(c, stay, c) == 0)
        stay_flow = std::max<int64_t>(0, A[c] - moved);
      arc_flow(c, stay) = stay_flow;
      excess_[c] += A[c] - moved - stay_flow;
      excess_[in(c)] -= B[c];
    }
    for (int32_t c = 0; c < m_; ++c)
      for (int d = 0; d < arcs_.slots; ++d) {
        const int32_t j = arcs_.target(c, d);
        if (j >= 0) excess_[in(j)] += flow_[static_cast<size_t>(c) * arcs_.slots + d];
      }
    if (reservoir_) {
      std::fill(created_.begin(), created_.end(), 0);
      std::fill(destroyed_.begin(), destroyed_.end(), 0);
      // The reservoir balances the totals: it gives what b has beyond a, or takes the rest.
      int64_t missing = 0;
      for (int32_t c = 0; c < m_; ++c) missing += B[c] - A[c];
      excess_[root()] = missing;
    }
  }

  struct HeapEntry {
    int64_t key;
    int32_t node;
  };
  static bool heap_order(const HeapEntry& x, const HeapEntry& y) { return x.key > y.key; }

  void reach(int32_t v, int64_t d, int32_t from, int64_t arc, Kind kind) {
    if (settled_mark_[v] == generation_) return;
    if (reached_[v] == generation_ && d >= dist_[v]) return;
    reached_[v] = generation_;
    dist_[v] = d;
    pred_node_[v] = from;
    pred_arc_[v] = arc;
    pred_kind_[v] = kind;
    heap_.push_back({d, v});
    std::push_heap(heap_.begin(), heap_.end(), heap_order);
  }

  // Dijkstra from s on reduced costs until a deficit node is settled; returns it, or -1.
  int32_t shortest_path_to_deficit(int32_t s, FlowStats& stats) {
    ++generation_;
    heap_.clear();
    settled_.clear();
    reach(s, 0, -1, 0, kForward);
    int32_t target = -1;
    while (!heap_.empty()) {
      std::pop_heap(heap_.begin(), heap_.end(), heap_order);
      const HeapEntry top = heap_.back();
      heap_.pop_back();
      const int32_t u = top.node;
      if (settled_mark_[u] == generation_ || top.key > dist_[u]) continue;
      settled_mark_[u] = generation_;
      settled_.push_back(u);
      if (excess_[u] < 0) {
        target = u;
        break;
      }
      relax_from(u, top.key);
    }
    stats.settled += static_cast<long>(settled_.size());
    if (target < 0) return -1;
    const int64_t shift = dist_[target];
    for (int32_t v : settled_) potential_[v] += dist_[v] - shift;
    return target;
  }

  void relax_from(int32_t u, int64_t du) {
    const int slots = arcs_.slots;
    if (u < m_) {  // out-node: forward arcs, and destroying mass
      const int32_t c = u;
      for (int d = 0; d < slots; ++d) {
        const int32_t j = arcs_.target(c, d);
        if (j < 0) continue;
        reach(in(j), du + forward_reduced(c, d, j), u, static_cast<int64_t>(c) * slots + d,
              kForward);
      }
      if (reservoir_)
        reach(root(), du + penalty_ + potential_[c] - potential_[root()], u, c, kDestroy);
    } else if (u < 2 * m_) {  // in-node: reverses of arcs carrying flow, and un-creating
      const int32_t j = u - m_;
      for (int d = 0; d < slots; ++d) {
        const int32_t c = arcs_.in_source(j, d);
        if (c < 0) continue;
        const int slot = arcs_.in_slot(j, d);
        const size_t arc = static_cast<size_t>(c) * slots + slot;
        if (flow_[arc] == 0) continue;
        reach(c, du - forward_reduced(c, slot, j), u, static_cast<int64_t>(arc), kReverse);
      }
      if (reservoir_ && created_[j] > 0)
        reach(root(), du - (penalty_ + potential_[root()] - potential_[u]), u, j, kUncreate);
    } else {  // reservoir: create mass anywhere, or un-destroy it
      for (int32_t j = 0; j < m_; ++j)
        reach(in(j), du + penalty_ + potential_[u] - potential_[in(j)], u, j, kCreate);
      for (int32_t c = 0; c < m_; ++c)
        if (destroyed_[c] > 0)
          reach(c, du - (penalty_ + potential_[c] - potential_[u]), u, c, kUndestroy);
    }
  }

  void augment(int32_t s, int32_t t) {
    int64_t amount = std::min(excess_[s], -excess_[t]);
    for (int32_t v = t; v != s; v = pred_node_[v]) {
      const int64_t arc = pred_arc_[v];
      switch (pred_kind_[v]) {
        case kReverse:
          amount = std::min(amount, flow_[arc]);
          break;
        case kUncreate:
          amount = std::min(amount, created_[arc]);
          break;
        case kUndestroy:
          amount = std::min(amount, destroyed_[arc]);
          break;
        default:
          break;
      }
    }
    for (int32_t v = t; v != s; v = pred_node_[v]) {
      const int64_t arc = pred_arc_[v];
      switch (pred_kind_[v]) {
        case kForward:
          flow_[arc] += amount;
          break;
        case kReverse:
          flow_[arc] -= amount;
          break;
        case kDestroy:
          destroyed_[arc] += amount;
          break;
        case kUndestroy:
          destroyed_[arc] -= amount;
          break;
        case kCreate:
          created_[arc] += amount;
          break;
        case kUncreate:
          created_[arc] -= amount;
          break;
      }
    }
    excess_[s] -= amount;
    excess_[t] += amount;
  }

  // A common shift keeps every reduced cost; keeping the largest potential at 0 stops drift
  // over long warm-started chains.
  void normalise_potentials() {
    if (potential_.empty()) return;
    const int64_t top = *std::max_element(potential_.begin(), potential_.end());
    for (int64_t& p : potential_) p -= top;
  }

  const Arcs& arcs_;
  int32_t m_;
  bool reservoir_;
  int64_t penalty_;
  int32_t nodes_ = 0;
  bool solved_ = false;
  std::vector<int64_t> flow_, created_, destroyed_, potential_, excess_;
  // Dijkstra scratch, reused across runs (generation stamps avoid clearing).
  std::vector<int64_t> dist_, pred_arc_;
  std::vector<uint32_t> reached_, settled_mark_;
  std::vector<int32_t> pred_node_, settled_;
  std::vector<int8_t> pred_kind_;
  std::vector<HeapEntry> heap_;
  uint32_t generation_ = 0;
};

}  // namespace snapflow::transport
