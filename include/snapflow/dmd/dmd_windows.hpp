// Long series as a sequence of DMD windows (DESIGN.md section 1.1: months of data are fitted
// window by window), and the seed paper's held-out check.
#pragma once

#include <mpi.h>

#include <string>
#include <utility>
#include <vector>

#include "snapflow/dmd/dmd_model.hpp"

namespace snapflow {

struct DmdWindow {
  long first = 0, count = 0;  // snapshot indices [first, first + count)
  // The times this window answers for: from halfway through its overlap with the previous
  // window to halfway through its overlap with the next (open-ended at both extremes).
  double owned_from = 0.0, owned_to = 0.0;
};

// The default windowing (-dmd_window auto): windows of 8 snapshots sharing 3 when the series
// has at least 16, else one window. Short windows follow a day's changing dynamics (a
// commuter day is not one linear system); measured in docs/dmd.md.
struct DmdWindowing {
  long window = 0, overlap = 0;  // window 0: one window
};
DmdWindowing auto_windowing(long snapshots);

// -dmd_window W|auto|0 and -dmd_overlap O as given (overlap < 0: not given), resolved against
// a series of `snapshots`: an explicit W gets the overlap 3 (W - 2 if smaller) by default.
struct DmdWindowRequest {
  std::string window = "auto";
  long overlap = -1;
};
DmdWindowing resolve_windowing(const DmdWindowRequest& request, long snapshots);

// Windows of `window` snapshots advancing by window - overlap; the last one also takes the
// snapshots after it (fewer than window - overlap), so every pair shares `overlap`.
// window <= 0 or >= T gives one window. Throws on values that cannot work.
std::vector<DmdWindow> plan_windows(const std::vector<double>& time, long window, long overlap);

class DmdSequence {
 public:
  // Collective. `snapshots` as for DmdModel::fit, with uniformly spaced `time`.
  static DmdSequence fit(MPI_Comm comm, const double* snapshots, long local_rows,
                         const std::vector<double>& time, long window, long overlap,
                         const DmdOptions& options);

  // A sequence from saved parts (see read_dmd_sequence); one model per window.
  static DmdSequence assemble(std::vector<DmdWindow> windows, std::vector<DmdModel> models);

  const std::vector<DmdWindow>& windows() const { return windows_; }
  const std::vector<DmdModel>& models() const { return models_; }
  // The model of the window that owns time t (the first / last window beyond the ends).
  const DmdModel& owner(double t) const { return models_[owner_index(t)]; }
  size_t owner_index(double t) const;
  // x(t) is its owner's state, except inside the overlap of two windows, where it moves
  // smoothly (smoothstep weights) from the earlier window's state to the later's, so states
  // do not jump at window boundaries: x = (1 - w) x_k + w x_{k+1} for the returned {k, w}.
  std::pair<size_t, double> blend(double t) const;
  // The share of each overlap's span (its first to its last shared snapshot) over which the
  // states move, centred on the span's middle: 1 (the default) all of it; less, each window's
  // own state up to the blend. With three shared snapshots their states do not change
  // (weights 0, 1/2 and 1), only those between them. In (0, 1].
  void set_blend_fraction(double fraction);
  void state(double t, double* out) const;
  // Collective: relative 2-norm error at every input snapshot, each from its owner.
  std::vector<double> snapshot_errors(MPI_Comm comm, const double* snapshots,
                                      const std::vector<double>& time) const;

 private:
  std::vector<DmdWindow> windows_;
  std::vector<DmdModel> models_;
  double blend_fraction_ = 1.0;
};

// Collective: the seed paper's check (its eq. 4.1): fit on every other snapshot and return
// the relative Frobenius error ||X_dmd - X|| / ||X|| over the skipped ones. Windows (window,
// overlap as for DmdSequence::fit; 0: one window) cover the same spans of time with half as
// many snapshots; a fixed -dmd_rank is capped at what the half-sized windows allow.
double holdout_error(MPI_Comm comm, const double* snapshots, long local_rows,
                     const std::vector<double>& time, const DmdOptions& options, long window = 0,
                     long overlap = 0);

}  // namespace snapflow
