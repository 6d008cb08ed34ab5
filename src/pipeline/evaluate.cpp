#include "snapflow/pipeline/evaluate.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <sstream>
#include <utility>

#include "snapflow/analysis/affine_flow.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/io/hdf5_handle.hpp"
#include "snapflow/io/snapshot_reader.hpp"
#include "snapflow/parallel/mpi_context.hpp"
#include "snapflow/transport/transport_solver.hpp"

namespace snapflow {

namespace {

double total(const std::vector<double>& v) {
  double sum = 0.0;
  for (double x : v) sum += x;
  return sum;
}

// `prediction` with negative values set to 0 and scaled to `mass`.
void clip_and_scale(std::vector<double>& prediction, double mass) {
  for (double& x : prediction) x = std::max(0.0, std::isfinite(x) ? x : 0.0);
  const double have = total(prediction);
  SNAPFLOW_VERIFY(have > 0, "evaluate: a prediction holds no positive mass");
  for (double& x : prediction) x *= mass / have;
}

// Adds `mass` at point (x, y) to the four cell centres around it (bilinear weights; points
// beyond the outer centres go to the nearest edge).
void deposit(const Grid& g, double x, double y, double mass, std::vector<double>& out) {
  const double fx = std::clamp((x - g.x0) / g.dx - 0.5, 0.0, g.nx - 1.0);
  const double fy = std::clamp((y - g.y0) / g.dy - 0.5, 0.0, g.ny - 1.0);
  const int i0 = std::min(static_cast<int>(fx), std::max(g.nx - 2, 0));
  const int j0 = std::min(static_cast<int>(fy), std::max(g.ny - 2, 0));
  const double ax = g.nx > 1 ? fx - i0 : 0.0, ay = g.ny > 1 ? fy - j0 : 0.0;
  const int i1 = std::min(i0 + 1, g.nx - 1), j1 = std::min(j0 + 1, g.ny - 1);
  out[g.index(j0, i0)] += mass * (1 - ax) * (1 - ay);
  out[g.index(j0, i1)] += mass * ax * (1 - ay);
  out[g.index(j1, i0)] += mass * (1 - ax) * ay;
  out[g.index(j1, i1)] += mass * ax * ay;
}

// The global problem on the cells holding mass in a or b (the others cannot take part).
transport::TransportSpec global_spec(const Grid& grid, const std::vector<double>& a,
                                     const std::vector<double>& b) {
  transport::TransportSpec spec;
  spec.grid = grid;
  spec.mask.resize(a.size());
  for (size_t c = 0; c < a.size(); ++c) spec.mask[c] = a[c] > 0 || b[c] > 0;
  spec.stencil = transport::StencilKind::kGlobal;
  spec.cost.kind = transport::CostKind::kEuclid;
  spec.cost.tiebreak = 0.0;  // the exact W1, not a perturbed one
  spec.balance = transport::Balance::kScale;
  return spec;
}

// The exact global plan from a to b: flows [n][n] between the n active cells.
struct Plan {
  std::vector<int32_t> active;
  std::vector<double> flows;
};

Plan exact_plan(const Grid& grid, const std::vector<double>& a, const std::vector<double>& b) {
  transport::TransportSolver solver(global_spec(grid, a, b));
  const transport::TransportResult r = solver.solve(a.data(), b.data(), false);
  SNAPFLOW_VERIFY(r.status == transport::Status::kOptimal,
                  "evaluate: the plan between two training snapshots is " << to_string(r.status));
  return {solver.active_cells(), solver.flows()};
}

using Point = PlanePoint;

Point centre(const Grid& g, long cell) {
  return {g.centre_x(static_cast<int>(cell % g.nx)), g.centre_y(static_cast<int>(cell / g.nx))};
}

// Per cell, the mean position the mass arriving in it comes from (`arriving`) or the mass
// leaving it goes to (otherwise); cells the plan does not touch have weight 0.
struct MeanEnds {
  std::vector<Point> at;
  std::vector<double> weight;
};

MeanEnds mean_ends(const Grid& g, const Plan& plan, bool arriving) {
  MeanEnds m{std::vector<Point>(static_cast<size_t>(g.cells())),
             std::vector<double>(static_cast<size_t>(g.cells()), 0.0)};
  const size_t n = plan.active.size();
  for (size_t p = 0; p < n; ++p)
    for (size_t q = 0; q < n; ++q) {
      const double f = plan.flows[p * n + q];
      if (f <= 0.0) continue;
      const long here = arriving ? plan.active[q] : plan.active[p];
      const Point there = centre(g, arriving ? plan.active[p] : plan.active[q]);
      m.at[here].x += f * there.x;
      m.at[here].y += f * there.y;
      m.weight[here] += f;
    }
  for (size_t c = 0; c < m.at.size(); ++c)
    if (m.weight[c] > 0) m.at[c] = {m.at[c].x / m.weight[c], m.at[c].y / m.weight[c]};
  return m;
}

// Where the mass of each unit of `plan` (from A at s = 0 to B at s = 1) is at s = tau, and
// deposited there. Without neighbours: McCann's straight line. With `before` (where the mass
// at A came from, at s = -1) and/or `after` (where the mass at B goes, at s = 2): the curve
// through those points (Catmull-Rom with both, a parabola with one), so that curved motion is
// followed instead of cut into chords.
std::vector<double> follow(const Grid& grid, const Plan& plan, double tau, const MeanEnds* before,
                           const MeanEnds* after) {
  const size_t n = plan.active.size();
  std::vector<double> out(static_cast<size_t>(grid.cells()), 0.0);
  const double s = tau, s2 = tau * tau, s3 = s2 * tau;
  for (size_t p = 0; p < n; ++p)
    for (size_t q = 0; q < n; ++q) {
      const double f = plan.flows[p * n + q];
      if (f <= 0.0) continue;
      const long from = plan.active[p], to = plan.active[q];
      const Point A = centre(grid, from), B = centre(grid, to);
      const bool has_p = before && before->weight[from] > 0;
      const bool has_n = after && after->weight[to] > 0;
      const Point P = has_p ? before->at[from] : Point{}, N = has_n ? after->at[to] : Point{};
      const auto curve = [&](double a, double b, double pv, double nv) {
        if (has_p && has_n)
          return 0.5 * (2 * a + (b - pv) * s + (2 * pv - 5 * a + 4 * b - nv) * s2 +
                        (-pv + 3 * a - 3 * b + nv) * s3);
        if (has_p) return a + s * (b - pv) / 2 + s2 * (b - 2 * a + pv) / 2;
        if (has_n) return a + s * (-3 * a + 4 * b - nv) / 2 + s2 * (a - 2 * b + nv) / 2;
        return a + s * (b - a);
      };
      deposit(grid, curve(A.x, B.x, P.x, N.x), curve(A.y, B.y, P.y, N.y), f, out);
    }
  return out;
}

// The training snapshots' common step; throws naming the method if they are not evenly spaced.
double even_step(const std::vector<double>& training_time, const std::string& method) {
  const double step = training_time[1] - training_time[0];
  for (size_t k = 1; k + 1 < training_time.size(); ++k)
    SNAPFLOW_VERIFY(
        std::abs(training_time[k + 1] - training_time[k] - step) <= 1e-6 * std::abs(step),
        "evaluate -method " << method
                            << ": the snapshots left to fit on are not evenly spaced (the method "
                               "needs a uniform step): hold out every_other, last:K, or a list "
                               "that leaves equal gaps");
  return step;
}

// The mass of `density` carried by `map`: each cell's mass spread over kSub x kSub points of
// the cell, each moved and deposited, so that a stretching map does not leave gaps.
std::vector<double> carry(const Grid& grid, const std::vector<double>& density,
                          const AffineMap& map) {
  constexpr int kSub = 3;
  std::vector<double> out(density.size(), 0.0);
  for (long c = 0; c < grid.cells(); ++c) {
    if (density[c] <= 0) continue;
    const Point middle = centre(grid, c);
    for (int i = 0; i < kSub; ++i)
      for (int j = 0; j < kSub; ++j) {
        const PlanePoint to = map({middle.x + grid.dx * ((i + 0.5) / kSub - 0.5),
                                   middle.y + grid.dy * ((j + 0.5) / kSub - 0.5)});
        deposit(grid, to.x, to.y, density[c] / (kSub * kSub), out);
      }
  }
  return out;
}

// The affine step map fitted to the intervals [0, intervals) of `moments` (one AffineMoments
// per interval between consecutive training snapshots, each of unit mass), interval k weighted
// by exp(-|k + 1/2 - at| / scale): intervals near position `at` (in steps) count most.
AffineMap fit_near(const std::vector<AffineMoments>& moments, size_t intervals, double at,
                   double scale) {
  AffineMoments sum;
  for (size_t k = 0; k < intervals; ++k)
    sum.add(moments[k], std::isinf(scale) ? 1.0 : std::exp(-std::abs(k + 0.5 - at) / scale));
  return sum.fit();
}

double relative_l2(const std::vector<double>& prediction, const std::vector<double>& truth) {
  double difference = 0.0, norm = 0.0;
  for (size_t c = 0; c < truth.size(); ++c) {
    difference += (prediction[c] - truth[c]) * (prediction[c] - truth[c]);
    norm += truth[c] * truth[c];
  }
  return norm > 0 ? std::sqrt(difference / norm) : 0.0;
}

// This rank's rows of every snapshot gathered into one whole grid on rank `owner`.
std::vector<double> gather_rows(MPI_Comm comm, const std::vector<double>& local, long cells,
                                int owner) {
  const int size = comm_size(comm);
  int count = static_cast<int>(local.size());
  std::vector<int> counts(size), offsets(size, 0);
  MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm);
  for (int r = 1; r < size; ++r) offsets[r] = offsets[r - 1] + counts[r - 1];
  std::vector<double> whole(comm_rank(comm) == owner ? static_cast<size_t>(cells) : 0);
  MPI_Gatherv(local.data(), count, MPI_DOUBLE, whole.data(), counts.data(), offsets.data(),
              MPI_DOUBLE, owner, comm);
  return whole;
}

// How `affine_flow` weighs the intervals: the time scale (in training steps) chosen by
// forecasting the last training snapshot from the ones before it.
struct AffineFlowChoice {
  double scale = std::numeric_limits<double>::infinity();
  long validated = -1;                            // the snapshot forecast, -1 if none
  std::vector<std::pair<double, double>> scores;  // (scale, W1) tried
};

// `affine_flow`: each held-out snapshot is the nearest training snapshot at or before it
// (the first, before them all) carried by the affine flow fitted to the exact plans between
// consecutive training snapshots, intervals near the held-out time weighted most. Collective;
// each prediction is left on its owner.
AffineFlowChoice predict_by_affine_flow(MPI_Comm comm, const SnapshotReader& reader,
                                        const std::vector<long>& training,
                                        const std::vector<long>& held,
                                        const std::function<int(size_t)>& owner,
                                        std::vector<std::vector<double>>& prediction) {
  const int rank = comm_rank(comm), size = comm_size(comm);
  const SnapshotMeta& meta = reader.meta();
  const Grid& grid = meta.grid;
  std::vector<double> training_time;
  for (long t : training) training_time.push_back(meta.time[t]);
  const double step = even_step(training_time, "affine_flow");
  const size_t n = training.size(), intervals = n - 1;
  constexpr int kSums = AffineMoments::kSums;

  // Each interval's plan as moments of unit mass; the intervals dealt over the ranks.
  std::vector<double> sums(intervals * kSums, 0.0);
  for (size_t k = 0; k < intervals; ++k) {
    const bool mine = rank == static_cast<int>(k % size);
    const std::vector<double> a = reader.read_whole_snapshot(training[k], mine, true);
    const std::vector<double> b = reader.read_whole_snapshot(training[k + 1], mine, true);
    collectively(comm, [&] {
      if (!mine) return;
      const Plan plan = exact_plan(grid, a, b);
      const size_t cells = plan.active.size();
      const double mass = total(a);
      AffineMoments moments;
      for (size_t p = 0; p < cells; ++p)
        for (size_t q = 0; q < cells; ++q)
          if (const double f = plan.flows[p * cells + q]; f > 0)
            moments.add(centre(grid, plan.active[p]), centre(grid, plan.active[q]), f / mass);
      std::copy(moments.sums().begin(), moments.sums().end(), sums.begin() + k * kSums);
    });
  }
  MPI_Allreduce(MPI_IN_PLACE, sums.data(), static_cast<int>(sums.size()), MPI_DOUBLE, MPI_SUM,
                comm);
  std::vector<AffineMoments> moments(intervals);
  for (size_t k = 0; k < intervals; ++k)
    std::copy(sums.begin() + k * kSums, sums.begin() + (k + 1) * kSums, moments[k].sums().begin());

  // The time scale: forecast the last training snapshot from the intervals before it with each
  // candidate (dealt over the ranks); the smallest W1 wins, ties to the longer scale.
  AffineFlowChoice choice;
  if (intervals >= 2) {
    const double infinite = std::numeric_limits<double>::infinity();
    const std::vector<double> scales = {infinite, 4, 2, 1, 0.5, 0.25};
    choice.validated = training[n - 1];
    const std::vector<double> source = reader.read_whole_snapshot(training[n - 2], true, true);
    const std::vector<double> target = reader.read_whole_snapshot(training[n - 1], true, true);
    std::vector<double> w1(scales.size(), 0.0);
    collectively(comm, [&] {
      for (size_t c = rank; c < scales.size(); c += size) {
        AffineMap map;
        try {
          map = fractional_step(fit_near(moments, intervals - 1, n - 1.0, scales[c]), 1.0);
        } catch (const Error&) {
          w1[c] = infinite;  // no real flow for this weighting: not a candidate
          continue;
        }
        std::vector<double> forecast = carry(grid, source, map);
        clip_and_scale(forecast, total(target));
        w1[c] = exact_w1(grid, target, forecast);
      }
    });
    MPI_Allreduce(MPI_IN_PLACE, w1.data(), static_cast<int>(w1.size()), MPI_DOUBLE, MPI_SUM, comm);
    double best = infinite;
    for (size_t c = 0; c < scales.size(); ++c) {
      choice.scores.emplace_back(scales[c], w1[c]);
      if (w1[c] < best) best = w1[c], choice.scale = scales[c];
    }
  }

  for (size_t k = 0; k < held.size(); ++k) {
    const bool mine = rank == owner(k);
    const double t = meta.time[held[k]];
    const size_t from = static_cast<size_t>(
        std::max<long>(0, std::upper_bound(training_time.begin(), training_time.end(), t) -
                              training_time.begin() - 1));
    const std::vector<double> source = reader.read_whole_snapshot(training[from], mine, true);
    collectively(comm, [&] {
      if (!mine) return;
      const AffineMap fitted =
          fit_near(moments, intervals, (t - training_time[0]) / step, choice.scale);
      prediction[k] =
          carry(grid, source, fractional_step(fitted, (t - training_time[from]) / step));
    });
  }
  return choice;
}

void write_evaluation(const std::string& path, const EvaluateOptions& o, const SnapshotMeta& meta,
                      const std::vector<EvaluateScore>& scores,
                      const std::vector<double>& predicted, double time_scale) {
  const std::string partial = partial_path(path);
  Hid file(H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  SNAPFLOW_VERIFY(file.valid(), "cannot create " << quoted(partial) << ": " << hdf5_error_detail()
                                                 << full_disk_note(partial));
  const hsize_t H = scores.size(), ny = meta.grid.ny, nx = meta.grid.nx;
  std::vector<double> time, w1, l2;
  std::vector<long> index;
  for (const EvaluateScore& s : scores) {
    time.push_back(s.time);
    w1.push_back(s.w1);
    l2.push_back(s.l2);
    index.push_back(s.snapshot);
  }
  const auto write = [&](const char* name, hid_t file_type, hid_t memory_type,
                         const std::vector<hsize_t>& dims, const void* data) {
    write_whole(file, name, file_type, memory_type, dims, data, quoted(partial));
  };
  write("/evaluate/time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {H}, time.data());
  write("/evaluate/snapshot", H5T_STD_I64LE, H5T_NATIVE_LONG, {H}, index.data());
  write("/evaluate/w1", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {H}, w1.data());
  write("/evaluate/l2", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {H}, l2.data());
  write("/evaluate/predicted", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {H, ny, nx}, predicted.data());
  write_string_attribute(file, "method", o.method);
  write_string_attribute(file, "holdout", o.holdout);
  write_string_attribute(file, "input", o.input);
  write_string_attribute(file, "w1_units", "length units of the grid (mass-normalised)");
  for (const auto& [name, value] : {std::pair<const char*, double>{"dx", meta.grid.dx},
                                    {"dy", meta.grid.dy},
                                    {"x0", meta.grid.x0},
                                    {"y0", meta.grid.y0}})
    write_double_attribute(file, name, value);
  if (!std::isnan(time_scale)) write_double_attribute(file, "time_scale_steps", time_scale);
  write_long_attribute(file, "complete", 1);
  SNAPFLOW_VERIFY(H5Fclose(file.release()) >= 0,
                  "cannot close " << quoted(partial) << ": " << hdf5_error_detail());
  commit_partial(partial, path);
}

}  // namespace

std::vector<long> parse_holdout(const std::string& holdout, long snapshots) {
  std::vector<long> held;
  if (holdout == "every_other") {
    for (long t = 1; t < snapshots - 1; t += 2) held.push_back(t);
  } else if (holdout.rfind("last:", 0) == 0) {
    char* end = nullptr;
    const long k = std::strtol(holdout.c_str() + 5, &end, 10);
    SNAPFLOW_VERIFY(end && *end == '\0' && k >= 1,
                    "option -holdout: " << quoted(holdout) << " wants last:K with K >= 1");
    for (long t = std::max(0L, snapshots - k); t < snapshots; ++t) held.push_back(t);
  } else {
    std::istringstream items(holdout);
    std::string item;
    while (std::getline(items, item, ',')) {
      char* end = nullptr;
      const long t = std::strtol(item.c_str(), &end, 10);
      SNAPFLOW_VERIFY(!item.empty() && end && *end == '\0' && t >= 0 && t < snapshots,
                      "option -holdout: " << quoted(item) << " is not a snapshot index in [0, "
                                          << snapshots - 1 << "]");
      held.push_back(t);
    }
  }
  std::sort(held.begin(), held.end());
  held.erase(std::unique(held.begin(), held.end()), held.end());
  SNAPFLOW_VERIFY(!held.empty(), "option -holdout: " << quoted(holdout) << " holds out nothing");
  SNAPFLOW_VERIFY(snapshots - static_cast<long>(held.size()) >= 2,
                  "option -holdout: " << quoted(holdout) << " leaves "
                                      << snapshots - static_cast<long>(held.size()) << " of "
                                      << snapshots << " snapshots to fit on (need 2)");
  return held;
}

double exact_w1(const Grid& grid, const std::vector<double>& a, const std::vector<double>& b) {
  transport::TransportSolver solver(global_spec(grid, a, b));
  const transport::TransportResult r = solver.solve(a.data(), b.data(), false);
  SNAPFLOW_VERIFY(r.status == transport::Status::kOptimal,
                  "evaluate: the W1 transport problem is " << to_string(r.status));
  return r.cost / total(a);
}

std::vector<EvaluateScore> run_evaluate(MPI_Comm comm, const EvaluateOptions& o) {
  const int rank = comm_rank(comm), size = comm_size(comm);
  SnapshotReader reader(comm, o.input);
  const SnapshotMeta& meta = reader.meta();
  const Grid& grid = meta.grid;
  const long T = meta.snapshots(), cells = grid.cells();
  const std::vector<long> held = parse_holdout(o.holdout, T);
  std::vector<long> training;
  for (long t = 0; t < T; ++t)
    if (!std::binary_search(held.begin(), held.end(), t)) training.push_back(t);
  std::vector<double> training_time;
  for (long t : training) training_time.push_back(meta.time[t]);
  const auto owner = [&](size_t k) { return static_cast<int>(k % size); };

  // Per held-out snapshot, on its owner: the prediction and the truth.
  std::vector<std::vector<double>> prediction(held.size()), truth(held.size());
  double time_scale = std::numeric_limits<double>::quiet_NaN();  // affine_flow only
  if (o.method == "dmd") {
    even_step(training_time, "dmd");
    SNAPFLOW_VERIFY(training.size() >= 3, "evaluate -method dmd: option -holdout "
                                              << quoted(o.holdout) << " leaves " << training.size()
                                              << " snapshots to fit on; DMD needs 3");
    const std::vector<double> density = reader.read_density();
    bool complete = true;
    for (double v : density) complete = complete && std::isfinite(v);
    agree(comm, complete,
          "evaluate: " + quoted(o.input) +
              " has missing (NaN) or infinite density values; fill them first (snapflow run "
              "-missing interpolate, or the writer)");
    const long local = reader.local_cells();
    std::vector<double> fitted;
    for (long t : training)
      fitted.insert(fitted.end(), density.begin() + t * local, density.begin() + (t + 1) * local);
    const DmdWindowing windowing =
        resolve_windowing(o.dmd_windows, static_cast<long>(training.size()));
    const DmdSequence sequence = DmdSequence::fit(comm, fitted.data(), local, training_time,
                                                  windowing.window, windowing.overlap, o.dmd);
    for (size_t k = 0; k < held.size(); ++k) {
      std::vector<double> mine(static_cast<size_t>(local));
      sequence.state(meta.time[held[k]], mine.data());
      prediction[k] = gather_rows(comm, mine, cells, owner(k));
      truth[k] = reader.read_whole_snapshot(held[k], rank == owner(k), true);
    }
  } else if (o.method == "affine_flow") {
    const AffineFlowChoice choice =
        predict_by_affine_flow(comm, reader, training, held, owner, prediction);
    for (size_t k = 0; k < held.size(); ++k)
      truth[k] = reader.read_whole_snapshot(held[k], rank == owner(k), true);
    time_scale = choice.scale;
    if (rank == 0 && choice.validated >= 0) {
      std::printf("evaluate: affine flow time scale (training steps) by forecasting snapshot %ld:",
                  choice.validated);
      for (const auto& [scale, w1] : choice.scores) std::printf(" %g: W1 %.4g;", scale, w1);
      std::printf(" chosen %g\n", choice.scale);
    }
  } else {
    const bool second_order = o.method == "second_order";
    for (size_t k = 0; k < held.size(); ++k) {
      // The training snapshots around the held-out one (the last two for a forecast), and for
      // the second-order curve the ones before and after those.
      const long after =
          std::upper_bound(training.begin(), training.end(), held[k]) - training.begin();
      const long n = static_cast<long>(training.size());
      const long i = std::clamp(after - 1, 0L, n - 2);
      const long first = training[i], second = training[i + 1];
      const long previous = second_order && i >= 1 ? training[i - 1] : -1;
      const long next = second_order && i + 2 < n ? training[i + 2] : -1;
      const bool mine = rank == owner(k);
      const auto read = [&](long t) {
        return t >= 0 ? reader.read_whole_snapshot(t, mine, true) : std::vector<double>{};
      };
      const std::vector<double> a = read(first), b = read(second);
      const std::vector<double> before = read(previous), beyond = read(next);
      truth[k] = reader.read_whole_snapshot(held[k], mine, true);
      if (!mine) continue;
      const double tau =
          (meta.time[held[k]] - meta.time[first]) / (meta.time[second] - meta.time[first]);
      const Plan plan = exact_plan(grid, a, b);
      MeanEnds came_from, goes_to;
      if (previous >= 0) came_from = mean_ends(grid, exact_plan(grid, before, a), true);
      if (next >= 0) goes_to = mean_ends(grid, exact_plan(grid, b, beyond), false);
      prediction[k] = follow(grid, plan, tau, previous >= 0 ? &came_from : nullptr,
                             next >= 0 ? &goes_to : nullptr);
    }
  }

  std::vector<double> scores(4 * held.size(), 0.0);  // w1, l2, seconds, per held-out
  std::vector<double> predicted(held.size() * static_cast<size_t>(cells), 0.0);
  collectively(comm, [&] {
    for (size_t k = 0; k < held.size(); ++k) {
      if (rank != owner(k)) continue;
      const auto start = std::chrono::steady_clock::now();
      std::vector<double>& p = prediction[k];
      const double mass = total(truth[k]);
      SNAPFLOW_VERIFY(mass > 0, "evaluate: held-out snapshot " << held[k] << " of "
                                                               << quoted(o.input)
                                                               << " holds no mass to compare with");
      clip_and_scale(p, mass);
      scores[4 * k] = exact_w1(grid, truth[k], p);
      scores[4 * k + 1] = relative_l2(p, truth[k]);
      scores[4 * k + 2] =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::copy(p.begin(), p.end(), predicted.begin() + k * cells);
    }
  });
  MPI_Allreduce(MPI_IN_PLACE, scores.data(), static_cast<int>(scores.size()), MPI_DOUBLE, MPI_SUM,
                comm);
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : predicted.data(), predicted.data(),
             static_cast<int>(predicted.size()), MPI_DOUBLE, MPI_SUM, 0, comm);
  std::vector<EvaluateScore> result;
  for (size_t k = 0; k < held.size(); ++k)
    result.push_back(
        {held[k], meta.time[held[k]], scores[4 * k], scores[4 * k + 1], scores[4 * k + 2]});
  collectively(comm, [&] {
    if (rank == 0) write_evaluation(o.output, o, meta, result, predicted, time_scale);
  });
  return result;
}

}  // namespace snapflow
