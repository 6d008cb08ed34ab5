// Where the DMD states may hold mass between two snapshots. A fit of a few modes rings: it
// leaves small positive and negative values in cells the data leaves empty (ahead of and
// behind a moving front), and the local transport then has to move that ringing (on a
// translating box most steps were relaxed and the velocities 57% off). A cell's value at
// snapshot k counts as data when it exceeds the fit's own error there, x_k > |x_fit(t_k) - x_k|;
// between snapshots k and k+1, a cell where it counts at neither end holds the fit's ringing
// alone, and the state there is set to zero. So that no fine step has to move a jump, a cell
// zeroed in the interval before (after) this one rises from (falls to) zero linearly across
// it; a cell the data populates at both ends of its intervals is never touched, so a populated
// raster keeps its states as fitted.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <vector>

#include "snapflow/dmd/dmd_windows.hpp"

namespace snapflow {

// Serial core, for `n` cells: present[i] = snapshot[i] > |fitted[i] - snapshot[i]|.
void mark_present(const double* snapshot, const double* fitted, long n, uint8_t* present);

class StateSupport {
 public:
  StateSupport() = default;
  // Collective. `snapshots` is this rank's block [T][local_cells] of the input (cells
  // [first_cell, first_cell + local_cells) of `cells`), `time` its T snapshot times; the fit
  // is the sequence's state at each snapshot time (the states the run solves).
  static StateSupport from_fit(MPI_Comm comm, const DmdSequence& sequence, const double* snapshots,
                               long local_cells, long first_cell, long cells,
                               const std::vector<double>& time);

  bool empty() const { return time_.empty(); }
  // Sets out[cells] to zero where the data is absent at both snapshots around t, and ramps it
  // to and from those zeros across the intervals next to them (t inside the snapshots' span;
  // beyond it the data says nothing and `out` is left as it is). Continuous in t.
  void apply(double t, double* out) const;
  // Of the cells with data at some snapshot: how many, and the cell-intervals set to zero
  // (cells never populated, e.g. outside the domain, are left out of both).
  long populated_cells() const { return populated_cells_; }
  long absent_populated_intervals() const { return absent_populated_; }
  long cells() const { return cells_; }

 private:
  std::vector<double> time_;
  long cells_ = 0;
  long populated_cells_ = 0, absent_populated_ = 0;
  // Per interval: the cells absent at both of its snapshots, one bit each.
  std::vector<std::vector<uint64_t>> absent_;
};

}  // namespace snapflow
