#include "snapflow/pipeline/plan_predictions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "snapflow/analysis/affine_flow.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/parallel/mpi_context.hpp"
#include "snapflow/transport/transport_solver.hpp"

namespace snapflow {

namespace {

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

}  // namespace

double total_mass(const std::vector<double>& v) {
  double sum = 0.0;
  for (double x : v) sum += x;
  return sum;
}

void clip_and_scale(std::vector<double>& prediction, double mass) {
  for (double& x : prediction) x = std::max(0.0, std::isfinite(x) ? x : 0.0);
  const double have = total_mass(prediction);
  SNAPFLOW_VERIFY(have > 0, "evaluate: a prediction holds no positive mass");
  for (double& x : prediction) x *= mass / have;
}

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

double exact_w1(const Grid& grid, const std::vector<double>& a, const std::vector<double>& b) {
  transport::TransportSolver solver(global_spec(grid, a, b));
  const transport::TransportResult r = solver.solve(a.data(), b.data(), false);
  SNAPFLOW_VERIFY(r.status == transport::Status::kOptimal,
                  "evaluate: the W1 transport problem is " << to_string(r.status));
  return r.cost / total_mass(a);
}

std::vector<std::vector<double>> predict_along_plans(MPI_Comm comm, const HeldOut& problem,
                                                     bool second_order) {
  const int rank = comm_rank(comm);
  const SnapshotReader& reader = problem.reader;
  const SnapshotMeta& meta = reader.meta();
  const Grid& grid = meta.grid;
  const std::vector<long>&training = problem.training, &held = problem.held;
  std::vector<std::vector<double>> prediction(held.size());
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
    const bool mine = rank == problem.owner(k);
    const auto read = [&](long t) {
      return t >= 0 ? reader.read_whole_snapshot(t, mine, true) : std::vector<double>{};
    };
    const std::vector<double> a = read(first), b = read(second);
    const std::vector<double> before = read(previous), beyond = read(next);
    collectively(comm, [&] {
      if (!mine) return;
      const double tau =
          (meta.time[held[k]] - meta.time[first]) / (meta.time[second] - meta.time[first]);
      const Plan plan = exact_plan(grid, a, b);
      MeanEnds came_from, goes_to;
      if (previous >= 0) came_from = mean_ends(grid, exact_plan(grid, before, a), true);
      if (next >= 0) goes_to = mean_ends(grid, exact_plan(grid, b, beyond), false);
      prediction[k] = follow(grid, plan, tau, previous >= 0 ? &came_from : nullptr,
                             next >= 0 ? &goes_to : nullptr);
    });
  }
  return prediction;
}

AffineFlowChoice predict_by_affine_flow(MPI_Comm comm, const HeldOut& problem,
                                        std::vector<std::vector<double>>& prediction) {
  const int rank = comm_rank(comm), size = comm_size(comm);
  const SnapshotReader& reader = problem.reader;
  const std::vector<long>&training = problem.training, &held = problem.held;
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
      const double mass = total_mass(a);
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
  choice.scale = std::numeric_limits<double>::infinity();
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
        clip_and_scale(forecast, total_mass(target));
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
    const bool mine = rank == problem.owner(k);
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

}  // namespace snapflow
