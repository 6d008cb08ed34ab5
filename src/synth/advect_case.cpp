#include "snapflow/synth/advect_case.hpp"

#include <algorithm>
#include <cmath>

#include "snapflow/core/error.hpp"

namespace snapflow {

namespace {
// Antiderivative of the unit profile on s in [-1, 1], clamped outside: the box profile is 1
// there, the smooth one cos^2(pi s / 2) (C1, compact support).
double antiderivative(BumpProfile profile, double s) {
  s = std::clamp(s, -1.0, 1.0);
  if (profile == BumpProfile::kBox) return s;
  return 0.5 * (s + std::sin(M_PI * s) / M_PI);
}
}  // namespace

AdvectCase::AdvectCase(const AdvectParams& given) : params_(given) {
  AdvectParams& p = params_;
  complete_rectangle("advect", p.n, p.ny, p.side, p.side_y);
  SNAPFLOW_VERIFY(p.snapshots >= 3, "synth advect: -snapshots must be >= 3, got " << p.snapshots);
  SNAPFLOW_VERIFY(p.snapshot_dt > 0, "synth advect: -snapshot_dt must be > 0");
  SNAPFLOW_VERIFY(p.half_width > 0 && p.height > 0,
                  "synth advect: -bump_radius and -bump_height must be > 0");
  const double t_end = (p.snapshots - 1) * p.snapshot_dt;
  for (double t : {0.0, t_end}) {
    const double cx = p.centre_x + p.vx * t, cy = p.centre_y + p.vy * t;
    SNAPFLOW_VERIFY(
        cx - p.half_width >= 0 && cx + p.half_width <= p.side && cy - p.half_width >= 0 &&
            cy + p.half_width <= p.side_y,
        "synth advect: the bump leaves the domain [0, "
            << p.side << "] x [0, " << p.side_y << "] by t = " << t << " s (centre (" << cx << ", "
            << cy << ")); lower -vx/-vy, -snapshots or -snapshot_dt, or move -bump_x/-bump_y");
  }
}

SnapshotLayout AdvectCase::layout() const {
  return analytic_layout(
      Grid{params_.n, params_.ny, params_.side / params_.n, params_.side_y / params_.ny, 0.0, 0.0},
      params_.snapshots, params_.snapshot_dt,
      "snapflow synth advect: constant-velocity advection of a bump");
}

double AdvectCase::profile_integral(double a, double b, double centre) const {
  const double w = params_.half_width;
  return w * (antiderivative(params_.profile, (b - centre) / w) -
              antiderivative(params_.profile, (a - centre) / w));
}

double AdvectCase::mass_in_box(double a, double b, double c, double d, double time) const {
  const double cx = params_.centre_x + params_.vx * time;
  const double cy = params_.centre_y + params_.vy * time;
  return params_.height * profile_integral(a, b, cx) * profile_integral(c, d, cy);
}

double AdvectCase::total_mass() const {
  const double one_d = params_.half_width * (params_.profile == BumpProfile::kBox ? 2.0 : 1.0);
  return params_.height * one_d * one_d;
}

void AdvectCase::fill_state(double time, double* density, double* velocity) const {
  const Grid g = layout().grid;
  const double cx = params_.centre_x + params_.vx * time;
  const double cy = params_.centre_y + params_.vy * time;
  // Separable: integrate the profile once per column and once per row.
  std::vector<double> column(g.nx), row(g.ny);
  for (int i = 0; i < g.nx; ++i) column[i] = profile_integral(i * g.dx, (i + 1) * g.dx, cx);
  for (int j = 0; j < g.ny; ++j) row[j] = profile_integral(j * g.dy, (j + 1) * g.dy, cy);
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) {
      const long k = g.index(j, i);
      density[k] = params_.height * row[j] * column[i];
      velocity[2 * k] = params_.vx;
      velocity[2 * k + 1] = params_.vy;
    }
}

}  // namespace snapflow
