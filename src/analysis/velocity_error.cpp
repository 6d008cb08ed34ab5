#include "snapflow/analysis/velocity_error.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace snapflow {

template <typename V>
void VelocityError::add(const Grid& grid, const V* velocity, const double* truth,
                        const double* mass) {
  const int b = options_.block;
  const int bx = (grid.nx + b - 1) / b, by = (grid.ny + b - 1) / b;
  // Per block: mass, mass-weighted recovered and true velocity.
  std::vector<double> m(static_cast<size_t>(bx) * by, 0.0), v(2 * m.size(), 0.0),
      t(2 * m.size(), 0.0);
  for (int j = 0; j < grid.ny; ++j)
    for (int i = 0; i < grid.nx; ++i) {
      const long c = grid.index(j, i);
      const double w = std::max(0.0, mass[c]);
      const size_t k = static_cast<size_t>(j / b) * bx + i / b;
      m[k] += w;
      v[2 * k] += w * velocity[2 * c];
      v[2 * k + 1] += w * velocity[2 * c + 1];
      t[2 * k] += w * truth[2 * c];
      t[2 * k + 1] += w * truth[2 * c + 1];
    }
  const double largest = m.empty() ? 0.0 : *std::max_element(m.begin(), m.end());
  if (largest <= 0.0) return;
  for (size_t k = 0; k < m.size(); ++k) {
    if (m[k] < options_.threshold * largest) continue;
    const double vx = v[2 * k] / m[k], vy = v[2 * k + 1] / m[k];
    const double tx = t[2 * k] / m[k], ty = t[2 * k + 1] / m[k];
    const double true_speed = std::hypot(tx, ty);
    error_ += m[k] * std::hypot(vx - tx, vy - ty);
    truth_ += m[k] * true_speed;
    blocks_ += 1.0;
    if (true_speed > 0.0) {
      // atan2 of cross and dot: robust for nearly parallel vectors; 180 degrees if v = 0.
      const double cross = vx * ty - vy * tx, dot = vx * tx + vy * ty;
      const double angle = (vx == 0.0 && vy == 0.0) ? M_PI : std::atan2(std::fabs(cross), dot);
      angle_ += m[k] * angle;
      angle_mass_ += m[k];
    }
  }
}

template void VelocityError::add<float>(const Grid&, const float*, const double*, const double*);
template void VelocityError::add<double>(const Grid&, const double*, const double*, const double*);

void VelocityError::sums(double out[kSums]) const {
  out[0] = error_;
  out[1] = truth_;
  out[2] = angle_;
  out[3] = angle_mass_;
  out[4] = blocks_;
}

void VelocityError::set_sums(const double in[kSums]) {
  error_ = in[0];
  truth_ = in[1];
  angle_ = in[2];
  angle_mass_ = in[3];
  blocks_ = in[4];
}

double VelocityError::relative() const {
  return truth_ > 0.0 ? error_ / truth_ : 0.0;
}

double VelocityError::angle_degrees() const {
  return angle_mass_ > 0.0 ? angle_ / angle_mass_ * 180.0 / M_PI : 0.0;
}

}  // namespace snapflow
