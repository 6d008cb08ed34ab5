// A flow that moves every point by the same affine map each time step: x -> A x + b, the
// step map of a linear ODE dx/dt = M x + c. Its orbits are the rotations, spirals and shears
// of a vortex, so mass carried by it follows curved motion from a few snapshots. Fitted by
// weighted least squares to the (from, to) pairs of transport plans; stepped by any real
// fraction of a step (the principal power of the map).
#pragma once

#include <array>

namespace snapflow {

struct PlanePoint {
  double x = 0, y = 0;
};

struct AffineMap {
  std::array<std::array<double, 2>, 2> a{{{1, 0}, {0, 1}}};
  std::array<double, 2> b{0, 0};

  PlanePoint operator()(PlanePoint p) const {
    return {a[0][0] * p.x + a[0][1] * p.y + b[0], a[1][0] * p.x + a[1][1] * p.y + b[1]};
  }
};

// Sums of the weighted normal equations for to = A from + b (add pairs, add sums over ranks
// or intervals with `add(other, factor)`, then `fit`).
class AffineMoments {
 public:
  static constexpr int kSums = 12;

  void add(PlanePoint from, PlanePoint to, double weight);
  void add(const AffineMoments& other, double factor);
  const std::array<double, kSums>& sums() const { return sums_; }
  std::array<double, kSums>& sums() { return sums_; }

  // The least-squares map; throws if the pairs' starting points lie on a line (the map is
  // then not determined).
  AffineMap fit() const;

 private:
  // 1, x, y, xx, xy, yy, then x' and y' times 1, x, y
  std::array<double, kSums> sums_{};
};

// The map `s` steps on (s real, negative allowed): A^s with the principal power and the
// translation that keeps the flow's orbits. Throws if A has a real eigenvalue <= 0 (a half
// turn or a reflection per step: no real flow takes that step).
AffineMap fractional_step(const AffineMap& map, double s);

}  // namespace snapflow
