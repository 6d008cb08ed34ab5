#include "snapflow/dmd/dmd_model.hpp"

#include <slepcsvd.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "lapack.hpp"
#include "snapflow/dmd/rank_rule.hpp"
#include "snapflow/parallel/log_stage.hpp"
#include "snapflow/parallel/mpi_context.hpp"
#include "snapflow/parallel/petsc_check.hpp"
#include "snapflow/parallel/petsc_owner.hpp"

namespace snapflow {

namespace {

using Complex = std::complex<double>;

// C = op(A) * B (+ C when `accumulate`) for column-major arrays (BLAS dgemm).
void multiply(bool transpose_a, int m, int n, int k, const double* a, int lda, const double* b,
              int ldb, double* c, int ldc, bool accumulate = false) {
  if (m == 0 || n == 0) return;
  const double one = 1.0, beta = accumulate ? 1.0 : 0.0;
  if (k == 0) {
    if (!accumulate)
      for (int j = 0; j < n; ++j)
        std::fill(c + static_cast<long>(j) * ldc, c + static_cast<long>(j) * ldc + m, 0.0);
    return;
  }
  const char ta = transpose_a ? 'T' : 'N', tb = 'N';
  dgemm_(&ta, &tb, &m, &n, &k, &one, a, &lda, b, &ldb, &beta, c, &ldc);
}

// SLEPc truncated SVD of X: every computed singular value and, once r is chosen, the first
// r right singular vectors (replicated). The left ones are not kept: U = X V S^-1 is
// rebuilt block by block where it is needed, so it never coexists with SLEPc's basis.
struct Svd {
  std::vector<double> sigma;
  std::vector<double> right;  // [r][m]
};

Svd truncated_svd(MPI_Comm comm, const double* x, long local_rows, long m,
                  const DmdOptions& options, RankChoice& choice) {
  long global_rows = 0;
  MPI_Allreduce(&local_rows, &global_rows, 1, MPI_LONG, MPI_SUM, comm);
  OwnedMat X;
  SNAPFLOW_PETSC(MatCreateDense(comm, local_rows, PETSC_DECIDE, global_rows, m,
                                const_cast<double*>(x), X.out()));
  SNAPFLOW_PETSC(MatAssemblyBegin(X, MAT_FINAL_ASSEMBLY));
  SNAPFLOW_PETSC(MatAssemblyEnd(X, MAT_FINAL_ASSEMBLY));
  OwnedSvd svd;
  SNAPFLOW_PETSC(SVDCreate(comm, svd.out()));
  SNAPFLOW_PETSC(SVDSetOperators(svd, X, nullptr));
  // Products with X^T go through MatMultTranspose: an explicit transpose would cost a copy
  // of X and the assembly stash (about 2.5x X's share of memory per rank).
  SNAPFLOW_PETSC(SVDSetImplicitTranspose(svd, PETSC_TRUE));
  SNAPFLOW_PETSC(SVDSetType(svd, SVDTRLANCZOS));
  SNAPFLOW_PETSC(SVDSetWhichSingularTriplets(svd, SVD_LARGEST));
  const PetscInt wanted = static_cast<PetscInt>(std::min(global_rows, m));
  SNAPFLOW_PETSC(SVDSetDimensions(svd, wanted, PETSC_DEFAULT, PETSC_DEFAULT));
  SNAPFLOW_PETSC(SVDSetTolerances(svd, 1e-13, PETSC_DEFAULT));
  SNAPFLOW_PETSC(SVDSetFromOptions(svd));
  SNAPFLOW_PETSC(SVDSolve(svd));
  PetscInt converged = 0;
  SNAPFLOW_PETSC(SVDGetConverged(svd, &converged));
  Svd out;
  for (PetscInt i = 0; i < std::min(converged, wanted); ++i) {
    PetscReal s = 0;
    SNAPFLOW_PETSC(SVDGetSingularTriplet(svd, i, &s, nullptr, nullptr));
    out.sigma.push_back(s);
  }
  SNAPFLOW_VERIFY(!out.sigma.empty(), "DMD: the SVD of the snapshot matrix did not converge");
  choice = choose_rank(out.sigma, global_rows, m, options.rank_option, options.energy,
                       options.cap_fixed_rank);
  const int r = choice.rank;
  out.right.resize(static_cast<size_t>(r) * m);
  OwnedVec u, v, v_all;
  OwnedVecScatter to_all;
  SNAPFLOW_PETSC(MatCreateVecs(X, v.out(), u.out()));
  SNAPFLOW_PETSC(VecScatterCreateToAll(v, to_all.out(), v_all.out()));
  for (int i = 0; i < r; ++i) {
    PetscReal s = 0;
    SNAPFLOW_PETSC(SVDGetSingularTriplet(svd, i, &s, u, v));
    const PetscScalar* values = nullptr;
    SNAPFLOW_PETSC(VecScatterBegin(to_all, v, v_all, INSERT_VALUES, SCATTER_FORWARD));
    SNAPFLOW_PETSC(VecScatterEnd(to_all, v, v_all, INSERT_VALUES, SCATTER_FORWARD));
    SNAPFLOW_PETSC(VecGetArrayRead(v_all, &values));
    std::copy(values, values + m, out.right.begin() + static_cast<long>(i) * m);
    SNAPFLOW_PETSC(VecRestoreArrayRead(v_all, &values));
  }
  return out;
}

// Rows [first, first + rows) of Z V S^-1 into `block` (rows x r, column-major), for Z = X
// (giving U) or Z = Y (giving B), both n x m with leading dimension n.
void projected_rows(const double* y, int n, int m, const Svd& svd, int r, int first, int rows,
                    std::vector<double>& block) {
  block.resize(static_cast<size_t>(rows) * r);
  multiply(false, rows, r, m, y + first, n, svd.right.data(), m, block.data(), rows);
  for (int j = 0; j < r; ++j)
    for (int i = 0; i < rows; ++i) block[static_cast<size_t>(j) * rows + i] /= svd.sigma[j];
}

// B is never held whole: A~ and the modes are built from blocks of this many rows.
constexpr int kProjectionRows = 8192;

// Eigenpairs of the r x r real matrix (column-major) on rank 0, broadcast to all ranks.
void small_eigenproblem(MPI_Comm comm, std::vector<double> a, int r, std::vector<Complex>& lambda,
                        std::vector<Complex>& vectors) {
  lambda.assign(r, 0.0);
  vectors.assign(static_cast<size_t>(r) * r, 0.0);
  int info = 0;
  if (comm_rank(comm) == 0) {
    std::vector<double> wr(r), wi(r), vr(static_cast<size_t>(r) * r), work(1);
    const char no = 'N', yes = 'V';
    int lwork = -1, one = 1;
    double dummy = 0;
    dgeev_(&no, &yes, &r, a.data(), &r, wr.data(), wi.data(), &dummy, &one, vr.data(), &r,
           work.data(), &lwork, &info);
    lwork = static_cast<int>(work[0]);
    work.resize(lwork);
    dgeev_(&no, &yes, &r, a.data(), &r, wr.data(), wi.data(), &dummy, &one, vr.data(), &r,
           work.data(), &lwork, &info);
    for (int j = 0; j < r; ++j) {
      lambda[j] = Complex(wr[j], wi[j]);
      for (int k = 0; k < r; ++k) {
        const size_t at = static_cast<size_t>(j) * r + k;
        if (wi[j] == 0.0) {
          vectors[at] = vr[at];
        } else if (wi[j] > 0.0) {  // pair (j, j+1): v_j = vr_j + i vr_{j+1}, v_{j+1} = conj
          vectors[at] = Complex(vr[at], vr[at + r]);
          vectors[at + r] = Complex(vr[at], -vr[at + r]);
        }
      }
    }
  }
  MPI_Bcast(&info, 1, MPI_INT, 0, comm);
  SNAPFLOW_VERIFY(info == 0,
                  "DMD: the eigendecomposition of A~ failed (LAPACK dgeev info " << info << ")");
  MPI_Bcast(lambda.data(), 2 * r, MPI_DOUBLE, 0, comm);
  MPI_Bcast(vectors.data(), 2 * r * r, MPI_DOUBLE, 0, comm);
}

// min ||Phi b - x0|| for Phi = re + i im [local_rows x r] (column-major) distributed by rows:
// tall-skinny QR. Each rank factors its rows in blocks (so no full complex copy of Phi is
// made), applies Q^H to x0 with the Householder reflectors, and the stacked R factors and
// Q^H x0 pieces of all blocks of all ranks are solved on rank 0. Returns b on every rank.
std::vector<Complex> least_squares(MPI_Comm comm, const double* re, const double* im,
                                   const double* x0, int local_rows, int r) {
  constexpr int kBlockRows = 4096;
  std::vector<Complex> r_rows, rhs_rows;  // stacked: row-major r_rows [rows][r]
  std::vector<Complex> block, tau, work, x;
  for (int first = 0; first < local_rows; first += kBlockRows) {
    const int rows = std::min(kBlockRows, local_rows - first);
    const int kept = std::min(rows, r);
    block.assign(static_cast<size_t>(rows) * r, 0.0);
    for (int j = 0; j < r; ++j)
      for (int i = 0; i < rows; ++i) {
        const size_t at = static_cast<size_t>(j) * local_rows + first + i;
        block[static_cast<size_t>(j) * rows + i] = Complex(re[at], im[at]);
      }
    x.assign(x0 + first, x0 + first + rows);
    tau.assign(kept, 0.0);
    int info = 0, lwork = -1, one = 1;
    work.assign(1, 0.0);
    zgeqrf_(&rows, &r, block.data(), &rows, tau.data(), work.data(), &lwork, &info);
    lwork = std::max(1, static_cast<int>(work[0].real()));
    work.resize(lwork);
    zgeqrf_(&rows, &r, block.data(), &rows, tau.data(), work.data(), &lwork, &info);
    SNAPFLOW_VERIFY(info == 0, "DMD: local QR failed (zgeqrf info " << info << ")");
    const char left = 'L', adjoint = 'C';
    lwork = -1;
    zunmqr_(&left, &adjoint, &rows, &one, &kept, block.data(), &rows, tau.data(), x.data(), &rows,
            work.data(), &lwork, &info);
    lwork = std::max(1, static_cast<int>(work[0].real()));
    work.resize(lwork);
    zunmqr_(&left, &adjoint, &rows, &one, &kept, block.data(), &rows, tau.data(), x.data(), &rows,
            work.data(), &lwork, &info);
    SNAPFLOW_VERIFY(info == 0, "DMD: applying Q^H failed (zunmqr info " << info << ")");
    for (int i = 0; i < kept; ++i) {
      for (int j = 0; j < r; ++j)
        r_rows.push_back(j >= i ? block[static_cast<size_t>(j) * rows + i] : Complex(0.0));
      rhs_rows.push_back(x[i]);
    }
  }
  // Gather every rank's stacked rows on rank 0 (row-major, r complex numbers per row).
  const int size = comm_size(comm);
  const int mine = static_cast<int>(rhs_rows.size());
  std::vector<int> counts(size), offsets(size, 0);
  MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, comm);
  for (int p = 1; p < size; ++p) offsets[p] = offsets[p - 1] + counts[p - 1];
  const int stacked = offsets[size - 1] + counts[size - 1];
  std::vector<int> row_counts(size), row_offsets(size), rhs_counts(size), rhs_offsets(size);
  for (int p = 0; p < size; ++p) {
    row_counts[p] = 2 * r * counts[p];
    row_offsets[p] = 2 * r * offsets[p];
    rhs_counts[p] = 2 * counts[p];
    rhs_offsets[p] = 2 * offsets[p];
  }
  std::vector<Complex> all_rows(static_cast<size_t>(stacked) * r), all_rhs(std::max(stacked, r));
  MPI_Gatherv(r_rows.data(), 2 * r * mine, MPI_DOUBLE, all_rows.data(), row_counts.data(),
              row_offsets.data(), MPI_DOUBLE, 0, comm);
  MPI_Gatherv(rhs_rows.data(), 2 * mine, MPI_DOUBLE, all_rhs.data(), rhs_counts.data(),
              rhs_offsets.data(), MPI_DOUBLE, 0, comm);
  std::vector<Complex> b(r);
  int info = 0;
  if (comm_rank(comm) == 0) {
    std::vector<Complex> a(static_cast<size_t>(stacked) * r);  // column-major for LAPACK
    for (int i = 0; i < stacked; ++i)
      for (int j = 0; j < r; ++j)
        a[static_cast<size_t>(j) * stacked + i] = all_rows[static_cast<size_t>(i) * r + j];
    const char no = 'N';
    int one = 1, lwork = -1, ldb = std::max(stacked, r);
    std::vector<Complex> solve_work(1);
    zgels_(&no, &stacked, &r, &one, a.data(), &stacked, all_rhs.data(), &ldb, solve_work.data(),
           &lwork, &info);
    lwork = std::max(1, static_cast<int>(solve_work[0].real()));
    solve_work.resize(lwork);
    zgels_(&no, &stacked, &r, &one, a.data(), &stacked, all_rhs.data(), &ldb, solve_work.data(),
           &lwork, &info);
    std::copy(all_rhs.begin(), all_rhs.begin() + r, b.begin());
  }
  MPI_Bcast(&info, 1, MPI_INT, 0, comm);
  SNAPFLOW_VERIFY(info == 0,
                  "DMD: the amplitude least-squares problem is rank deficient (zgels info "
                      << info << "); lower -dmd_rank");
  MPI_Bcast(b.data(), 2 * r, MPI_DOUBLE, 0, comm);
  return b;
}

// min sum_k ||Phi diag(lambda)^k b - x_k|| over the `count` snapshots, for Phi = re + i im
// [local_rows x r] distributed by rows. The normal equations P b = q are small:
// P_ij = G_ij sum_k conj(lambda_i^k) lambda_j^k with G = Phi^H Phi, and
// q_i = sum_k conj(lambda_i^k) (Phi^H x_k)_i; G and Phi^H X are reduced over the ranks. P is
// Hermitian positive semi-definite: it is solved on rank 0 through its eigendecomposition,
// dropping directions below 1e-13 of its largest eigenvalue (modes the data cannot tell apart),
// and b is broadcast.
constexpr int kNotFinite = -1000;  // a status no LAPACK routine returns

std::vector<Complex> amplitudes_over_window(MPI_Comm comm, const double* re, const double* im,
                                            const double* snapshots, int local_rows, int count,
                                            const std::vector<Complex>& lambda) {
  const int r = static_cast<int>(lambda.size());
  const size_t rr = static_cast<size_t>(r) * r, rc = static_cast<size_t>(r) * count;
  // [Re^T Re | Im^T Im | Re^T Im | Re^T X | Im^T X], column-major blocks.
  std::vector<double> local(3 * rr + 2 * rc), sums(local.size());
  multiply(true, r, r, local_rows, re, local_rows, re, local_rows, local.data(), r);
  multiply(true, r, r, local_rows, im, local_rows, im, local_rows, local.data() + rr, r);
  multiply(true, r, r, local_rows, re, local_rows, im, local_rows, local.data() + 2 * rr, r);
  multiply(true, r, count, local_rows, re, local_rows, snapshots, local_rows, local.data() + 3 * rr,
           r);
  multiply(true, r, count, local_rows, im, local_rows, snapshots, local_rows,
           local.data() + 3 * rr + rc, r);
  MPI_Allreduce(local.data(), sums.data(), static_cast<int>(local.size()), MPI_DOUBLE, MPI_SUM,
                comm);
  std::vector<Complex> b(r);
  int info = 0;
  if (comm_rank(comm) == 0) {
    const double* rr_block = sums.data();
    const double* ii_block = sums.data() + rr;
    const double* ri_block = sums.data() + 2 * rr;
    const double* rx_block = sums.data() + 3 * rr;
    const double* ix_block = sums.data() + 3 * rr + rc;
    // powers[k * r + j] = lambda_j^k
    std::vector<Complex> powers(static_cast<size_t>(count) * r, 1.0);
    for (int k = 1; k < count; ++k)
      for (int j = 0; j < r; ++j) powers[k * r + j] = powers[(k - 1) * r + j] * lambda[j];
    std::vector<Complex> p(rr, 0.0), q(r, 0.0);
    for (int j = 0; j < r; ++j)
      for (int i = 0; i < r; ++i) {
        Complex vandermonde = 0.0;
        for (int k = 0; k < count; ++k)
          vandermonde += std::conj(powers[k * r + i]) * powers[k * r + j];
        // G_ij = conj(phi_i)^T phi_j = Re_i.Re_j + Im_i.Im_j + i (Re_i.Im_j - Im_i.Re_j)
        const size_t ij = static_cast<size_t>(j) * r + i, ji = static_cast<size_t>(i) * r + j;
        const Complex gram(rr_block[ij] + ii_block[ij], ri_block[ij] - ri_block[ji]);
        p[ij] = gram * vandermonde;
      }
    for (int i = 0; i < r; ++i)
      for (int k = 0; k < count; ++k) {
        const size_t ik = static_cast<size_t>(k) * r + i;
        q[i] += std::conj(powers[k * r + i]) * Complex(rx_block[ik], -ix_block[ik]);
      }
    // A growing mode over a long window can overflow lambda^k: refuse rather than return
    // amplitudes that are zero or NaN.
    bool finite = true;
    for (const Complex& v : p)
      finite = finite && std::isfinite(v.real()) && std::isfinite(v.imag());
    for (const Complex& v : q)
      finite = finite && std::isfinite(v.real()) && std::isfinite(v.imag());
    if (!finite) info = kNotFinite;
    std::vector<double> eigenvalues(r), rwork(std::max(1, 3 * r - 2));
    std::vector<Complex> work(1);
    const char vectors = 'V', upper = 'U';
    int lwork = -1;
    if (info == 0) {
      zheev_(&vectors, &upper, &r, p.data(), &r, eigenvalues.data(), work.data(), &lwork,
             rwork.data(), &info);
      lwork = std::max(1, static_cast<int>(work[0].real()));
      work.resize(lwork);
      zheev_(&vectors, &upper, &r, p.data(), &r, eigenvalues.data(), work.data(), &lwork,
             rwork.data(), &info);
    }
    const double cutoff = 1e-13 * std::max(eigenvalues.back(), 0.0);
    for (int e = 0; e < r && info == 0; ++e) {
      if (eigenvalues[e] <= cutoff) continue;
      const Complex* v = p.data() + static_cast<size_t>(e) * r;
      Complex projection = 0.0;
      for (int i = 0; i < r; ++i) projection += std::conj(v[i]) * q[i];
      projection /= eigenvalues[e];
      for (int i = 0; i < r; ++i) b[i] += v[i] * projection;
    }
  }
  MPI_Bcast(&info, 1, MPI_INT, 0, comm);
  SNAPFLOW_VERIFY(info != kNotFinite,
                  "DMD: a mode grows too fast over the window for its amplitudes to be fitted "
                  "to every snapshot (lambda^k overflows); use shorter windows (-dmd_window), a "
                  "lower -dmd_rank or -dmd_amplitudes first");
  SNAPFLOW_VERIFY(info == 0,
                  "DMD: the eigendecomposition of the amplitudes' normal equations "
                  "failed (LAPACK zheev info "
                      << info << ")");
  MPI_Bcast(b.data(), 2 * r, MPI_DOUBLE, 0, comm);
  return b;
}

// Scales every mode to unit 2-norm with its largest entry (lowest global index on ties) real
// and positive, so modes and amplitudes do not depend on the number of ranks (the singular
// vectors' signs and the eigenvectors' phases otherwise do).
void normalise_modes(MPI_Comm comm, std::vector<double>& re, std::vector<double>& im, int n,
                     int r) {
  long offset = 0;
  const long local = n;
  MPI_Exscan(&local, &offset, 1, MPI_LONG, MPI_SUM, comm);
  if (comm_rank(comm) == 0) offset = 0;
  for (int j = 0; j < r; ++j) {
    double* mr = re.data() + static_cast<size_t>(j) * n;
    double* mi = im.data() + static_cast<size_t>(j) * n;
    struct {
      double magnitude;
      int index;
    } mine{-1.0, 0}, best{};
    double norm2 = 0.0, global_norm2 = 0.0;
    for (int i = 0; i < n; ++i) {
      const double a = mr[i] * mr[i] + mi[i] * mi[i];
      norm2 += a;
      if (a > mine.magnitude) mine = {a, static_cast<int>(offset + i)};
    }
    MPI_Allreduce(&norm2, &global_norm2, 1, MPI_DOUBLE, MPI_SUM, comm);
    // MAXLOC picks the smallest index among equal magnitudes; negate indices for "first".
    mine.index = -mine.index;
    MPI_Allreduce(&mine, &best, 1, MPI_DOUBLE_INT, MPI_MAXLOC, comm);
    const long owner_index = -static_cast<long>(best.index);
    double top[2] = {0.0, 0.0};
    if (owner_index >= offset && owner_index < offset + n) {
      top[0] = mr[owner_index - offset];
      top[1] = mi[owner_index - offset];
    }
    double global_top[2];
    MPI_Allreduce(top, global_top, 2, MPI_DOUBLE, MPI_SUM, comm);
    const Complex peak(global_top[0], global_top[1]);
    if (global_norm2 == 0.0 || std::abs(peak) == 0.0) continue;
    const Complex scale = std::conj(peak) / std::abs(peak) / std::sqrt(global_norm2);
    for (int i = 0; i < n; ++i) {
      const Complex v = Complex(mr[i], mi[i]) * scale;
      mr[i] = v.real();
      mi[i] = v.imag();
    }
  }
}

}  // namespace

