// The DMD state x(t) = Re(Phi (b .* exp(omega (t - t0)))) as a plain loop over the modes:
// shared by the MPI-replicated modes of `snapflow run` and the kernel-only benchmarks.
#pragma once

#include <complex>
#include <vector>

namespace snapflow {

// `modes` is [2][r][cells] (real parts, then imaginary parts), r = amplitude.size().
void sum_dmd_modes(const double* modes, long cells,
                   const std::vector<std::complex<double>>& amplitude,
                   const std::vector<std::complex<double>>& omega, double t0, double t,
                   double* out);

}  // namespace snapflow
