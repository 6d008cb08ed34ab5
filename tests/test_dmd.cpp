// DMD: known eigenvalues are recovered, results do not depend on the number of ranks, the
// SLEPc singular values agree with LAPACK, and the rank rules behave.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <functional>

#include "snapflow/core/random.hpp"
#include "snapflow/dmd/dmd_model.hpp"
#include "snapflow/dmd/dmd_windows.hpp"
#include "snapflow/dmd/rank_rule.hpp"
#include "snapflow/dmd/replicated_modes.hpp"
#include "snapflow/dmd/state_support.hpp"
#include "snapflow/io/dmd_output.hpp"
#include "snapflow/io/hdf5_handle.hpp"
#include "snapflow/parallel/mpi_context.hpp"
#include "snapflow/synth/advect_case.hpp"
#include "snapflow/synth/burgers_case.hpp"
#include "test_support.hpp"

extern "C" void dgesvd_(const char*, const char*, const int*, const int*, double*, const int*,
                        double*, double*, const int*, double*, const int*, double*, const int*,
                        int*);

namespace snapflow {
namespace {

using Complex = std::complex<double>;

// Whole data set, [T][n], identical on every rank: x_k = sum of modes q times lambda^k.
struct Data {
  long n = 0, T = 0;
  std::vector<double> x;
  std::vector<Complex> lambda;
  std::vector<double> q;  // spatial modes of known_dynamics(), [6][n]

