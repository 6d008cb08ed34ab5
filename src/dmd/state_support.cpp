#include "snapflow/dmd/state_support.hpp"

#include <algorithm>
#include <cmath>

#include "snapflow/core/error.hpp"

namespace snapflow {

void mark_present(const double* snapshot, const double* fitted, long n, uint8_t* present) {
  for (long i = 0; i < n; ++i) present[i] = snapshot[i] > std::abs(fitted[i] - snapshot[i]);
}

StateSupport StateSupport::from_fit(MPI_Comm comm, const DmdSequence& sequence,
                                    const double* snapshots, long local_cells, long first_cell,
                                    long cells, const std::vector<double>& time) {
  const long T = static_cast<long>(time.size());
  SNAPFLOW_VERIFY(T >= 2, "state support: needs at least 2 snapshots, got " << T);
  int ranks = 1;
  MPI_Comm_size(comm, &ranks);
  // Every rank's block of cells, for the gathers.
  const int mine[2] = {static_cast<int>(local_cells), static_cast<int>(first_cell)};
  std::vector<int> blocks(2 * static_cast<size_t>(ranks));
  MPI_Allgather(mine, 2, MPI_INT, blocks.data(), 2, MPI_INT, comm);
  std::vector<int> counts(ranks), offsets(ranks);
  for (int p = 0; p < ranks; ++p) {
    counts[p] = blocks[2 * p];
    offsets[p] = blocks[2 * p + 1];
  }

  StateSupport support;
  support.time_ = time;
  support.cells_ = cells;
  const size_t words = static_cast<size_t>((cells + 63) / 64);
  std::vector<double> fitted(static_cast<size_t>(local_cells));
  std::vector<uint8_t> present_before(local_cells), present_after(local_cells),
      absent_local(local_cells), absent(static_cast<size_t>(cells)), populated(local_cells, 0);
  for (long k = 0; k < T; ++k)
    for (long i = 0; i < local_cells; ++i) populated[i] |= snapshots[k * local_cells + i] != 0.0;
  long counts_local[2] = {0, 0};  // populated cells, their absent cell-intervals
  for (long i = 0; i < local_cells; ++i) counts_local[0] += populated[i];
  sequence.state(time[0], fitted.data());
  mark_present(snapshots, fitted.data(), local_cells, present_before.data());
  for (long k = 0; k + 1 < T; ++k) {
    sequence.state(time[k + 1], fitted.data());
    mark_present(snapshots + (k + 1) * local_cells, fitted.data(), local_cells,
                 present_after.data());
    for (long i = 0; i < local_cells; ++i) {
      absent_local[i] = !present_before[i] && !present_after[i];
      counts_local[1] += absent_local[i] && populated[i];
    }
    MPI_Allgatherv(absent_local.data(), static_cast<int>(local_cells), MPI_UINT8_T, absent.data(),
                   counts.data(), offsets.data(), MPI_UINT8_T, comm);
    std::vector<uint64_t> bits(words, 0);
    for (long c = 0; c < cells; ++c)
      if (absent[c]) bits[c / 64] |= uint64_t{1} << (c % 64);
    support.absent_.push_back(std::move(bits));
    present_before.swap(present_after);
  }
  long totals[2];
  MPI_Allreduce(counts_local, totals, 2, MPI_LONG, MPI_SUM, comm);
  support.populated_cells_ = totals[0];
  support.absent_populated_ = totals[1];
  return support;
}

void StateSupport::apply(double t, double* out) const {
  if (time_.empty()) return;
  // Fine-step times are sums of steps: allow them rounding at the ends of the span.
  const double slack = 1e-9 * (time_.back() - time_.front());
  if (!(t >= time_.front() - slack && t <= time_.back() + slack)) return;
  const long last = static_cast<long>(time_.size()) - 2;
  const long interval = std::clamp(
      static_cast<long>(std::upper_bound(time_.begin(), time_.end(), t) - time_.begin()) - 1, 0L,
      last);
  const size_t k = static_cast<size_t>(interval);
  const double rising = std::clamp((t - time_[k]) / (time_[k + 1] - time_[k]), 0.0, 1.0);
  // The cells of word w's set bits, times `factor`.
  const auto scale = [out](uint64_t word, size_t w, double factor) {
    for (; word; word &= word - 1) {
      double& value = out[w * 64 + __builtin_ctzll(word)];
      value = factor == 0.0 ? 0.0 : value * factor;
    }
  };
  for (size_t w = 0; w < absent_[k].size(); ++w) {
    const uint64_t kept = ~absent_[k][w];
    // Zeroed in the interval before: rise from zero; zeroed in the one after: fall to zero.
    if (k > 0) scale(kept & absent_[k - 1][w], w, rising);
    if (k + 1 < absent_.size()) scale(kept & absent_[k + 1][w], w, 1.0 - rising);
    scale(absent_[k][w], w, 0.0);
  }
}

}  // namespace snapflow
