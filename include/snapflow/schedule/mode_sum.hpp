// The DMD state x(t) = Re(Phi (b .* exp(omega (t - t0)))) as a plain loop over the modes, and
// its optional floor: shared by `snapflow run` and the kernel-only benchmarks.
#pragma once

#include <complex>
#include <vector>

namespace snapflow {

// `modes` is [2][r][cells] (real parts, then imaginary parts), r = amplitude.size().
void sum_dmd_modes(const double* modes, long cells,
                   const std::vector<std::complex<double>>& amplitude,
                   const std::vector<std::complex<double>>& omega, double t0, double t,
                   double* out);

// -state_floor: values below `fraction` x the state's largest are set to zero (fraction <= 0:
// nothing changes). Removes the DMD ringing that makes local problems infeasible.
void floor_dmd_state(double* x, long cells, double fraction);

}  // namespace snapflow