  // known_dynamics() at any (real) snapshot index k, cell i.
  double value(double k, long i) const {
    const Complex p1 = std::pow(lambda[0], k), p5 = std::pow(lambda[4], k);
    return 2.0 * (p1 * Complex(q[i], q[n + i])).real() + std::pow(0.8, k) * q[2 * n + i] +
           q[3 * n + i] + 2.0 * (p5 * Complex(q[4 * n + i], q[5 * n + i])).real();
  }
};

Data known_dynamics() {
  Data d;
  d.n = 600;
  d.T = 41;
  d.lambda = {std::polar(0.95, 0.3), std::polar(0.95, -0.3), 0.8, 1.0,
              std::polar(1.0, 0.7),  std::polar(1.0, -0.7)};
  SplitMix64 random(3);
  d.q.resize(6 * d.n);
  for (double& v : d.q) v = random.uniform(-1.0, 1.0);
  d.x.resize(d.T * d.n);
  for (long k = 0; k < d.T; ++k)
    for (long i = 0; i < d.n; ++i) d.x[k * d.n + i] = d.value(static_cast<double>(k), i);
  return d;
}

// This rank's rows of the data, time-major.
std::vector<double> local_block(MPI_Comm comm, const Data& d, Range& rows) {
  rows = block_range(d.n, comm_size(comm), comm_rank(comm));
  std::vector<double> block;
  for (long k = 0; k < d.T; ++k)
    for (long i = rows.begin; i < rows.end; ++i) block.push_back(d.x[k * d.n + i]);
  return block;
}

// Rank-6 fit of `block` (rows x T of the known dynamics) on `comm`, snapshots dt apart.
DmdModel fit_rank6(MPI_Comm comm, const std::vector<double>& block, long rows, long T, double dt) {
  DmdOptions options;
  options.rank_option = "6";
  return DmdModel::fit(comm, block.data(), rows, T, 0.0, dt, options);
}

bool by_angle(Complex a, Complex b) {
  return std::arg(a) != std::arg(b) ? std::arg(a) < std::arg(b) : std::abs(a) < std::abs(b);
}

TEST(Dmd, RecoversKnownEigenvaluesAndReconstructsTheSnapshots) {
  const Data d = known_dynamics();
  Range rows;
  const auto block = local_block(MPI_COMM_WORLD, d, rows);
  const DmdModel model = fit_rank6(MPI_COMM_WORLD, block, rows.size(), d.T, 2.0);
  ASSERT_EQ(model.rank(), 6);
  auto found = model.eigenvalues();
  auto expected = d.lambda;
  std::sort(found.begin(), found.end(), by_angle);
  std::sort(expected.begin(), expected.end(), by_angle);
  for (int j = 0; j < 6; ++j) EXPECT_LT(std::abs(found[j] - expected[j]), 1e-8) << found[j];
  for (int j = 0; j < 6; ++j) {  // omega = log(lambda) / dt
    const Complex back = std::exp(model.omega()[j] * 2.0);
    EXPECT_LT(std::abs(back - model.eigenvalues()[j]), 1e-12);
  }
  for (double e : model.snapshot_errors(MPI_COMM_WORLD, block.data(), d.T)) EXPECT_LT(e, 1e-9);
  // Between snapshots (t = 15 s, k = 7.5) the state is the continuous-time dynamics.
  std::vector<double> x(rows.size());
  model.state(15.0, x.data());
  for (long i = rows.begin; i < rows.end; ++i)
    EXPECT_NEAR(x[i - rows.begin], d.value(7.5, i), 1e-8) << "cell " << i;
}

TEST(Dmd, SameModelOnEveryNumberOfRanks) {
  const Data d = known_dynamics();
  Range my_rows, all_rows;
  const auto block = local_block(MPI_COMM_WORLD, d, my_rows);
  const auto all = local_block(MPI_COMM_SELF, d, all_rows);  // the whole data on every rank
  const DmdModel parallel = fit_rank6(MPI_COMM_WORLD, block, my_rows.size(), d.T, 1.0);
  const DmdModel serial = fit_rank6(MPI_COMM_SELF, all, all_rows.size(), d.T, 1.0);
  ASSERT_EQ(parallel.rank(), serial.rank());
  for (int j = 0; j < parallel.rank(); ++j) {
    EXPECT_LT(std::abs(parallel.eigenvalues()[j] - serial.eigenvalues()[j]), 1e-10);
    EXPECT_LT(std::abs(parallel.amplitudes()[j] - serial.amplitudes()[j]),
              1e-10 * std::abs(serial.amplitudes()[j]) + 1e-12);
  }
  std::vector<double> xp(my_rows.size()), xs(d.n);
  parallel.state(13.3, xp.data());
  serial.state(13.3, xs.data());
  for (long i = my_rows.begin; i < my_rows.end; ++i)
    EXPECT_NEAR(xp[i - my_rows.begin], xs[i], 1e-10 * (1.0 + std::fabs(xs[i])));
}

TEST(Dmd, SingularValuesAgreeWithLapackOnTheGatheredMatrix) {
  const long n = 300, T = 31, m = T - 1;
  SplitMix64 random(11);
  std::vector<double> g(n * m), h(m * m);
  for (double& v : g) v = random.uniform(-1.0, 1.0);
  for (double& v : h) v = random.uniform(-1.0, 1.0);
  Data d;
  d.n = n;
  d.T = T;
  d.x.assign(T * n, 0.0);
  // Column t of X = G diag(s) H[:, t], s from 1 down to 1e-9: a wide spread of sigma.
  for (long t = 0; t < T; ++t)
    for (long k = 0; k < m; ++k) {
      const double s = std::pow(10.0, -9.0 * k / (m - 1));
      const double coefficient = s * h[k * m + (t % m)] * (t == m ? 0.5 : 1.0);
      for (long i = 0; i < n; ++i) d.x[t * n + i] += g[k * n + i] * coefficient;
    }
  Range rows;
  const auto block = local_block(MPI_COMM_WORLD, d, rows);
  DmdOptions options;
  options.rank_option = "5";
  const DmdModel model =
      DmdModel::fit(MPI_COMM_WORLD, block.data(), rows.size(), T, 0.0, 1.0, options);
  // Reference: LAPACK on the whole X (column-major n x m = the first m snapshots).
  std::vector<double> x(d.x.begin(), d.x.begin() + n * m), s(m), work(1);
  int rows_i = n, cols_i = m, lwork = -1, info = 0, one = 1;
  double dummy = 0;
  const char none = 'N';
  dgesvd_(&none, &none, &rows_i, &cols_i, x.data(), &rows_i, s.data(), &dummy, &one, &dummy, &one,
          work.data(), &lwork, &info);
  lwork = static_cast<int>(work[0]);
  work.resize(lwork);
  dgesvd_(&none, &none, &rows_i, &cols_i, x.data(), &rows_i, s.data(), &dummy, &one, &dummy, &one,
          work.data(), &lwork, &info);
  ASSERT_EQ(info, 0);
  const auto& sigma = model.sigma();
  int compared = 0;
  for (long k = 0; k < m && s[k] / s[0] >= 1e-6; ++k) {
    ASSERT_LT(k, static_cast<long>(sigma.size()));
    EXPECT_NEAR(sigma[k], s[k], 1e-10 * s[k]) << "sigma_" << k;
    ++compared;
  }
  EXPECT_GE(compared, 15);
}

TEST(DmdReplicatedModes, WholeGridStateOnEveryRankEqualsTheDistributedOne) {
  const Data d = known_dynamics();
  Range rows;
  const auto block = local_block(MPI_COMM_WORLD, d, rows);
  const DmdModel model = fit_rank6(MPI_COMM_WORLD, block, rows.size(), d.T, 1.0);
  for (auto sharing : {ReplicatedModes::Sharing::kPerNode, ReplicatedModes::Sharing::kPerRank}) {
    const ReplicatedModes replicated(MPI_COMM_WORLD, model, sharing);
    ASSERT_EQ(replicated.cells(), d.n);
    std::vector<double> whole(d.n), mine(rows.size());
    for (double t : {0.0, 7.25, 40.0, 55.5}) {  // inside and beyond the window
      replicated.state(t, whole.data());
      model.state(t, mine.data());
      for (long i = rows.begin; i < rows.end; ++i) ASSERT_EQ(whole[i], mine[i - rows.begin]);
      for (long i = 0; i < d.n; i += 41) EXPECT_NEAR(whole[i], d.value(t, i), 1e-8);
    }
  }
}

TEST(DmdSavedModel, LoadsBackAndGivesTheSameStates) {
  const Data d = known_dynamics();  // 600 cells as a 20 x 30 grid, distributed by grid rows
  const Grid grid{30, 20, 1.0, 1.0, 0.0, 0.0};
  const Range rows = block_range(grid.ny, comm_size(MPI_COMM_WORLD), comm_rank(MPI_COMM_WORLD));
  std::vector<double> block;
  for (long k = 0; k < d.T; ++k)
    for (long i = rows.begin * grid.nx; i < rows.end * grid.nx; ++i)
      block.push_back(d.x[k * d.n + i]);
  const long local = rows.size() * grid.nx;
  DmdOptions options;
  options.rank_option = "6";
  const DmdModel model = DmdModel::fit(MPI_COMM_WORLD, block.data(), local, d.T, 5.0, 2.0, options);
  const std::string path = test::shared_temp_dir() + "/model.h5";
  {
    Hid fapl = mpio_file_access(MPI_COMM_WORLD);
    Hid file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose);
    Hid group(H5Gcreate2(file, "/dmd", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    write_dmd_group(MPI_COMM_WORLD, group, grid, rows, model,
                    model.snapshot_errors(MPI_COMM_WORLD, block.data(), d.T), true);
  }
  Hid fapl = mpio_file_access(MPI_COMM_WORLD);
  Hid file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl), H5Fclose);
  Hid group(H5Gopen2(file, "/dmd", H5P_DEFAULT), H5Gclose);
  const DmdModel loaded = read_dmd_group(MPI_COMM_WORLD, group, grid, rows, path + ":/dmd");
  ASSERT_EQ(loaded.rank(), model.rank());
  EXPECT_EQ(loaded.eigenvalues(), model.eigenvalues());
  EXPECT_EQ(loaded.amplitudes(), model.amplitudes());
  EXPECT_EQ(loaded.rule(), "fixed 6");
  EXPECT_EQ(loaded.t0(), 5.0);
  std::vector<double> a(local), b(local);
  for (double t : {5.0, 20.5, 90.0}) {
    model.state(t, a.data());
    loaded.state(t, b.data());
    double scale = 0.0;
    for (double v : a) scale = std::max(scale, std::fabs(v));
    for (long i = 0; i < local; ++i) EXPECT_NEAR(b[i], a[i], 1e-6 * scale);  // float32 modes
  }
}

TEST(DmdWindows, PlanCoversTheSeriesAndEachTimeHasOneOwner) {
  std::vector<double> time(40);
  for (int k = 0; k < 40; ++k) time[k] = 10.0 * k;
  const auto windows = plan_windows(time, 16, 4);
  ASSERT_EQ(windows.size(), 3u);
  EXPECT_EQ(windows[0].first, 0);
  EXPECT_EQ(windows[1].first, 12);
  EXPECT_EQ(windows[2].first, 24);  // the last window ends at the last snapshot
  EXPECT_EQ(windows[2].first + windows[2].count, 40);
  EXPECT_DOUBLE_EQ(windows[1].owned_from, 0.5 * (120.0 + 150.0));
  EXPECT_DOUBLE_EQ(windows[0].owned_to, windows[1].owned_from);
  EXPECT_EQ(plan_windows(time, 0, 0).size(), 1u);
  EXPECT_EQ(plan_windows(time, 40, 0).size(), 1u);

  // A day of 96 snapshots in windows of 8 sharing 3: the last regular window ends 3 snapshots
  // early and takes them, so it too shares 3 (a window of its own would share 5, and the blend
  // across those 4 intervals cost the sparse province day 4-5x per warm step).
  std::vector<double> day(96);
  for (int k = 0; k < 96; ++k) day[k] = 900.0 * k;
  const auto day_windows = plan_windows(day, 8, 3);
  ASSERT_EQ(day_windows.size(), 18u);
  EXPECT_EQ(day_windows.back().first, 85);
  EXPECT_EQ(day_windows.back().count, 11);
  for (size_t k = 1; k < day_windows.size(); ++k)
    EXPECT_EQ(day_windows[k - 1].first + day_windows[k - 1].count - day_windows[k].first, 3);
  EXPECT_NE(test::error_message([&] { plan_windows(time, 16, 15); }).find("option -dmd_overlap"),
            std::string::npos);
  EXPECT_NE(test::error_message([&] { plan_windows(time, 2, 0); }).find("at least 3"),
            std::string::npos);
}

TEST(DmdWindows, EveryWindowRecoversTheDynamicsAndTheHeldOutSnapshots) {
  const Data d = known_dynamics();
  Range rows;
  const auto block = local_block(MPI_COMM_WORLD, d, rows);
  std::vector<double> time(d.T);
  for (long k = 0; k < d.T; ++k) time[k] = 2.0 * k;
  DmdOptions options;
  options.rank_option = "6";
  const DmdSequence sequence =
      DmdSequence::fit(MPI_COMM_WORLD, block.data(), rows.size(), time, 15, 3, options);
  ASSERT_EQ(sequence.models().size(), 3u);  // starts 0, 12, 24; the last takes 39 and 40 too
  auto expected = d.lambda;
  std::sort(expected.begin(), expected.end(), by_angle);
  for (const DmdModel& model : sequence.models()) {
    auto found = model.eigenvalues();
    std::sort(found.begin(), found.end(), by_angle);
    for (int j = 0; j < 6; ++j) EXPECT_LT(std::abs(found[j] - expected[j]), 1e-8);
  }
  for (double e : sequence.snapshot_errors(MPI_COMM_WORLD, block.data(), time)) EXPECT_LT(e, 1e-9);
  EXPECT_EQ(&sequence.owner(-5.0), &sequence.models().front());
  EXPECT_EQ(&sequence.owner(30.0), &sequence.models()[1]);
  EXPECT_EQ(&sequence.owner(1e9), &sequence.models().back());
  // The seed paper's check: exact linear dynamics are recovered from every other snapshot.
  EXPECT_LT(holdout_error(MPI_COMM_WORLD, block.data(), rows.size(), time, options), 1e-8);
}

// A quiet start (the night of a commuter day: the first 11 snapshots identical) forces
// A x_0 = x_0, so amplitudes fitted to x_0 alone keep every state at the night state; fitted
// to the whole window they follow the day (and minimise the error over all snapshots).
TEST(DmdAmplitudes, FittedToEverySnapshotFollowAWindowThatStartsQuiet) {
  Data d = known_dynamics();
  for (long k = 0; k < d.T; ++k)
    for (long i = 0; i < d.n; ++i)
      d.x[k * d.n + i] = d.value(static_cast<double>(std::max(0L, k - 10)), i);
  Range rows;
  const auto block = local_block(MPI_COMM_WORLD, d, rows);
  double mean_error[2];
  for (const bool all : {false, true}) {
    DmdOptions options;
    options.amplitudes_from_all = all;
    const DmdModel model =
        DmdModel::fit(MPI_COMM_WORLD, block.data(), rows.size(), d.T, 0.0, 1.0, options);
    const auto errors = model.snapshot_errors(MPI_COMM_WORLD, block.data(), d.T);
    mean_error[all] = 0.0;
    for (double e : errors) mean_error[all] += e / static_cast<double>(d.T);
  }
  EXPECT_LT(mean_error[1], 0.5 * mean_error[0])
      << "mean error, first " << mean_error[0] << ", all " << mean_error[1];
}

// With an overlap the state moves smoothly from one window's model to the next: no jump at
// the owner change, and each window's own state at either end of the shared span.
// The known dynamics with a kink at snapshot 20, so that two windows (snapshots 0-23 and
// 17-39, snapshot k at time k) fit different systems; `rows` gets this rank's rows.
DmdSequence kinked_two_windows(Range& rows) {
  const Data d = known_dynamics();
  auto block = local_block(MPI_COMM_WORLD, d, rows);
  for (long k = 20; k < d.T; ++k)
    for (long i = 0; i < rows.size(); ++i) block[k * rows.size() + i] *= 1.0 + 0.02 * (k - 20);
  std::vector<double> time(d.T);
  for (long k = 0; k < d.T; ++k) time[k] = static_cast<double>(k);
  DmdOptions options;
  options.rank_option = "6";
  return DmdSequence::fit(MPI_COMM_WORLD, block.data(), rows.size(), time, 24, 7, options);
}

// Collective: the largest change of any state value over steps of 1e-4 at every 0.01 of
// [from, to): a jump shows as a change far above the others.
double largest_state_step(const DmdSequence& sequence, const Range& rows, double from, double to) {
  std::vector<double> a(rows.size()), b(rows.size());
  double largest_step = 0.0;
  for (double t = from; t < to; t += 0.01) {
    sequence.state(t, a.data());
    sequence.state(t + 1e-4, b.data());
    for (long i = 0; i < rows.size(); ++i)
      largest_step = std::max(largest_step, std::abs(a[i] - b[i]));
  }
  double global_step = 0.0;
  MPI_Allreduce(&largest_step, &global_step, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return global_step;
}

TEST(DmdWindows, StatesAreContinuousAcrossTheOverlap) {
  Range rows;
  const DmdSequence sequence = kinked_two_windows(rows);
  ASSERT_EQ(sequence.models().size(), 2u);
  const double from = sequence.models()[1].t0(), to = 23.0;  // the shared snapshots 17..23
  ASSERT_EQ(from, 17.0);
  const auto [k_mid, w_mid] = sequence.blend(0.5 * (from + to));
  EXPECT_EQ(k_mid, 0u);
  EXPECT_NEAR(w_mid, 0.5, 1e-12);
  EXPECT_EQ(sequence.blend(from - 1.0).second, 0.0);
  EXPECT_EQ(sequence.blend(to + 1.0).first, 1u);
  EXPECT_EQ(sequence.blend(to + 1.0).second, 0.0);
  // Steps of 1e-4 across the whole span change the state by O(1e-4) at most, never a jump.
  const double global_step = largest_state_step(sequence, rows, from - 0.5, to + 0.5);
  EXPECT_LT(global_step, 1e-2);
  // Without the blend the owner change at 20 would jump by the two models' difference there.
  std::vector<double> earlier(rows.size()), later(rows.size());
  sequence.models()[0].state(20.0, earlier.data());
  sequence.models()[1].state(20.0, later.data());
  double jump = 0.0;
  for (long i = 0; i < rows.size(); ++i) jump = std::max(jump, std::abs(earlier[i] - later[i]));
  double global_jump = 0.0;
  MPI_Allreduce(&jump, &global_jump, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  EXPECT_GT(global_jump, 10 * global_step);
}

// -dmd_blend 0.25: the states move over the middle quarter of the shared span (smoothly, no
// jump), each window's own state on either side, and the states at the shared snapshots
// are those of the whole-span blend.
TEST(DmdWindows, ANarrowBlendKeepsEachWindowsStateAroundItAndTheSnapshotStates) {
  Range rows;
  const DmdSequence whole = kinked_two_windows(rows);
  DmdSequence narrow = whole;
  narrow.set_blend_fraction(0.25);
  EXPECT_NE(test::error_message([&] { narrow.set_blend_fraction(0.0); }).find("-dmd_blend"),
            std::string::npos);
  const double middle = 20.0, half = 0.25 * 6.0 / 2.0;  // shared snapshots 17..23
  EXPECT_EQ(narrow.blend(middle - half - 0.01), std::make_pair(size_t{0}, 0.0));
  EXPECT_EQ(narrow.blend(middle + half + 0.01), std::make_pair(size_t{1}, 0.0));
  EXPECT_NEAR(narrow.blend(middle).second, 0.5, 1e-12);
  for (double t : {17.0, 20.0, 23.0}) EXPECT_EQ(whole.blend(t), narrow.blend(t)) << t;
  // Four times as steep as the whole-span blend, still no jump.
  EXPECT_LT(largest_state_step(narrow, rows, 16.5, 23.5), 4e-2);
}

// known_dynamics' 600 cells as a 20 x 30 grid, this rank's grid rows, each value times
// factor(k, cell) at snapshot k; snapshots one time unit apart.
struct GridSeries {
  Grid grid{30, 20, 1.0, 1.0, 0.0, 0.0};
  Range rows;
  long local = 0;
  std::vector<double> block, time;
};
GridSeries grid_series(const Data& d, const std::function<double(long, long)>& factor) {
  GridSeries s;
  s.rows = block_range(s.grid.ny, comm_size(MPI_COMM_WORLD), comm_rank(MPI_COMM_WORLD));
  s.local = s.rows.size() * s.grid.nx;
  for (long k = 0; k < d.T; ++k)
    for (long i = s.rows.begin * s.grid.nx; i < s.rows.end * s.grid.nx; ++i)
      s.block.push_back(d.x[k * d.n + i] * factor(k, i));
  for (long k = 0; k < d.T; ++k) s.time.push_back(static_cast<double>(k));
  return s;
}

// The sequence as `snapflow run` stores it (float32) in `name`, read back.
DmdSequence stored_and_read(const DmdSequence& fitted, const GridSeries& s, long window,
                            long overlap, const std::string& name) {
  const std::string path = test::shared_temp_dir() + "/" + name;
  {
    Hid fapl = mpio_file_access(MPI_COMM_WORLD);
    Hid file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose);
    write_dmd_sequence(MPI_COMM_WORLD, file, s.grid, s.rows, fitted,
                       fitted.snapshot_errors(MPI_COMM_WORLD, s.block.data(), s.time), true, window,
                       overlap, DmdPrecision::kFloat32);
  }
  Hid fapl = mpio_file_access(MPI_COMM_WORLD);
  Hid file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl), H5Fclose);
  return read_dmd_sequence(MPI_COMM_WORLD, file, s.grid, s.rows, path);
}

