// The optional output of `snapflow transport -o FILE`: the flows of one transport problem.
#pragma once

#include <string>

#include "snapflow/transport/transport_solver.hpp"

namespace snapflow {

// Serial (call on one rank). Local stencils: /transport/flow [ny, nx, D] (mass moved from
// each cell towards each direction d during the step) and /transport/offsets [D, 2] (ox, oy
// of direction d); global: /transport/plan [nonzeros, 3] (from cell, to cell, mass) with
// cells numbered j * nx + i. The result's figures are root attributes. Written atomically.
void write_transport_output(const std::string& path, const transport::TransportSolver& solver,
                            const transport::TransportResult& result, long from, long to);

}  // namespace snapflow
