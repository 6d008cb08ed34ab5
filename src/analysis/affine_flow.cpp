#include "snapflow/analysis/affine_flow.hpp"

#include <cmath>
#include <complex>

#include "snapflow/core/error.hpp"

namespace snapflow {

void AffineMoments::add(PlanePoint from, PlanePoint to, double weight) {
  const double row[3] = {1.0, from.x, from.y};
  double* s = sums_.data();
  s[0] += weight;
  s[1] += weight * from.x;
  s[2] += weight * from.y;
  s[3] += weight * from.x * from.x;
  s[4] += weight * from.x * from.y;
  s[5] += weight * from.y * from.y;
  for (int k = 0; k < 3; ++k) {
    s[6 + k] += weight * to.x * row[k];
    s[9 + k] += weight * to.y * row[k];
  }
}

void AffineMoments::add(const AffineMoments& other, double factor) {
  for (int k = 0; k < kSums; ++k) sums_[k] += factor * other.sums_[k];
}

AffineMap AffineMoments::fit() const {
  const double* s = sums_.data();
  SNAPFLOW_VERIFY(s[0] > 0, "affine flow: no mass to fit the map to");
  // Centred second moments: the normal equations in coordinates about the mean start point.
  const double mx = s[1] / s[0], my = s[2] / s[0];
  const double cxx = s[3] / s[0] - mx * mx, cxy = s[4] / s[0] - mx * my,
               cyy = s[5] / s[0] - my * my;
  const double det = cxx * cyy - cxy * cxy;
  SNAPFLOW_VERIFY(det > 1e-12 * (cxx + cyy) * (cxx + cyy),
                  "affine flow: the mass lies on a line, so a map of the plane is not "
                  "determined by its moves");
  AffineMap map;
  const double* targets[2] = {s + 6, s + 9};
  for (int d = 0; d < 2; ++d) {
    const double mean = targets[d][0] / s[0];
    const double with_x = targets[d][1] / s[0] - mean * mx;
    const double with_y = targets[d][2] / s[0] - mean * my;
    map.a[d][0] = (cyy * with_x - cxy * with_y) / det;
    map.a[d][1] = (cxx * with_y - cxy * with_x) / det;
    map.b[d] = mean - map.a[d][0] * mx - map.a[d][1] * my;
  }
  return map;
}

namespace {

using Complex = std::complex<double>;

// h(A) for a 2x2 A with eigenvalues l1, l2: h(l1) I + h[l1, l2] (A - l1 I), the divided
// difference taken as h' at the mean where the eigenvalues (nearly) coincide.
template <typename H, typename DH>
std::array<std::array<double, 2>, 2> matrix_function(const std::array<std::array<double, 2>, 2>& a,
                                                     Complex l1, Complex l2, H h, DH dh) {
  const Complex difference = std::abs(l1 - l2) > 1e-7 * std::max(1.0, std::abs(l1))
                                 ? (h(l1) - h(l2)) / (l1 - l2)
                                 : dh(0.5 * (l1 + l2));
  const Complex at = h(l1);
  std::array<std::array<double, 2>, 2> out{};
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      out[i][j] = std::real(difference * (a[i][j] - (i == j ? l1 : 0.0)) + (i == j ? at : 0.0));
  return out;
}

}  // namespace

AffineMap fractional_step(const AffineMap& map, double s) {
  const auto& a = map.a;
  const double half_trace = 0.5 * (a[0][0] + a[1][1]);
  const double det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
  const Complex root = std::sqrt(Complex(half_trace * half_trace - det, 0.0));
  const Complex l1 = half_trace + root, l2 = half_trace - root;
  const auto real_non_positive = [](Complex l) {
    return std::abs(l.imag()) <= 1e-12 * std::abs(l) && l.real() <= 0.0;
  };
  SNAPFLOW_VERIFY(!real_non_positive(l1) && !real_non_positive(l2),
                  "affine flow: the fitted step map has eigenvalues "
                      << l1.real() << " and " << l2.real()
                      << " (a half turn or a reflection per step): no real flow takes a "
                         "fraction of that step");
  const auto power = [s](Complex l) { return std::exp(s * std::log(l)); };
  const auto d_power = [s](Complex l) { return s * std::exp((s - 1) * std::log(l)); };
  // g(l) = (l^s - 1) / (l - 1), so that x(s) = A^s x + g(A) b; its series about l = 1 where
  // the quotient cancels.
  const auto binomial = [s](int k) {
    double c = 1.0;
    for (int i = 0; i < k; ++i) c *= (s - i) / (i + 1);
    return c;
  };
  const auto g = [&](Complex l) {
    const Complex u = l - 1.0;
    if (std::abs(u) < 1e-3)
      return binomial(1) + u * (binomial(2) + u * (binomial(3) + u * binomial(4)));
    return (power(l) - 1.0) / u;
  };
  const auto d_g = [&](Complex l) {
    const Complex u = l - 1.0;
    if (std::abs(u) < 1e-3) return binomial(2) + u * (2 * binomial(3) + u * 3.0 * binomial(4));
    return (d_power(l) * u - (power(l) - 1.0)) / (u * u);
  };
  AffineMap out;
  out.a = matrix_function(a, l1, l2, power, d_power);
  const auto shift = matrix_function(a, l1, l2, g, d_g);
  for (int d = 0; d < 2; ++d) out.b[d] = shift[d][0] * map.b[0] + shift[d][1] * map.b[1];
  return out;
}

}  // namespace snapflow
