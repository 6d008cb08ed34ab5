#include "snapflow/schedule/mode_sum.hpp"

#include <algorithm>

namespace snapflow {

void sum_dmd_modes(const double* modes, long cells,
                   const std::vector<std::complex<double>>& amplitude,
                   const std::vector<std::complex<double>>& omega, double t0, double t,
                   double* out) {
  const long rank = static_cast<long>(amplitude.size());
  std::fill(out, out + cells, 0.0);
  for (long j = 0; j < rank; ++j) {
    const std::complex<double> c = amplitude[j] * std::exp(omega[j] * (t - t0));
    const double cr = c.real(), ci = c.imag();
    const double* re = modes + j * cells;
    const double* im = modes + (rank + j) * cells;
    for (long i = 0; i < cells; ++i) out[i] += re[i] * cr - im[i] * ci;
  }
}

void floor_dmd_state(double* x, long cells, double fraction) {
  if (fraction <= 0.0 || cells <= 0) return;
  const double top = *std::max_element(x, x + cells);
  for (long c = 0; c < cells; ++c)
    if (x[c] < fraction * top) x[c] = 0.0;
}

}  // namespace snapflow
