// Among the optimal flows of a local transport LP, the one that moves mass most evenly: least
// sum over moves of f^2 / a_from (a_from: the mass of the cell the move leaves) over the flows
// on the optimal face (moves that price at zero; every such flow meeting the net change is
// optimal). The simplex returns a vertex, which has about one move per cell: where the motion
// lies between stencil directions (a velocity of (1, 0.5) takes east and north-east moves in
// every cell), every vertex is wrong in most cells and the tie-breaking only picks which. The
// least-energy optimum splits the mass between directions as a uniform motion does (for a
// uniform advection it is rho v: the multipliers are then a linear function of position).
//
// Solved in the dual: f = w max(0, lambda_to - lambda_from), semi-smooth Newton on lambda with
// a conjugate-gradient solve of the weighted graph Laplacian of the active moves each step,
// regularised where that graph falls apart, and a backtracking search on the dual objective.
// The last step's multipliers start the next one.
#pragma once

#include <cstdint>
#include <vector>

#include "snapflow/transport/transport_solver.hpp"

namespace snapflow::transport {

// Which optimal flow a step keeps: the simplex's vertex, or the least-energy one.
enum class FlowChoice : int8_t { kVertex, kMinEnergy };

struct MinEnergySettings {
  int max_newton_steps = 60;
  int max_cg_steps = 400;
  // Accepted when the flows meet the net change to this fraction of its norm.
  double tolerance = 1e-6;
};

struct MinEnergyResult {
  bool chosen = false;  // false: no flow within tolerance, or one that overdraws a cell
  int newton_steps = 0;
  long cg_steps = 0;
  double residual = 0.0;  // |net change - (in - out)| / |net change|
};

class MinEnergyFlow {
 public:
  explicit MinEnergyFlow(const MinEnergySettings& settings = {}) : settings_(settings) {}

  // flows: as TransportSolver::flows() ([grid cell][direction], the LP's vertex); replaced by
  // the least-energy optimum when one is found (chosen), left as it is otherwise.
  MinEnergyResult choose(const OptimalFace& face, const std::vector<int32_t>& active_cells,
                         const Stencil& stencil, std::vector<double>& flows);

 private:
  // The least-energy flow of `face` with the cells in separate_ split: move_ (per arc of
  // tail_/head_, the moves first, relative to `total`), residual_norm_, and the step counts.
  void solve(const OptimalFace& face, double total);

  MinEnergySettings settings_;
  std::vector<uint8_t> separate_;               // per cell: out- and in-node apart
  std::vector<double> lambda_out_, lambda_in_;  // per cell: the last multipliers (warm start)
  int newton_steps_ = 0;
  long cg_steps_ = 0;
  double residual_norm_ = 0.0;
  // Scratch, kept between steps.
  std::vector<int32_t> node_out_, node_in_, tail_, head_;
  std::vector<double> lambda_, weight_, delta_, move_, residual_, diagonal_, step_, trial_;
  std::vector<double> cg_r_, cg_z_, cg_p_, cg_q_;
  std::vector<uint8_t> active_;
};

}  // namespace snapflow::transport
