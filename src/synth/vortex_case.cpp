#include "snapflow/synth/vortex_case.hpp"

#include <algorithm>
#include <cmath>

#include "snapflow/core/error.hpp"

namespace snapflow {

namespace {
// Bump profile (1 - (r/R)^2)^4: smooth (C3) with compact support; its integral over the
// plane is pi R^2 / 5.
double bump_profile(double r2_over_R2) {
  if (r2_over_R2 >= 1.0) return 0.0;
  const double s = 1.0 - r2_over_R2;
  return s * s * s * s;
}
}  // namespace

VortexCase::VortexCase(const VortexParams& given) : params_(given) {
  VortexParams& p = params_;
  complete_rectangle("vortex", p.n, p.ny, p.side, p.side_y);
  SNAPFLOW_VERIFY(p.snapshots >= 3, "synth vortex: -snapshots must be >= 3, got " << p.snapshots);
  SNAPFLOW_VERIFY(p.snapshot_dt > 0, "synth vortex: -snapshot_dt must be > 0");
  SNAPFLOW_VERIFY(p.bumps >= 1, "synth vortex: -bumps must be >= 1");
  SplitMix64 random(p.seed);
  const double side = std::min(p.side, p.side_y);
  const double disc = 0.45 * side;  // every bump stays inside this disc
  for (int b = 0; b < p.bumps; ++b) {
    Bump bump{};
    bump.radius = random.uniform(0.12, 0.25) * side;
    const double r = random.uniform(0.05 * side, disc - bump.radius);
    const double angle = random.uniform(0.0, 2.0 * M_PI);
    bump.x = r * std::cos(angle);
    bump.y = r * std::sin(angle);
    bump.height = random.uniform(0.5, 1.5);
    bumps_.push_back(bump);
  }
}

SnapshotLayout VortexCase::layout() const {
  return analytic_layout(
      Grid{params_.n, params_.ny, params_.side / params_.n, params_.side_y / params_.ny,
           -0.5 * params_.side, -0.5 * params_.side_y},
      params_.snapshots, params_.snapshot_dt,
      "snapflow synth vortex: solid-body rotation of a lumpy density");
}

double VortexCase::density_at(double x, double y, double time) const {
  // Rotate the point back by omega * time and evaluate the initial density there.
  const double c = std::cos(params_.omega * time), s = std::sin(params_.omega * time);
  const double x0 = c * x + s * y, y0 = -s * x + c * y;
  double value = 0.0;
  for (const Bump& b : bumps_) {
    const double dx = x0 - b.x, dy = y0 - b.y;
    value += b.height * bump_profile((dx * dx + dy * dy) / (b.radius * b.radius));
  }
  return value;
}

double VortexCase::total_mass() const {
  double mass = 0.0;
  for (const Bump& b : bumps_) mass += b.height * M_PI * b.radius * b.radius / 5.0;
  return mass;
}

void VortexCase::fill_state(double time, double* density, double* velocity) const {
  const Grid g = layout().grid;
  // 4-point Gauss-Legendre nodes and weights on [-1, 1].
  static const double node[4] = {-0.8611363115940526, -0.3399810435848563, 0.3399810435848563,
                                 0.8611363115940526};
  static const double weight[4] = {0.3478548451374538, 0.6521451548625461, 0.6521451548625461,
                                   0.3478548451374538};
  double quadrature_total = 0.0;
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) {
      const double xc = g.centre_x(i), yc = g.centre_y(j);
      double mass = 0.0;
      for (int a = 0; a < 4; ++a)
        for (int b = 0; b < 4; ++b)
          mass += weight[a] * weight[b] *
                  density_at(xc + 0.5 * g.dx * node[a], yc + 0.5 * g.dy * node[b], time);
      const long k = g.index(j, i);
      density[k] = 0.25 * g.dx * g.dy * mass;
      quadrature_total += density[k];
      velocity[2 * k] = -params_.omega * yc;
      velocity[2 * k + 1] = params_.omega * xc;
    }
  // Remove the quadrature error of the total (~1e-7 relative) so mass is conserved exactly.
  const double correction = total_mass() / quadrature_total;
  for (long k = 0; k < g.cells(); ++k) density[k] *= correction;
}

}  // namespace snapflow
