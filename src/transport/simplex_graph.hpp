// The network the simplex solves: the numbering of its nodes and arcs, which cells are split
// (the net-change form, DESIGN.md section 1.2), and the side each artificial arc takes.
//
// Nodes: out-node c in [0, m) holds a cell's mass now (supply A_c), in-node in_base + c its
// mass after the step (demand B_c), for a split cell; a single cell is node c alone, with
// supply A_c - B_c and no bound on what it passes on. The reservoir (node m, relaxed policy
// only) and the root come before the in-nodes, so the arcs that exist while no cell is split
// are numbered first.
//
// Arcs: the real arcs (c, d) of the stencil (id c * slots + d, the stay arc included), the
// reservoir's arcs out c -> reservoir (destroy) and reservoir -> in c (create) at a per-unit
// penalty, then one artificial arc per node joining it to the root at cost M (big-M: more than
// any path), pointing up or down as its flow needs. Every arc is uncapacitated.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace snapflow::transport {

template <class Arcs>
class SimplexGraph {
 public:
  SimplexGraph(const Arcs& arcs, int32_t cells, bool reservoir, int64_t penalty)
      : arcs_(arcs),
        m_(cells),
        reservoir_(reservoir),
        penalty_(penalty),
        split_(static_cast<size_t>(cells), 0) {
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
    art_up_.assign(nodes_, 1);
  }

  const Arcs& arcs() const { return arcs_; }
  int slots() const { return arcs_.slots; }
  int32_t cells() const { return m_; }
  int32_t nodes() const { return nodes_; }
  int32_t root() const { return root_; }
  int32_t in_base() const { return in_base_; }
  bool has_reservoir() const { return reservoir_; }
  int32_t reservoir_node() const { return m_; }
  int64_t real_arcs() const { return real_arcs_; }
  int64_t destroy_base() const { return destroy_base_; }
  int64_t create_base() const { return create_base_; }
  int64_t art_base() const { return art_base_; }
  int64_t arc_count() const { return arc_count_; }
  int64_t artificial_arc(int32_t x) const { return art_base_ + x; }
  bool is_artificial(int64_t arc) const { return arc >= art_base_; }

  // The net-change form: which cells have an out- and an in-node.
  bool split(int32_t c) const { return split_[c] != 0; }
  const uint8_t* split_flags() const { return split_.data(); }
  long split_count() const { return split_count_; }
  bool all_split() const { return split_count_ == m_; }
  const std::vector<int32_t>& split_list() const { return split_list_; }  // in split order
  void mark_split(const std::vector<int32_t>& cells) {
    for (int32_t c : cells) split_[c] = 1;
    split_count_ += static_cast<long>(cells.size());
    split_list_.insert(split_list_.end(), cells.begin(), cells.end());
  }
  int32_t in(int32_t c) const { return split_[c] ? in_base_ + c : c; }
  int32_t cell_of(int32_t x) const { return x < m_ ? x : x - in_base_; }
  // A cell's node (out, in or single), not the reservoir or the root.
  bool is_cell_node(int32_t x) const { return x < m_ || x >= in_base_; }
  // Whether x receives a cell's incoming moves: an in-node, or a single cell's node.
  bool is_in_node(int32_t x) const { return x >= in_base_ || (x < m_ && !split(x)); }
  // The other node of a cell's (out, in) pair.
  int32_t partner(int32_t x) const { return x < m_ ? x + in_base_ : x - in_base_; }
  int64_t stay_arc(int32_t c) const {
    return static_cast<int64_t>(c) * arcs_.slots + arcs_.stay_slot(c);
  }

  // Whether node x's artificial arc points up (x -> root).
  bool art_up(int32_t x) const { return art_up_[x] != 0; }
  void set_art_up(int32_t x, bool up) { art_up_[x] = up; }

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
  int64_t reduced_cost(int64_t arc, const std::vector<int64_t>& potential) const {
    return cost(arc) + potential[source(arc)] - potential[target(arc)];
  }

  size_t memory_bytes() const {
    return art_up_.capacity() + split_.capacity() + 4 * split_list_.capacity();
  }

 private:
  const Arcs& arcs_;
  int32_t m_;
  bool reservoir_;
  int64_t penalty_;
  int32_t nodes_ = 0, root_ = 0, in_base_ = 0;
  int64_t real_arcs_ = 0, destroy_base_ = 0, create_base_ = 0, art_base_ = 0, arc_count_ = 0;
  int64_t art_cost_ = 0;
  std::vector<uint8_t> split_;  // 1: the cell has an out- and an in-node (in_base_ + c)
  long split_count_ = 0;
  std::vector<int32_t> split_list_;
  std::vector<int8_t> art_up_;
};

}  // namespace snapflow::transport
