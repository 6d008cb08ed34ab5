#include "snapflow/ingest/binned_sums.hpp"

#include <cstddef>

namespace snapflow {

int64_t BinnedSums::bin_start(int64_t ms) const {
  if (bin_ms_ <= 0) return ms;
  int64_t bin = ms / bin_ms_;
  if (ms < 0 && bin * bin_ms_ != ms) --bin;
  return bin * bin_ms_;
}

double* BinnedSums::sums_at(int64_t ms) {
  // Rows of one slot usually come together: remember the last one.
  if (ms == last_slot_) return last_sums_;
  slots_.insert(ms);
  std::vector<double>& sums = bins_[bin_start(ms)];
  if (sums.empty()) sums.assign(static_cast<size_t>(cells_), 0.0);
  last_slot_ = ms;
  last_sums_ = sums.data();
  return last_sums_;
}

void BinnedSums::merge(BinnedSums& other) {
  for (auto& [start, sums] : other.bins_) {
    std::vector<double>& mine = bins_[start];
    if (mine.empty()) {
      mine.swap(sums);
    } else {
      for (size_t c = 0; c < mine.size(); ++c) mine[c] += sums[c];
    }
  }
  slots_.insert(other.slots_.begin(), other.slots_.end());
  other.clear();
  last_slot_ = INT64_MIN;
  last_sums_ = nullptr;
}

void BinnedSums::clear() {
  bins_.clear();
  slots_.clear();
  last_slot_ = INT64_MIN;
  last_sums_ = nullptr;
}

}  // namespace snapflow
