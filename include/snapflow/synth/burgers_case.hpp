// `burgers`: the 2D viscous Burgers equation of the seed paper's appendix, in conservative
// form u_t + (u^2/2)_x + (u^2/2)_y = nu (u_xx + u_yy) on a periodic unit square, by finite
// differences (central fluxes, 5-point Laplacian, Heun's method under a CFL-limited step).
// The discrete scheme conserves the total of u exactly (up to rounding). The truth velocity
// is that of the mass flux: v = (u/2, u/2) - nu grad(u) / u, so u_t + div(u v) = 0.
#pragma once

#include <vector>

#include "snapflow/synth/synth_case.hpp"

namespace snapflow {

struct BurgersParams {
  int n = 48;        // n x n cells on [0, 1]^2
  double nu = 0.01;  // viscosity
  long snapshots = 40;
  double snapshot_dt = 0.02;  // s
  double background = 0.2;    // u0 = background + exp(-|x - (0.3, 0.3)|^2 / (2 width^2))
  double width = 0.1;
};

class BurgersCase : public SynthCase {
 public:
  explicit BurgersCase(const BurgersParams& params);  // integrates the whole run once
  SnapshotLayout layout() const override;
  void fill_state(double time, double* density, double* velocity) const override;

 private:
  void advance(std::vector<double>& u, double duration) const;  // in place, periodic
  void rate(const std::vector<double>& u, std::vector<double>& du) const;
  BurgersParams params_;
  double h_ = 0.0, step_ = 0.0;
  std::vector<std::vector<double>> snapshots_;  // u at each snapshot time
};

}  // namespace snapflow