// A run saves its DMD and solves from the saved one (so a resumed run has the same states): the
// saved windows must keep the snapshots they span, which the blend across an overlap needs.
TEST(DmdWindows, SavedSequenceLoadsBackWithItsBlends) {
  const Data d = known_dynamics();
  const GridSeries s = grid_series(d, [](long k, long) {
    return k < 20 ? 1.0 : 1.0 + 0.02 * (k - 20);  // a kink
  });
  const long local = s.local;
  DmdOptions options;
  options.rank_option = "6";
  const DmdSequence fitted =
      DmdSequence::fit(MPI_COMM_WORLD, s.block.data(), local, s.time, 24, 7, options);
  ASSERT_EQ(fitted.models().size(), 2u);
  const DmdSequence loaded = stored_and_read(fitted, s, 24, 7, "sequence.h5");
  ASSERT_EQ(loaded.windows().size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(loaded.windows()[k].first, fitted.windows()[k].first);
    EXPECT_EQ(loaded.windows()[k].count, fitted.windows()[k].count);
  }
  const double from = 17.0, to = 23.0;  // the shared snapshots
  EXPECT_NEAR(loaded.blend(0.5 * (from + to)).second, 0.5, 1e-12);
  std::vector<double> a(local), b(local), c(local);
  double largest_step = 0.0, largest_difference = 0.0, scale = 0.0;
  for (double t = from - 0.5; t < to + 0.5; t += 0.01) {
    loaded.state(t, a.data());
    loaded.state(t + 1e-4, b.data());
    fitted.state(t, c.data());
    for (long i = 0; i < local; ++i) {
      largest_step = std::max(largest_step, std::abs(a[i] - b[i]));
      largest_difference = std::max(largest_difference, std::abs(a[i] - c[i]));
      scale = std::max(scale, std::abs(c[i]));
    }
  }
  double global[2] = {largest_step, largest_difference / scale};
  MPI_Allreduce(MPI_IN_PLACE, global, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  EXPECT_LT(global[0], 1e-2) << "the loaded states jump";
  EXPECT_LT(global[1], 1e-5) << "the loaded states differ from the fitted ones";  // float32 modes
}

// A sparse raster's countryside: half the grid holds 1e-5 of the other half's mass. The stored
// model must keep those cells' states to a few parts in a million of their own size, or their
// steps stop following the total and every LP moves the rounding (docs/dmd.md). Modes rounded
// to 2^-24 of their largest value missed this by 100x.
TEST(DmdWindows, SavedModesKeepTheSparseCellsStates) {
  const Data d = known_dynamics();
  const auto sparse = [](long i) { return i >= 10 * 30; };  // grid rows 10 to 19
  const GridSeries s = grid_series(d, [&](long, long i) { return sparse(i) ? 1e-5 : 1.0; });
  const long local = s.local;
  DmdOptions options;
  options.rank_option = "6";
  const DmdSequence fitted =
      DmdSequence::fit(MPI_COMM_WORLD, s.block.data(), local, s.time, 0, 0, options);
  const DmdSequence loaded = stored_and_read(fitted, s, 0, 0, "sparse_cells.h5");
  std::vector<double> a(local), c(local);
  double sparse_cells[2] = {0.0, 0.0};  // largest difference, largest state
  for (double t = 0.0; t < d.T; t += 0.25) {
    loaded.state(t, a.data());
    fitted.state(t, c.data());
    for (long i = 0; i < local; ++i)
      if (sparse(s.rows.begin * s.grid.nx + i)) {
        sparse_cells[0] = std::max(sparse_cells[0], std::abs(a[i] - c[i]));
        sparse_cells[1] = std::max(sparse_cells[1], std::abs(c[i]));
      }
  }
  MPI_Allreduce(MPI_IN_PLACE, sparse_cells, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  EXPECT_LT(sparse_cells[0], 1e-5 * sparse_cells[1])
      << "the stored model's sparse cells are off by this much of their largest state";
}

TEST(DmdWindows, AutoWindowsAndAFixedRankCappedInEachWindow) {
  EXPECT_EQ(auto_windowing(15).window, 0);
  EXPECT_EQ(auto_windowing(16).window, 8);
  EXPECT_EQ(auto_windowing(96).overlap, 3);
  const Data d = known_dynamics();
  Range rows;
  const auto block = local_block(MPI_COMM_WORLD, d, rows);
  std::vector<double> time(d.T);
  for (long k = 0; k < d.T; ++k) time[k] = static_cast<double>(k);
  DmdOptions options;
  options.rank_option = "20";
  // One window: a rank above the numerical rank 6 is refused; in windows it is capped.
  EXPECT_NE(test::error_message([&] {
              DmdSequence::fit(MPI_COMM_WORLD, block.data(), rows.size(), time, 0, 0, options);
            }).find("exceeds the numerical rank"),
            std::string::npos);
  const DmdSequence sequence =
      DmdSequence::fit(MPI_COMM_WORLD, block.data(), rows.size(), time, 8, 3, options);
  for (const DmdModel& model : sequence.models()) {
    EXPECT_LE(model.rank(), 7);
    EXPECT_NE(model.rule().find("capped at the window's numerical rank"), std::string::npos);
  }
}

// The seed paper's appendix: on viscous Burgers data the DMD error falls as the rank grows.
TEST(DmdBurgers, ErrorFallsAsTheRankGrows) {
  BurgersParams p;
  p.n = 32;
  const BurgersCase burgers(p);
  const Grid g = burgers.layout().grid;
  const Range rows = block_range(g.ny, comm_size(MPI_COMM_WORLD), comm_rank(MPI_COMM_WORLD));
  const long local = rows.size() * g.nx;
  std::vector<double> block, density(g.cells()), velocity(2 * g.cells());
  double first_mass = 0.0;
  for (long t = 0; t < p.snapshots; ++t) {
    burgers.fill_snapshot(t, density.data(), velocity.data());
    double mass = 0.0;
    for (double v : density) mass += v;
    if (t == 0) first_mass = mass;
    EXPECT_NEAR(mass, first_mass, 1e-12 * first_mass) << "mass at snapshot " << t;
    block.insert(block.end(), density.begin() + rows.begin * g.nx,
                 density.begin() + rows.end * g.nx);
  }
  double previous = 1.0, at_rank_2 = 0.0;
  for (const char* rank : {"2", "4", "8", "12"}) {
    DmdOptions options;
    options.rank_option = rank;
    const DmdModel model = DmdModel::fit(MPI_COMM_WORLD, block.data(), local, p.snapshots, 0.0,
                                         p.snapshot_dt, options);
    const auto errors = model.snapshot_errors(MPI_COMM_WORLD, block.data(), p.snapshots);
    double mean = 0.0;
    for (double e : errors) mean += e / static_cast<double>(errors.size());
    EXPECT_LT(mean, previous) << "rank " << rank;
    if (at_rank_2 == 0.0) at_rank_2 = mean;
    previous = mean;
  }
  // Measured: 0.147, 0.058, 0.014, 0.005 at ranks 2, 4, 8, 12.
  EXPECT_LT(previous, at_rank_2 / 10.0);
}

TEST(DmdRankRule, FixedEnergyAndSvht) {
  std::vector<double> sigma = {10, 5, 2, 1, 0.01, 0.009, 0.008, 0.007, 0.006, 0.005};
  EXPECT_EQ(choose_rank(sigma, 1000, 10, "3", 0).rank, 3);
  EXPECT_EQ(choose_rank(sigma, 1000, 10, "3", 0).rule, "fixed 3");
  // energy: 100 + 25 = 125 of ~130.0 total is 96%.
  EXPECT_EQ(choose_rank(sigma, 1000, 10, "", 0.95).rank, 2);
  EXPECT_EQ(choose_rank(sigma, 1000, 10, "", 0.999).rank, 4);
  // svht: beta = 0.01, omega ~ 1.45, median 0.0075 -> threshold ~ 0.011: keeps 4.
  const RankChoice svht = choose_rank(sigma, 1000, 10, "svht", 0);
  EXPECT_EQ(svht.rank, 4);
  EXPECT_NE(svht.rule.find("svht"), std::string::npos);
  auto message = [&](const std::string& rank, double energy) {
    return test::error_message([&] { choose_rank(sigma, 1000, 10, rank, energy); });
  };
  EXPECT_NE(message("0", 0).find("option -dmd_rank: expected a positive integer or 'svht'"),
            std::string::npos);
  EXPECT_NE(message("11", 0).find("exceeds the numerical rank 10"), std::string::npos);
  EXPECT_NE(message("abc", 0).find("got 'abc'"), std::string::npos);
  EXPECT_NE(message("3", 0.9).find("not both"), std::string::npos);
}

TEST(DmdStateSupport, DataCountsWhereItExceedsTheFitsError) {
  const double snapshot[] = {0.0, 1.0, 1.0, 1.0, 0.0};
  const double fitted[] = {0.1, 1.5, 2.5, -0.5, 0.0};
  uint8_t present[5];
  mark_present(snapshot, fitted, 5, present);
  EXPECT_EQ(present[0], 0);  // ringing where the data is empty
  EXPECT_EQ(present[1], 1);  // data above the fit's error
  EXPECT_EQ(present[2], 0);  // the fit is off by more than the data
  EXPECT_EQ(present[3], 0);
  EXPECT_EQ(present[4], 0);
}

// A translating box under a few modes rings ahead of and behind the box. The support sets the
// state to zero exactly where the data is absent at both ends of an interval (whichever rank
// holds the cell), ramps it to and from those zeros across the next intervals, which brings
// the states between snapshots closer to the exact ones, is continuous across snapshots, and
// leaves the states alone beyond the snapshots' span.
TEST(DmdStateSupport, ZeroesTheRingingOutsideTheDataOnly) {
  AdvectParams p;
  p.n = 24;
  p.side = 2.4;
  p.profile = BumpProfile::kBox;
  p.snapshots = 24;
  p.centre_x = p.centre_y = 0.7;
  p.half_width = 0.4;
  const AdvectCase box(p);
  const long n = box.layout().grid.cells(), T = p.snapshots;
  const std::vector<double> time = box.layout().time;
  const Range cells = block_range(n, comm_size(MPI_COMM_WORLD), comm_rank(MPI_COMM_WORLD));
  const long local = cells.size();
  std::vector<double> whole(n), velocity(2 * n), block;
  for (long k = 0; k < T; ++k) {
    box.fill_snapshot(k, whole.data(), velocity.data());
    block.insert(block.end(), whole.begin() + cells.begin, whole.begin() + cells.end);
  }
  DmdOptions options;
  options.rank_option = "4";
  options.cap_fixed_rank = true;
  const DmdSequence sequence =
      DmdSequence::fit(MPI_COMM_WORLD, block.data(), local, time, 8, 3, options);
  const StateSupport support =
      StateSupport::from_fit(MPI_COMM_WORLD, sequence, block.data(), local, cells.begin, n, time);
  ASSERT_EQ(support.cells(), n);
  std::vector<double> fit_before(local), fit_after(local), state(local), out(n), exact(n);
  std::vector<uint8_t> before(local), after(local);
  long wrong = 0, zeroed = 0;
  double error_fitted = 0.0, error_supported = 0.0;
  std::vector<std::vector<uint8_t>> absent_in(T - 1, std::vector<uint8_t>(local));
  for (long k = 0; k + 1 < T; ++k) {
    sequence.state(time[k], fit_before.data());
    sequence.state(time[k + 1], fit_after.data());
    mark_present(block.data() + k * local, fit_before.data(), local, before.data());
    mark_present(block.data() + (k + 1) * local, fit_after.data(), local, after.data());
    for (long i = 0; i < local; ++i) absent_in[k][i] = !before[i] && !after[i];
  }
  for (long k = 0; k + 1 < T; ++k) {
    const double t = 0.5 * (time[k] + time[k + 1]);
    sequence.state(t, state.data());
    std::fill(out.begin(), out.end(), 0.0);
    std::copy(state.begin(), state.end(), out.begin() + cells.begin);
    support.apply(t, out.data());
    box.fill_state(t, exact.data(), velocity.data());
    for (long i = 0; i < local; ++i) {
      const bool absent = absent_in[k][i];
      const bool ramped = (k > 0 && absent_in[k - 1][i]) || (k + 2 < T && absent_in[k + 1][i]);
      const double kept = out[cells.begin + i];
      const double expected = ramped ? 0.5 * state[i] : state[i];  // t is the middle
      wrong += absent ? kept != 0.0 : std::abs(kept - expected) > 1e-12 * std::abs(state[i]);
      zeroed += absent && state[i] != 0.0;
      const double e = exact[cells.begin + i];
      error_fitted += (state[i] - e) * (state[i] - e);
      error_supported += (kept - e) * (kept - e);
    }
  }
  const long counts[2] = {wrong, zeroed};
  long total[2];
  MPI_Allreduce(counts, total, 2, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  const double errors[2] = {error_fitted, error_supported};
  double error_total[2];
  MPI_Allreduce(errors, error_total, 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  EXPECT_EQ(total[0], 0);
  EXPECT_GT(total[1], 0);  // the fit rings, and the support removes some of it
  EXPECT_LT(error_total[1], error_total[0]);
  EXPECT_GT(support.absent_populated_intervals(), 0);
  EXPECT_GT(support.populated_cells(), 0);
  EXPECT_LT(support.populated_cells(), n);  // the box never reaches the far corner
  // No jump at a snapshot: what the support keeps of a state is continuous in time.
  long jumps = 0;
  for (long k = 1; k + 1 < T; ++k) {
    std::vector<double> left(n, 1.0), right(n, 1.0);
    support.apply(time[k] - 1e-6 * (time[k] - time[k - 1]), left.data());
    support.apply(time[k], right.data());
    for (long c = 0; c < n; ++c) jumps += std::abs(left[c] - right[c]) > 1e-5;
  }
  EXPECT_EQ(jumps, 0);
  // Beyond the snapshots the data says nothing: the state is left as it is.
  std::vector<double> ones(n, 1.0);
  support.apply(time.back() + 1.0, ones.data());
  support.apply(time.front() - 1.0, ones.data());
  EXPECT_EQ(std::count(ones.begin(), ones.end(), 1.0), n);
}

}  // namespace
}  // namespace snapflow