DmdModel DmdModel::fit(MPI_Comm comm, const double* snapshots, long local_rows, long snapshot_count,
                       double t0, double dt, const DmdOptions& options) {
  SNAPFLOW_VERIFY(snapshot_count >= 3, "DMD needs at least 3 snapshots, got " << snapshot_count);
  SNAPFLOW_VERIFY(dt > 0, "DMD: the snapshot spacing must be > 0");
  const long m = snapshot_count - 1;
  const int n = static_cast<int>(local_rows);
  DmdModel model;
  model.t0_ = t0;
  model.dt_ = dt;
  model.local_rows_ = local_rows;
  RankChoice choice;
  Svd svd;
  {
    LogStage stage("DMD: SVD", &model.timings_.svd);
    svd = truncated_svd(comm, snapshots, local_rows, m, options, choice);
  }
  const int r = choice.rank;
  model.rank_ = r;
  model.rule_ = choice.rule;
  model.sigma_ = svd.sigma;

  // A~ = U^T B with U = X V S^-1 and B = Y V S^-1, accumulated over row blocks (neither is
  // held whole) and reduced over the ranks.
  auto projection = std::make_unique<LogStage>("DMD: projection", &model.timings_.projection);
  const double* y = snapshots + local_rows;
  const int columns = static_cast<int>(m);
  std::vector<double> block, left_block;
  std::vector<double> a_local(static_cast<size_t>(r) * r, 0.0), a(static_cast<size_t>(r) * r);
  for (int first = 0; first < n; first += kProjectionRows) {
    const int rows = std::min(kProjectionRows, n - first);
    projected_rows(snapshots, n, columns, svd, r, first, rows, left_block);
    projected_rows(y, n, columns, svd, r, first, rows, block);
    multiply(true, r, r, rows, left_block.data(), rows, block.data(), rows, a_local.data(), r,
             true);
  }
  MPI_Allreduce(a_local.data(), a.data(), r * r, MPI_DOUBLE, MPI_SUM, comm);
  std::vector<double>().swap(left_block);
  std::vector<Complex> w;
  small_eigenproblem(comm, a, r, model.lambda_, w);

  projection.reset();
  auto modes_stage = std::make_unique<LogStage>("DMD: modes", &model.timings_.modes);
  // Exact modes Phi = B W (real B, complex W), kept as real and imaginary parts; the blocks
  // of B are recomputed rather than stored.
  std::vector<double> w_re(static_cast<size_t>(r) * r), w_im(static_cast<size_t>(r) * r);
  for (size_t k = 0; k < w.size(); ++k) {
    w_re[k] = w[k].real();
    w_im[k] = w[k].imag();
  }
  model.mode_re_.resize(static_cast<size_t>(n) * r);
  model.mode_im_.resize(static_cast<size_t>(n) * r);
  for (int first = 0; first < n; first += kProjectionRows) {
    const int rows = std::min(kProjectionRows, n - first);
    projected_rows(y, n, columns, svd, r, first, rows, block);
    multiply(false, rows, r, r, block.data(), rows, w_re.data(), r, model.mode_re_.data() + first,
             n);
    multiply(false, rows, r, r, block.data(), rows, w_im.data(), r, model.mode_im_.data() + first,
             n);
  }
  std::vector<double>().swap(block);

  normalise_modes(comm, model.mode_re_, model.mode_im_, n, r);
  modes_stage.reset();
  LogStage amplitude_stage("DMD: amplitudes", &model.timings_.amplitudes);

  model.amplitude_ =
      options.amplitudes_from_all
          ? amplitudes_over_window(comm, model.mode_re_.data(), model.mode_im_.data(), snapshots, n,
                                   static_cast<int>(snapshot_count), model.lambda_)
          : least_squares(comm, model.mode_re_.data(), model.mode_im_.data(), snapshots, n, r);

  // omega = log(lambda) / dt on the principal branch; a negative real eigenvalue gets the
  // angle +pi explicitly (its mode flips sign at every snapshot; x(t) takes the real part).
  model.omega_.resize(r);
  for (int j = 0; j < r; ++j) {
    const Complex l = model.lambda_[j];
    const double modulus = std::max(std::abs(l), 1e-300);
    const double angle = (l.imag() == 0.0 && l.real() < 0.0) ? M_PI : std::arg(l);
    model.omega_[j] = Complex(std::log(modulus), angle) / dt;
  }
  return model;
}

