// `advect`: constant-velocity advection u_t + v . grad u = 0 of a bump on a rectangle, the
// analytic case of the seed paper (section 3.2). The density of a cell is the exact integral
// of the analytic solution over the cell, so the total mass is conserved to rounding while
// the bump stays inside the domain (which the parameters are checked for).
#pragma once

#include "snapflow/synth/synth_case.hpp"

namespace snapflow {

enum class BumpProfile { kSmooth, kBox };

struct AdvectParams {
  int n = 40;                 // N x N cells (N x ny with ny)
  double side = 4.0;          // square [0, side]^2 ([0, side] x [0, side_y] with side_y)
  int ny = 0;                 // rows; 0: n
  double side_y = 0.0;        // extent in y; 0: side (cells of side / n x side_y / ny)
  double vx = 1.0, vy = 0.5;  // velocity (length/s)
  long snapshots = 40;
  double snapshot_dt = 0.05;  // s
  BumpProfile profile = BumpProfile::kSmooth;
  double centre_x = 1.2, centre_y = 1.2;  // bump centre at t = 0
  double half_width = 0.6;                // bump support is the square centre +- half_width
  double height = 1.0;                    // peak density (mass per unit area)
};

class AdvectCase : public SynthCase {
 public:
  explicit AdvectCase(const AdvectParams& params);  // throws if the bump leaves the domain
  SnapshotLayout layout() const override;
  void fill_state(double time, double* density, double* velocity) const override;

  // Exact mass of the cell interval [a, b] x [c, d] at time `time`.
  double mass_in_box(double a, double b, double c, double d, double time) const;
  // Analytic total mass (independent of time).
  double total_mass() const;
  const AdvectParams& params() const { return params_; }

 private:
  // Integral of the 1D profile over [a, b] for a bump centred at `centre`.
  double profile_integral(double a, double b, double centre) const;
  AdvectParams params_;
};

}  // namespace snapflow
