#include "snapflow/ingest/ingested_series.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "snapflow/core/error.hpp"
#include "snapflow/core/utc_time.hpp"

namespace snapflow {

IngestedSeries series_from_bins(const BinnedSums& sums, const CellGrid& grid, int64_t slot_ms) {
  SNAPFLOW_VERIFY(!sums.bins().empty(), "no valid row was found: nothing to ingest");
  IngestedSeries series;
  series.grid = grid;
  std::vector<int64_t> starts;
  if (sums.bin_ms() > 0) {
    const int64_t first = sums.bins().begin()->first, last = sums.bins().rbegin()->first;
    for (int64_t b = first; b <= last; b += sums.bin_ms()) starts.push_back(b);
  } else {
    for (const auto& bin : sums.bins()) starts.push_back(bin.first);
  }
  const long cells = grid.grid.cells();
  series.density.assign(starts.size() * static_cast<size_t>(cells),
                        std::numeric_limits<double>::quiet_NaN());
  long empty_bins = 0;
  for (size_t t = 0; t < starts.size(); ++t) {
    series.time.push_back(static_cast<double>(starts[t]) / 1000.0);
    const auto bin = sums.bins().find(starts[t]);
    if (bin == sums.bins().end()) {
      ++empty_bins;
      continue;
    }
    const int64_t end = sums.bin_ms() > 0 ? starts[t] + sums.bin_ms() : starts[t] + 1;
    const auto first_slot = sums.slots().lower_bound(starts[t]);
    const auto last_slot = sums.slots().lower_bound(end);
    const double slots = static_cast<double>(std::distance(first_slot, last_slot));
    double* plane = series.density.data() + t * static_cast<size_t>(cells);
    for (long c = 0; c < cells; ++c) plane[c] = bin->second[static_cast<size_t>(c)] / slots;
  }
  if (empty_bins > 0)
    series.notes.push_back(std::to_string(empty_bins) +
                           " snapshot(s) have no source data and are written as missing (NaN): "
                           "run with -missing interpolate to fill them");
  if (slot_ms > 0) {
    const int64_t first = *sums.slots().begin(), last = *sums.slots().rbegin();
    std::vector<int64_t> missing;
    for (int64_t s = first; s <= last; s += slot_ms)
      if (!sums.slots().count(s)) missing.push_back(s);
    if (!missing.empty()) {
      std::ostringstream note;
      note << missing.size() << " source slot(s) of " << slot_ms / 1000 << " s are missing between "
           << format_utc(first / 1000.0) << " and " << format_utc(last / 1000.0) << ": ";
      for (size_t k = 0; k < missing.size() && k < 5; ++k)
        note << (k ? ", " : "") << format_utc(static_cast<double>(missing[k]) / 1000.0);
      if (missing.size() > 5) note << ", ...";
      series.notes.push_back(note.str());
    }
  }
  return series;
}

}  // namespace snapflow
