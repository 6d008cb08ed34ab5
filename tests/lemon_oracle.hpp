// LEMON's NetworkSimplex as an independent oracle for the transport kernel (tests and
// benchmarks only).
#pragma once

#include <cstdint>

#include "snapflow/transport/transport_solver.hpp"

namespace snapflow::test {

struct OracleResult {
  bool feasible = false;
  transport::ObjectiveUnits cost = 0;  // in 128 bits, as the kernel's objective
  double seconds = 0.0;
};

// Solves the same integer problem (bipartite transportation graph, plus the reservoir node
// of the relaxed policy) with LEMON's NetworkSimplex, candidate-list pivot rule.
OracleResult lemon_solve(const transport::IntegerProblem& problem);

}  // namespace snapflow::test
