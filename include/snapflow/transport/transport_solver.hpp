// The per-rank transport kernel: one exact, warm-startable solver of the transport LP between
// consecutive fine states (DESIGN.md sections 1.2-1.3). Plain C++: no MPI, no PETSc, no HDF5.
//
// A solver is built once per chain of steps on the same grid, mask, stencil and costs, and
// solve() is called for each consecutive pair (a, b); with warm = true each solve starts
// from the previous one's moves and node potentials. Every solve is exact (integer masses
// and costs) and reaches the same objective cold or warm.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "snapflow/core/grid.hpp"
#include "snapflow/transport/integer_masses.hpp"
#include "snapflow/transport/stencil.hpp"

namespace snapflow::transport {

enum class Status : int8_t { kOptimal = 0, kRelaxed = 1, kInfeasible = 2 };
std::string to_string(Status status);

struct TransportSpec {
  Grid grid;
  std::vector<uint8_t> mask;  // [ny * nx], 1 = in the domain; empty: every cell is
  StencilKind stencil = StencilKind::kEight;
  CostModel cost;
  Balance balance = Balance::kScale;
  // Cost (length units) per unit of mass created or destroyed by the relaxed policy;
  // <= 0 picks 5 * max(dx, dy).
  double relax_penalty = 0.0;
  // Mass per integer unit; <= 0 picks (total mass of the first a) / 2^48 (local stencils; 2^36
  // for the global problem) at the first solve, kept for the solver's lifetime so warm starts
  // stay exact.
  double mass_unit = 0.0;
};

// An exact objective in integer units (flow units x cost units): beyond int64 at the default
// mass resolution.
__extension__ typedef __int128 ObjectiveUnits;

struct TransportResult {
  Status status = Status::kOptimal;
  double cost = 0.0;     // sum of flow x cost (mass x length), created/destroyed excluded
  double moved = 0.0;    // mass that changed cell
  double created = 0.0;  // relaxed policy: mass that appeared / vanished
  double destroyed = 0.0;
  double clipped = 0.0;     // negative mass clipped from a and b
  double rebalanced = 0.0;  // mass the balance policy added (> 0) or removed (< 0)
  double unroutable = 0.0;  // infeasible: mass that could reach no destination in the stencil
  long pivots = 0;
  long block_moves = 0;   // of which degenerate moves of a balanced subtree (no cycle walk)
  long tree_updates = 0;  // nodes re-hung by the pivots (work measure)
  long repairs = 0;       // warm start: subtrees re-attached without big-M
  // Pricing work: units of arcs (a cell's arcs, or as many others) the searches visited, and
  // of those the ones skipped as unable to price negative (see block_pricing.hpp).
  long searched_units = 0;
  long skipped_units = 0;
  // Negative arcs that only the final pass over every arc found (0 unless the skipping has a
  // bug; the flows stay optimal either way).
  long grain_misses = 0;
  // Cells solved as out/in pairs, as the problem is posed: those the net-change form overdrew,
  // in this solve or earlier in the chain (0: the net-change form held everywhere).
  long split_cells = 0;
  bool warm = false;
  // The net change rounded per cell left a unit unroutable, so the step was solved again, cold,
  // on each state rounded on its own (integer_masses.hpp; exact shifts of a state).
  bool rounded_states = false;
  bool min_energy = false;  // the flows kept are the least-energy optimum (min_energy_flow.hpp)
  double seconds = 0.0;
};

// The exact integer problem of the last solve, for independent oracles (tests, benchmarks).
struct IntegerProblem {
  struct Arc {
    int32_t from, to;  // out-node (cell) and in-node (cell) indices in [0, cells)
    int64_t cost;
  };
  int32_t cells = 0;
  std::vector<int64_t> a, b;
  std::vector<Arc> arcs;
  bool reservoir = false;  // relaxed: create/destroy at `penalty` per unit
  int64_t penalty = 0;
};

// The optimal face of the last local solve: the moves (not stays) that price at zero, which
// are exactly the moves optimal flows may use, and the masses solved (after the balance
// policy; under the relaxed policy, less the mass this solve destroys or creates in each cell,
// which the face keeps fixed). A cell is `apart` when its stay prices above zero (it keeps nothing
// in every optimal flow: all of a leaves and all of b arrives); otherwise any split of its mass
// between staying and moving that meets the net change a - b is optimal.
struct OptimalFace {
  struct Move {
    int32_t from, to;  // active cell indices
    int slot;          // direction slot of `from`
  };
  std::vector<Move> moves;
  std::vector<uint8_t> apart;  // per active cell
  std::vector<double> a, b;    // per active cell, mass units
};

class TransportSolver {
 public:
  explicit TransportSolver(const TransportSpec& spec);
  ~TransportSolver();
  TransportSolver(const TransportSolver&) = delete;
  TransportSolver& operator=(const TransportSolver&) = delete;

  // a and b are whole-grid masses [ny * nx] (masked cells are ignored).
  TransportResult solve(const double* a, const double* b, bool warm = true);

  const TransportSpec& spec() const;
  const Stencil& stencil() const;  // local stencils only
  // Flow slots per cell: stencil directions, or the number of active cells (global).
  int directions() const;
  const std::vector<int32_t>& active_cells() const;
  // Mass moved by the last solve from each cell towards each direction: [ny * nx][directions]
  // for local stencils, [active][active] for the global problem.
  std::vector<double> flows() const;
  void flows(std::vector<double>& out) const;  // the same into `out`, reusing its storage
  // Exact objective of the last solve in integer units (flow units x cost units, created and
  // destroyed mass at the penalty included).
  ObjectiveUnits objective_units() const;
  IntegerProblem integer_problem() const;
  // Local stencils, after a solve that is not infeasible.
  OptimalFace optimal_face() const;
  double mass_unit() const;
  double cost_unit() const;
  // Bytes held by the solver (graph, flows, potentials, scratch).
  size_t memory_bytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace snapflow::transport
