// What an ingest produces before it is written as an input file (DESIGN.md section 2.1): the
// grid with the source's cell ids, the snapshot times and the density cube.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "snapflow/geo/cell_grid.hpp"

namespace snapflow {

struct IngestedSeries {
  CellGrid grid;
  std::vector<double> time;     // seconds since the epoch (or the source's own seconds)
  std::vector<double> density;  // [T][ny][nx]; NaN where the source has no value
  bool epoch_times = true;      // time counts seconds since 1970-01-01T00:00:00Z
  std::string units;
  std::vector<std::pair<std::string, std::string>> attributes;  // provenance
  std::vector<std::string> notes;  // what the user should know (printed by ingest)
  long rows = 0;                   // source rows, pixels or points read
};

}  // namespace snapflow

#include "snapflow/ingest/binned_sums.hpp"

namespace snapflow {

// The snapshots of summed bins: each bin's value is the mean over the source slots seen in it
// (a cell without a row in a slot counts 0). With bins of fixed length, every bin from the
// first to the last is a snapshot, and a bin without any slot is missing (NaN). With
// `slot_ms` > 0, slots absent between the first and the last one seen are reported in the
// series' notes.
IngestedSeries series_from_bins(const BinnedSums& sums, const CellGrid& grid, int64_t slot_ms);

}  // namespace snapflow
