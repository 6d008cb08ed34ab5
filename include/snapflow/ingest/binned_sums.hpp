// Source values summed per time bin and grid cell while files are parsed, with the source's
// time slots seen in each bin. Times are integer milliseconds since the epoch; bins of
// `bin_ms` are aligned to the epoch (bin_ms = 0: every distinct time is its own bin).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <vector>

namespace snapflow {

class BinnedSums {
 public:
  BinnedSums(long cells, int64_t bin_ms) : cells_(cells), bin_ms_(bin_ms) {}

  // The start of the bin holding time `ms`.
  int64_t bin_start(int64_t ms) const;
  // The sums [cells] of the bin holding time `ms`, created (zero) on first use; the source
  // slot `ms` is recorded as seen.
  double* sums_at(int64_t ms);
  // Adds `other` (same cells and bins) and empties it.
  void merge(BinnedSums& other);

  long cells() const { return cells_; }
  int64_t bin_ms() const { return bin_ms_; }
  const std::map<int64_t, std::vector<double>>& bins() const { return bins_; }
  const std::set<int64_t>& slots() const { return slots_; }
  void clear();

 private:
  long cells_;
  int64_t bin_ms_;
  std::map<int64_t, std::vector<double>> bins_;
  std::set<int64_t> slots_;
  int64_t last_slot_ = INT64_MIN;
  double* last_sums_ = nullptr;
};

}  // namespace snapflow
