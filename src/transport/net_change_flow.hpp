// The transport LP solved in its net-change form first (DESIGN.md section 1.2): only the net
// change A_c - B_c moves on the grid graph, one node per cell instead of two, so every tree
// walk and subtree shift is about half as long. That form drops the bound "a cell passes on
// at most what it holds"; when its optimal flow keeps the bound anyway it is optimal for the
// transport problem as posed (a relaxation's optimum that is feasible). Otherwise, and when
// mass is left unroutable (whose amount the relaxation would understate), the step is solved
// again in the bipartite form, warm-started from the relaxation's optimal basis: only the
// overdrawn cells need work.
#pragma once

#include <memory>

#include "network_simplex.hpp"

namespace snapflow::transport {

template <class Arcs>
class NetChangeFlow {
 public:
  NetChangeFlow(const Arcs& arcs, int32_t cells, bool reservoir, int64_t penalty)
      : arcs_(arcs), cells_(cells), reservoir_(reservoir), penalty_(penalty) {
    net_ =
        std::make_unique<NetworkSimplex<Arcs>>(arcs, cells, reservoir, penalty, Form::kNetChange);
  }

  FlowStats solve(const std::vector<int64_t>& A, const std::vector<int64_t>& B, bool warm) {
    FlowStats stats = net_->solve(A, B, warm);
    last_ = net_.get();
    if (net_->capacity_ok() && stats.unroutable == 0) return stats;
    if (!bipartite_)
      bipartite_ = std::make_unique<NetworkSimplex<Arcs>>(arcs_, cells_, reservoir_, penalty_,
                                                          Form::kBipartite);
    bipartite_->start_from(*net_);
    const FlowStats exact = bipartite_->solve(A, B, true);
    last_ = bipartite_.get();
    stats.unroutable = exact.unroutable;
    stats.pivots += exact.pivots;
    stats.moved_nodes += exact.moved_nodes;
    stats.repairs += exact.repairs;
    stats.bipartite = true;
    return stats;
  }

  // The flows of the last solve, from whichever form gave them.
  int64_t flow(int32_t c, int d) const { return last_->flow(c, d); }
  int64_t created(int32_t c) const { return last_->created(c); }
  int64_t destroyed(int32_t c) const { return last_->destroyed(c); }

  size_t memory_bytes() const {
    return net_->memory_bytes() + (bipartite_ ? bipartite_->memory_bytes() : 0);
  }

 private:
  const Arcs& arcs_;
  int32_t cells_;
  bool reservoir_;
  int64_t penalty_;
  std::unique_ptr<NetworkSimplex<Arcs>> net_, bipartite_;
  const NetworkSimplex<Arcs>* last_ = nullptr;
};

}  // namespace snapflow::transport