DmdModel DmdModel::assemble(const std::string& rule, double t0, double dt, long local_rows,
                            std::vector<double> sigma, std::vector<Complex> lambda,
                            std::vector<Complex> omega, std::vector<Complex> amplitude,
                            std::vector<double> mode_real, std::vector<double> mode_imag) {
  const size_t r = lambda.size();
  SNAPFLOW_VERIFY(omega.size() == r && amplitude.size() == r &&
                      mode_real.size() == r * static_cast<size_t>(local_rows) &&
                      mode_imag.size() == mode_real.size(),
                  "DMD model: inconsistent parts (rank " << r << ")");
  DmdModel model;
  model.rank_ = static_cast<int>(r);
  model.rule_ = rule;
  model.t0_ = t0;
  model.dt_ = dt;
  model.local_rows_ = local_rows;
  model.sigma_ = std::move(sigma);
  model.lambda_ = std::move(lambda);
  model.omega_ = std::move(omega);
  model.amplitude_ = std::move(amplitude);
  model.mode_re_ = std::move(mode_real);
  model.mode_im_ = std::move(mode_imag);
  return model;
}

void DmdModel::state(double t, double* out) const {
  const double tau = t - t0_;
  std::fill(out, out + local_rows_, 0.0);
  for (int j = 0; j < rank_; ++j) {
    const Complex c = amplitude_[j] * std::exp(omega_[j] * tau);
    const double cr = c.real(), ci = c.imag();
    const double* re = mode_real(j);
    const double* im = mode_imag(j);
    for (long i = 0; i < local_rows_; ++i) out[i] += re[i] * cr - im[i] * ci;
  }
}

std::vector<double> DmdModel::snapshot_errors(MPI_Comm comm, const double* snapshots,
                                              long snapshot_count) const {
  std::vector<double> local(2 * snapshot_count, 0.0), global(2 * snapshot_count);
  std::vector<double> x(static_cast<size_t>(local_rows_));
  for (long k = 0; k < snapshot_count; ++k) {
    state(t0_ + k * dt_, x.data());
    const double* truth = snapshots + k * local_rows_;
    for (long i = 0; i < local_rows_; ++i) {
      local[2 * k] += (x[i] - truth[i]) * (x[i] - truth[i]);
      local[2 * k + 1] += truth[i] * truth[i];
    }
  }
  MPI_Allreduce(local.data(), global.data(), static_cast<int>(2 * snapshot_count), MPI_DOUBLE,
                MPI_SUM, comm);
  std::vector<double> errors(snapshot_count);
  for (long k = 0; k < snapshot_count; ++k)
    errors[k] = global[2 * k + 1] > 0 ? std::sqrt(global[2 * k] / global[2 * k + 1])
                                      : std::sqrt(global[2 * k]);
  return errors;
}

}  // namespace snapflow
