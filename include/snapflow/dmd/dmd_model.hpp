// Exact DMD (Tu et al. 2014; DESIGN.md section 1.1) on a snapshot matrix distributed by rows
// (cells) over the ranks of a communicator.
//
// fit(): X = [x_0..x_{m-1}], Y = [x_1..x_m] are PETSc dense MPI matrices over the ranks' row
// blocks (no copy); SLEPc computes the truncated SVD of X (thick-restart Lanczos
// bidiagonalisation by default: it works on X itself, unlike the cross-product method,
// which squares the condition number; -svd_type etc. still override); the rank is chosen
// (rank_rule.hpp); A~ = U^T Y V S^-1 is reduced over the ranks and its eigendecomposition done
// on rank 0 and broadcast; the exact modes Phi = Y V S^-1 W stay distributed by rows; the
// amplitudes b solve min ||Phi b - x_0|| by a tall-skinny QR (local QRs, Q^H x_0 applied
// with Householder reflectors, then a QR of the stacked R factors), not the normal equations;
// or, by default, b minimises the error over every snapshot of the window (Jovanovic et al.
// 2014): P b = q with P = (Phi^H Phi) .* conj(V V^H), V the Vandermonde matrix of the
// eigenvalues, from r x r and r x m products reduced over the ranks.
#pragma once

#include <mpi.h>

#include <complex>
#include <string>
#include <vector>

namespace snapflow {

struct DmdOptions {
  std::string rank_option;  // "", "N" or "svht" (-dmd_rank)
  double energy = 0.0;      // -dmd_energy; <= 0: unset
  // -dmd_amplitudes: fit b to every snapshot of the window, min sum_k ||Phi L^k b - x_k||
  // (default), or to the first alone, min ||Phi b - x_0|| (the seed paper's choice).
  bool amplitudes_from_all = true;
  bool cap_fixed_rank = false;  // set for the windows of a sequence (see choose_rank)
};

// Wall seconds of the stages of one fit (also PETSc log stages for -log_view).
struct DmdTimings {
  double svd = 0.0;         // SLEPc truncated SVD of X
  double projection = 0.0;  // A~ = U^T Y V S^-1 and its eigendecomposition
  double modes = 0.0;       // Phi = Y V S^-1 W and its normalisation
  double amplitudes = 0.0;  // least squares for the amplitudes
};

class DmdModel {
 public:
  // Collective. `snapshots` is this rank's block [T][local_rows] (time-major: column t of the
  // row-distributed snapshot matrix); times t_k = t0 + k dt.
  static DmdModel fit(MPI_Comm comm, const double* snapshots, long local_rows, long snapshot_count,
                      double t0, double dt, const DmdOptions& options);

  // A model from saved parts (see read_dmd_group); modes are [r][local_rows].
  static DmdModel assemble(const std::string& rule, double t0, double dt, long local_rows,
                           std::vector<double> sigma, std::vector<std::complex<double>> lambda,
                           std::vector<std::complex<double>> omega,
                           std::vector<std::complex<double>> amplitude,
                           std::vector<double> mode_real, std::vector<double> mode_imag);

  int rank() const { return rank_; }
  const DmdTimings& timings() const { return timings_; }
  const std::string& rule() const { return rule_; }
  double t0() const { return t0_; }
  double dt() const { return dt_; }
  const std::vector<double>& sigma() const { return sigma_; }
  const std::vector<std::complex<double>>& eigenvalues() const { return lambda_; }
  const std::vector<std::complex<double>>& omega() const { return omega_; }
  const std::vector<std::complex<double>>& amplitudes() const { return amplitude_; }
  long local_rows() const { return local_rows_; }
  // This rank's rows of mode j (real and imaginary parts), [local_rows].
  const double* mode_real(int j) const { return mode_re_.data() + j * local_rows_; }
  const double* mode_imag(int j) const { return mode_im_.data() + j * local_rows_; }

  // This rank's rows of x(t) = Re(Phi (b .* exp(omega (t - t0)))), O(local_rows * r).
  void state(double t, double* out) const;
  // Collective: relative 2-norm error ||x(t_k) - x_k|| / ||x_k|| at every input snapshot.
  std::vector<double> snapshot_errors(MPI_Comm comm, const double* snapshots,
                                      long snapshot_count) const;

 private:
  int rank_ = 0;
  std::string rule_;
  double t0_ = 0.0, dt_ = 1.0;
  long local_rows_ = 0;
  std::vector<double> sigma_;
  std::vector<std::complex<double>> lambda_, omega_, amplitude_;
  std::vector<double> mode_re_, mode_im_;  // [r][local_rows]
  DmdTimings timings_;
};

}  // namespace snapflow
