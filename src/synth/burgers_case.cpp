#include "snapflow/synth/burgers_case.hpp"

#include <algorithm>
#include <cmath>

#include "snapflow/core/error.hpp"

namespace snapflow {

BurgersCase::BurgersCase(const BurgersParams& p) : params_(p) {
  SNAPFLOW_VERIFY(p.n >= 4, "synth burgers: -n must be >= 4, got " << p.n);
  SNAPFLOW_VERIFY(p.nu > 0, "synth burgers: -nu must be > 0");
  SNAPFLOW_VERIFY(p.snapshots >= 3 && p.snapshot_dt > 0,
                  "synth burgers: need -snapshots >= 3 and -snapshot_dt > 0");
  SNAPFLOW_VERIFY(p.background > 0 && p.width > 0,
                  "synth burgers: -background and -width must be > 0 (u stays positive)");
  h_ = 1.0 / p.n;
  // u stays within [background, background + 1] (maximum principle of viscous Burgers).
  const double umax = p.background + 1.0;
  step_ = 0.2 * std::min(h_ / umax, h_ * h_ / (4.0 * p.nu));
  std::vector<double> u(static_cast<size_t>(p.n) * p.n);
  for (int j = 0; j < p.n; ++j)
    for (int i = 0; i < p.n; ++i) {
      const double x = (i + 0.5) * h_ - 0.3, y = (j + 0.5) * h_ - 0.3;
      u[static_cast<size_t>(j) * p.n + i] =
          p.background + std::exp(-(x * x + y * y) / (2.0 * p.width * p.width));
    }
  snapshots_.push_back(u);
  for (long t = 1; t < p.snapshots; ++t) {
    advance(u, p.snapshot_dt);
    snapshots_.push_back(u);
  }
}

void BurgersCase::rate(const std::vector<double>& u, std::vector<double>& du) const {
  const int n = params_.n;
  auto at = [&](int j, int i) { return u[static_cast<size_t>((j + n) % n) * n + (i + n) % n]; };
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      const double e = at(j, i + 1), w = at(j, i - 1), no = at(j + 1, i), s = at(j - 1, i);
      const double c = at(j, i);
      const double flux = (0.5 * e * e - 0.5 * w * w + 0.5 * no * no - 0.5 * s * s) / (2.0 * h_);
      const double diffusion = params_.nu * (e + w + no + s - 4.0 * c) / (h_ * h_);
      du[static_cast<size_t>(j) * n + i] = diffusion - flux;
    }
}

void BurgersCase::advance(std::vector<double>& u, double duration) const {
  const long steps = std::max(1L, static_cast<long>(std::ceil(duration / step_)));
  const double dt = duration / static_cast<double>(steps);
  std::vector<double> k1(u.size()), k2(u.size()), mid(u.size());
  for (long s = 0; s < steps; ++s) {
    rate(u, k1);
    for (size_t k = 0; k < u.size(); ++k) mid[k] = u[k] + dt * k1[k];
    rate(mid, k2);
    for (size_t k = 0; k < u.size(); ++k) u[k] += 0.5 * dt * (k1[k] + k2[k]);
  }
}

SnapshotLayout BurgersCase::layout() const {
  return analytic_layout(Grid{params_.n, params_.n, h_, h_, 0.0, 0.0}, params_.snapshots,
                         params_.snapshot_dt,
                         "snapflow synth burgers: 2D viscous Burgers (finite differences)");
}

void BurgersCase::fill_state(double time, double* density, double* velocity) const {
  const int n = params_.n;
  const long last = params_.snapshots - 1;
  const long before =
      std::clamp(static_cast<long>(std::floor(time / params_.snapshot_dt + 1e-9)), 0L, last);
  std::vector<double> u = snapshots_[before];
  const double rest = time - before * params_.snapshot_dt;
  if (rest > 1e-12 * params_.snapshot_dt) advance(u, rest);
  auto at = [&](int j, int i) { return u[static_cast<size_t>((j + n) % n) * n + (i + n) % n]; };
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      const size_t k = static_cast<size_t>(j) * n + i;
      const double c = u[k];
      density[k] = c * h_ * h_;
      const double ux = (at(j, i + 1) - at(j, i - 1)) / (2.0 * h_);
      const double uy = (at(j + 1, i) - at(j - 1, i)) / (2.0 * h_);
      velocity[2 * k] = 0.5 * c - params_.nu * ux / c;
      velocity[2 * k + 1] = 0.5 * c - params_.nu * uy / c;
    }
}

}  // namespace snapflow
