#include "lemon_oracle.hpp"

#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

#include <chrono>

namespace snapflow::test {

OracleResult lemon_solve(const transport::IntegerProblem& p) {
  if (p.cells == 0) return OracleResult{true, 0, 0.0};  // nothing to move (LEMON says infeasible)
  using Graph = lemon::SmartDigraph;
  Graph graph;
  graph.reserveNode(2 * p.cells + 1);
  graph.reserveArc(static_cast<int>(p.arcs.size()) + (p.reservoir ? 2 * p.cells : 0));
  std::vector<Graph::Node> out(p.cells), in(p.cells);
  for (int32_t c = 0; c < p.cells; ++c) out[c] = graph.addNode();
  for (int32_t c = 0; c < p.cells; ++c) in[c] = graph.addNode();
  Graph::ArcMap<long long> cost(graph);
  Graph::NodeMap<long long> supply(graph, 0);
  for (const auto& arc : p.arcs) cost[graph.addArc(out[arc.from], in[arc.to])] = arc.cost;
  long long missing = 0;
  for (int32_t c = 0; c < p.cells; ++c) {
    supply[out[c]] = p.a[c];
    supply[in[c]] = -p.b[c];
    missing += p.b[c] - p.a[c];
  }
  if (p.reservoir) {
    const Graph::Node root = graph.addNode();
    supply[root] = missing;
    for (int32_t c = 0; c < p.cells; ++c) {
      cost[graph.addArc(out[c], root)] = p.penalty;
      cost[graph.addArc(root, in[c])] = p.penalty;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  lemon::NetworkSimplex<Graph, long long, long long> simplex(graph);
  // Supplies sum to zero, so LEMON's GEQ form is the equality-constrained problem.
  simplex.costMap(cost).supplyMap(supply).supplyType(simplex.GEQ);
  const auto outcome = simplex.run(simplex.CANDIDATE_LIST);
  OracleResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.feasible = outcome == simplex.OPTIMAL;
  if (r.feasible) r.cost = simplex.totalCost<transport::ObjectiveUnits>();
  return r;
}

}  // namespace snapflow::test
