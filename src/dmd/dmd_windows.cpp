#include "snapflow/dmd/dmd_windows.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "snapflow/core/error.hpp"

namespace snapflow {

namespace {
constexpr long kAutoWindow = 8, kDefaultOverlap = 3;
}  // namespace

DmdWindowing auto_windowing(long snapshots) {
  if (snapshots < 2 * kAutoWindow) return {};
  return {kAutoWindow, kDefaultOverlap};
}

DmdWindowing resolve_windowing(const DmdWindowRequest& request, long snapshots) {
  DmdWindowing windowing;
  if (request.window == "auto") {
    windowing = auto_windowing(snapshots);
  } else {
    errno = 0;
    char* end = nullptr;
    const long window = std::strtol(request.window.c_str(), &end, 10);
    SNAPFLOW_VERIFY(errno == 0 && end && *end == '\0' && !request.window.empty(),
                    "option -dmd_window: expected a number of snapshots or 'auto', got "
                        << quoted(request.window));
    SNAPFLOW_VERIFY(
        window >= 0 && window <= snapshots,
        "option -dmd_window: " << window << " is out of range [0, " << snapshots << "]");
    windowing.window = window;
  }
  const bool windowed = windowing.window > 0 && windowing.window < snapshots;
  if (request.overlap >= 0) {
    SNAPFLOW_VERIFY(request.overlap <= snapshots, "option -dmd_overlap: " << request.overlap
                                                                          << " is out of range [0, "
                                                                          << snapshots << "]");
    windowing.overlap = request.overlap;
  } else {
    windowing.overlap = windowed ? std::clamp(windowing.window - 2, 0L, kDefaultOverlap) : 0;
  }
  return windowing;
}

std::vector<DmdWindow> plan_windows(const std::vector<double>& time, long window, long overlap) {
  const long T = static_cast<long>(time.size());
  const double infinity = std::numeric_limits<double>::infinity();
  if (window <= 0 || window >= T) return {DmdWindow{0, T, -infinity, infinity}};
  SNAPFLOW_VERIFY(window >= 3,
                  "option -dmd_window: a window needs at least 3 snapshots, got " << window);
  SNAPFLOW_VERIFY(overlap >= 0 && overlap <= window - 2,
                  "option -dmd_overlap: " << overlap << " must be in [0, " << window - 2
                                          << "] for windows of " << window << " snapshots");
  std::vector<DmdWindow> windows;
  const long stride = window - overlap;
  // The last window takes the snapshots left after it (fewer than a stride) rather than a
  // window of its own: sharing more than `overlap` with the one before would blend the two
  // over a longer span, and a blend is what the transport pays for (docs/dmd.md).
  for (long first = 0; first + window <= T; first += stride)
    windows.push_back({first, window, 0, 0});
  windows.back().count = T - windows.back().first;
  for (size_t k = 0; k < windows.size(); ++k) {
    windows[k].owned_from = k == 0 ? -infinity
                                   : 0.5 * (time[windows[k].first] +
                                            time[windows[k - 1].first + windows[k - 1].count - 1]);
    if (k > 0) windows[k - 1].owned_to = windows[k].owned_from;
  }
  windows.back().owned_to = infinity;
  return windows;
}

DmdSequence DmdSequence::fit(MPI_Comm comm, const double* snapshots, long local_rows,
                             const std::vector<double>& time, long window, long overlap,
                             const DmdOptions& options) {
  DmdSequence sequence;
  sequence.windows_ = plan_windows(time, window, overlap);
  const double dt = time[1] - time[0];
  DmdOptions per_window = options;
  per_window.cap_fixed_rank = sequence.windows_.size() > 1;
  for (const DmdWindow& w : sequence.windows_)
    sequence.models_.push_back(DmdModel::fit(comm, snapshots + w.first * local_rows, local_rows,
                                             w.count, time[w.first], dt, per_window));
  return sequence;
}

DmdSequence DmdSequence::assemble(std::vector<DmdWindow> windows, std::vector<DmdModel> models) {
  SNAPFLOW_VERIFY(!models.empty() && windows.size() == models.size(),
                  "a DMD sequence needs one model per window");
  DmdSequence sequence;
  sequence.windows_ = std::move(windows);
  sequence.models_ = std::move(models);
  return sequence;
}

size_t DmdSequence::owner_index(double t) const {
  for (size_t k = 0; k < windows_.size(); ++k)
    if (t < windows_[k].owned_to) return k;
  return windows_.size() - 1;
}

std::pair<size_t, double> DmdSequence::blend(double t) const {
  const size_t k = owner_index(t);
  for (const size_t later : {k, k + 1}) {
    if (later == 0 || later >= models_.size()) continue;
    const DmdModel& earlier = models_[later - 1];
    const double from = models_[later].t0();
    const double to = earlier.t0() + (windows_[later - 1].count - 1) * earlier.dt();
    if (to > from && t > from && t < to) {
      double s = (t - from) / (to - from);
      if (blend_fraction_ < 1.0) {
        s = 0.5 + (s - 0.5) / blend_fraction_;
        if (s <= 0.0) return {later - 1, 0.0};  // each window's own state outside the blend
        if (s >= 1.0) return {later, 0.0};
      }
      return {later - 1, s * s * (3.0 - 2.0 * s)};
    }
  }
  return {k, 0.0};
}

void DmdSequence::set_blend_fraction(double fraction) {
  SNAPFLOW_VERIFY(fraction > 0.0 && fraction <= 1.0,
                  "option -dmd_blend: " << fraction << " is not in (0, 1]");
  blend_fraction_ = fraction;
}

void DmdSequence::state(double t, double* out) const {
  const auto [k, weight] = blend(t);
  models_[k].state(t, out);
  if (weight == 0.0) return;
  std::vector<double> later(static_cast<size_t>(models_[k + 1].local_rows()));
  models_[k + 1].state(t, later.data());
  for (size_t i = 0; i < later.size(); ++i) out[i] += weight * (later[i] - out[i]);
}

std::vector<double> DmdSequence::snapshot_errors(MPI_Comm comm, const double* snapshots,
                                                 const std::vector<double>& time) const {
  const long T = static_cast<long>(time.size());
  const long n = models_.front().local_rows();
  std::vector<double> local(2 * T, 0.0), global(2 * T), x(static_cast<size_t>(n));
  for (long k = 0; k < T; ++k) {
    state(time[k], x.data());
    const double* truth = snapshots + k * n;
    for (long i = 0; i < n; ++i) {
      local[2 * k] += (x[i] - truth[i]) * (x[i] - truth[i]);
      local[2 * k + 1] += truth[i] * truth[i];
    }
  }
  MPI_Allreduce(local.data(), global.data(), static_cast<int>(2 * T), MPI_DOUBLE, MPI_SUM, comm);
  std::vector<double> errors(T);
  for (long k = 0; k < T; ++k)
    errors[k] = global[2 * k + 1] > 0 ? std::sqrt(global[2 * k] / global[2 * k + 1])
                                      : std::sqrt(global[2 * k]);
  return errors;
}

double holdout_error(MPI_Comm comm, const double* snapshots, long local_rows,
                     const std::vector<double>& time, const DmdOptions& options, long window,
                     long overlap) {
  const long T = static_cast<long>(time.size());
  const long kept = (T + 1) / 2;
  SNAPFLOW_VERIFY(kept >= 3, "the held-out check needs at least 5 snapshots, got " << T);
  std::vector<double> even(static_cast<size_t>(kept * local_rows));
  std::vector<double> even_time(kept);
  for (long k = 0; k < kept; ++k) {
    std::copy(snapshots + 2 * k * local_rows, snapshots + (2 * k + 1) * local_rows,
              even.begin() + k * local_rows);
    even_time[k] = time[2 * k];
  }
  // The same spans of time as the full fit: windows and overlaps of half as many snapshots.
  // A fixed rank is capped at the columns of the half-sized windows.
  const long half_window = window > 0 ? std::max(3L, (window + 1) / 2) : 0;
  const long half_overlap = std::min((overlap + 1) / 2, std::max(0L, half_window - 2));
  const long columns = (half_window > 0 && half_window < kept ? half_window : kept) - 1;
  DmdOptions half = options;
  if (!half.rank_option.empty() && half.rank_option != "svht")
    half.rank_option = std::to_string(std::min(std::atol(half.rank_option.c_str()), columns));
  const DmdSequence model =
      DmdSequence::fit(comm, even.data(), local_rows, even_time, half_window, half_overlap, half);
  double sums[2] = {0.0, 0.0}, global[2];
  std::vector<double> x(static_cast<size_t>(local_rows));
  for (long k = 1; k < T; k += 2) {
    model.state(time[k], x.data());
    const double* truth = snapshots + k * local_rows;
    for (long i = 0; i < local_rows; ++i) {
      sums[0] += (x[i] - truth[i]) * (x[i] - truth[i]);
      sums[1] += truth[i] * truth[i];
    }
  }
  MPI_Allreduce(sums, global, 2, MPI_DOUBLE, MPI_SUM, comm);
  return global[1] > 0 ? std::sqrt(global[0] / global[1]) : std::sqrt(global[0]);
}

}  // namespace snapflow
