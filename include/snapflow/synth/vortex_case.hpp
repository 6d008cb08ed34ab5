// `vortex`: solid-body rotation, at angular velocity omega about the centre of a square, of a
// lumpy density made of smooth compactly supported bumps (periodic dynamics). Cell masses
// are 4 x 4 Gauss-Legendre integrals of the analytic density, rescaled so their total is the
// analytic total mass (every bump stays inside the inscribed disc): mass is conserved to
// rounding and each cell is within quadrature error of its exact integral.
#pragma once

#include <vector>

#include "snapflow/synth/synth_case.hpp"

namespace snapflow {

struct VortexParams {
  int n = 40;           // N x N cells on [-side/2, side/2]^2 (N x ny on [-side/2, side/2] x
  double side = 4.0;    // [-side_y/2, side_y/2] with ny, side_y)
  int ny = 0;           // 0: n
  double side_y = 0.0;  // 0: side
  double omega = 0.5;   // rad/s, counter-clockwise
  long snapshots = 40;
  double snapshot_dt = 0.1;  // s
  int bumps = 5;
  uint64_t seed = 7;
};

class VortexCase : public SynthCase {
 public:
  explicit VortexCase(const VortexParams& params);
  SnapshotLayout layout() const override;
  void fill_state(double time, double* density, double* velocity) const override;

  // Analytic density (mass per unit area) at point (x, y) and time `time`.
  double density_at(double x, double y, double time) const;
  // Analytic total mass.
  double total_mass() const;

 private:
  struct Bump {
    double x, y, radius, height;
  };
  VortexParams params_;
  std::vector<Bump> bumps_;
};

}  // namespace snapflow
