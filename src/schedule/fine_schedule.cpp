#include "snapflow/schedule/fine_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "snapflow/core/error.hpp"

namespace snapflow {

namespace {
// Steps beyond this are certainly a unit mistake (e.g. -fine_dt in hours).
constexpr long kMaxSteps = 100'000'000;
}  // namespace

FineSchedule FineSchedule::plan(const std::vector<double>& time, double cell_size,
                                const FineScheduleOptions& options) {
  SNAPFLOW_VERIFY(time.size() >= 2, "run: need at least two snapshots");
  FineSchedule s;
  s.t_begin_ = time.front();
  s.t_end_ = time.back();
  const double span = s.t_end_ - s.t_begin_;
  char rule[160];
  double requested = 0.0;
  if (options.fine_dt > 0.0) {
    requested = options.fine_dt;
    std::snprintf(rule, sizeof(rule), "-fine_dt %g s", options.fine_dt);
  } else {
    SNAPFLOW_VERIFY(options.vmax > 0.0,
                    "run: choose the fine step: give -fine_dt SECONDS, or -vmax SPEED (length "
                    "units per second) for dt_f = min(dx, dy) / vmax; the input has no 'vmax' "
                    "attribute to default to");
    requested = cell_size / options.vmax;
    std::snprintf(rule, sizeof(rule), "-vmax %g (CFL: dt_f <= min(dx, dy) / vmax = %g s)",
                  options.vmax, requested);
  }
  const double exact_steps = span / requested;
  SNAPFLOW_VERIFY(exact_steps <= kMaxSteps, "run: " << rule << " gives " << exact_steps
                                                    << " fine steps over " << span
                                                    << " s of snapshots: more than " << kMaxSteps);
  // Steps up to a snapshot interval long come whole per interval, so that frames and trip
  // windows (whole frames) fall on snapshot times and hours instead of drifting by a fraction
  // of a step per interval; longer steps span the whole run in whole steps.
  const long intervals = static_cast<long>(time.size()) - 1;
  const double snapshot_dt = span / static_cast<double>(intervals);
  const double whole = 1.0 - 1e-12;  // a request that divides the span exactly stays as it is
  if (requested <= snapshot_dt / whole) {
    s.steps_ = intervals * static_cast<long>(std::ceil(snapshot_dt / requested * whole));
  } else {
    s.steps_ = std::max<long>(1, static_cast<long>(std::ceil(exact_steps * whole)));
  }
  s.dt_ = span / static_cast<double>(s.steps_);
  s.rule_ = rule;

  const long per_interval = std::max<long>(1, std::lround(snapshot_dt / s.dt_));
  s.frame_steps_ = options.frame_steps > 0 ? options.frame_steps : per_interval;
  SNAPFLOW_VERIFY(s.frame_steps_ <= s.steps_, "run: -frame_steps "
                                                  << s.frame_steps_ << " is more than the "
                                                  << s.steps_ << " fine steps of the run");
  s.frames_ = (s.steps_ + s.frame_steps_ - 1) / s.frame_steps_;
  const long chain = options.chain_steps > 0 ? options.chain_steps
                     : options.chain_seconds > 0
                         ? std::max<long>(1, std::lround(options.chain_seconds / s.dt_))
                         : per_interval;
  s.chain_frames_ = std::max<long>(1, (chain + s.frame_steps_ - 1) / s.frame_steps_);
  s.plan_chains();
  return s;
}

double FineSchedule::step_time(long k) const {
  // The last boundary is the last snapshot exactly, not t0 + K dt with rounding.
  return k >= steps_ ? t_end_ : t_begin_ + static_cast<double>(k) * dt_;
}

StepRange FineSchedule::frame_step_range(long f) const {
  return {f * frame_steps_, std::min(steps_, (f + 1) * frame_steps_)};
}

double FineSchedule::frame_time(long f) const {
  return step_time(f * frame_steps_);
}

std::vector<double> FineSchedule::frame_times() const {
  std::vector<double> times(static_cast<size_t>(frames_) + 1);
  for (long f = 0; f <= frames_; ++f) times[static_cast<size_t>(f)] = frame_time(f);
  return times;
}

void FineSchedule::plan_chains() {
  // The taper: ceil(n / 2), ceil(n / 4), ..., 1 frames, when a full chain comes before it.
  std::vector<long> taper;
  for (long size = chain_frames_; size > 1;) {
    size = (size + 1) / 2;
    taper.push_back(size);
  }
  long tapered = 0;
  for (long size : taper) tapered += size;
  if (frames_ - tapered < chain_frames_) {
    taper.clear();
    tapered = 0;
  }
  chain_begin_.clear();
  for (long f = 0; f < frames_ - tapered; f += chain_frames_) chain_begin_.push_back(f);
  long begin = frames_ - tapered;
  for (long size : taper) {
    chain_begin_.push_back(begin);
    begin += size;
  }
  chain_begin_.push_back(frames_);
}

StepRange FineSchedule::chain_frame_range(long s) const {
  return {chain_begin_[s], chain_begin_[s + 1]};
}

}  // namespace snapflow
