// The transport LP solved in its net-change form as far as it holds (DESIGN.md section 1.2):
// only the net change A_c - B_c moves on the grid graph, one node per cell instead of two, so
// every tree walk and subtree shift is about half as long. That form drops the bound "a cell
// passes on at most what it holds"; when its optimal flow keeps the bound anyway it is optimal
// for the transport problem as posed (a relaxation's optimum that is feasible). Otherwise the
// overdrawn cells are split into out- and in-nodes, as posed, and the step is solved again
// from the same basis; they stay split for the rest of the chain (the same near-empty cells
// are overdrawn step after step). A flow that leaves mass unroutable is finished with every
// cell split, so the unroutable mass is that of the problem as posed.
#pragma once

#include "network_simplex.hpp"

namespace snapflow::transport {

template <class Arcs>
class NetChangeFlow {
 public:
  NetChangeFlow(const Arcs& arcs, int32_t cells, bool reservoir, int64_t penalty)
      : flow_(arcs, cells, reservoir, penalty, Form::kNetChange) {}

  FlowStats solve(const std::vector<int64_t>& A, const std::vector<int64_t>& B, bool warm) {
    FlowStats stats = flow_.solve(A, B, warm);
    while (!flow_.capacity_ok() || (stats.unroutable > 0 && !flow_.all_split())) {
      if (stats.unroutable > 0)
        flow_.split_all_cells();
      else
        flow_.split_cells(flow_.overdrawn());
      const FlowStats again = flow_.solve(A, B, true);
      stats.unroutable = again.unroutable;
      stats.pivots += again.pivots;
      stats.moved_nodes += again.moved_nodes;
      stats.repairs += again.repairs;
    }
    stats.split_cells = flow_.split_count();
    return stats;
  }

  int64_t flow(int32_t c, int d) const { return flow_.flow(c, d); }
  int64_t created(int32_t c) const { return flow_.created(c); }
  int64_t destroyed(int32_t c) const { return flow_.destroyed(c); }
  size_t memory_bytes() const { return flow_.memory_bytes(); }

 private:
  NetworkSimplex<Arcs> flow_;
};

}  // namespace snapflow::transport
