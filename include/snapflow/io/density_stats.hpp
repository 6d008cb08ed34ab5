// Collective summary of a row-distributed density cube: mass per snapshot, negative, missing
// and infinite values. Used by `info` to describe a file and by the pipeline to refuse or
// resolve what it cannot transport.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "snapflow/io/snapshot_reader.hpp"

namespace snapflow {

struct DensityStats {
  std::vector<double> mass;  // total mass per snapshot (finite values only)
  long negative_count = 0;
  double most_negative = 0.0;  // 0 when there are no negatives
  long missing_count = 0;      // NaN, _FillValue or missing_value
  long first_missing = -1;     // global flat index t*ny*nx + j*nx + i, or -1
  long empty_cells = 0;        // cells missing at every time
  long infinite_count = 0;
  long first_infinite = -1;
  double mass_outside_mask = 0.0;  // largest over snapshots
  double max_abs = 0.0;            // largest |value| (finite values)

  double min_mass() const;
  double max_mass() const;
  // Relative change of the total mass from the first to the last snapshot.
  double drift() const;
};

// Collective over `comm`. `density` is this rank's [T][rows][nx] block, `mask` its [rows][nx].
DensityStats compute_density_stats(MPI_Comm comm, const SnapshotMeta& meta, Range rows,
                                   const std::vector<double>& density,
                                   const std::vector<uint8_t>& mask);

// What the pipeline does with missing values that are not missing at every time.
enum class MissingPolicy { kRefuse, kZero, kInterpolate };
MissingPolicy parse_missing_policy(const std::string& text);  // refuse | zero | interpolate

// Collective. Throws (on every rank, as the stats are global) if any value is infinite.
// Cells missing at every time become empty (0). Other missing values are refused, set to 0,
// or interpolated linearly in time within their cell (the nearest value beyond the first or
// last one), as `policy` says. Returns a one-line note of what was changed, or "".
std::string resolve_missing_values(const SnapshotMeta& meta, Range rows,
                                   std::vector<double>& density, const DensityStats& stats,
                                   MissingPolicy policy);

// Throws (on every rank) when the values cannot carry a DMD: all zero, or magnitudes whose
// squares over- or underflow double arithmetic (above 1e100, or all below 1e-100).
void require_usable_magnitudes(const SnapshotMeta& meta, const DensityStats& stats);

// "[t=2, j=3, i=1]" for a global flat index.
std::string describe_position(const Grid& grid, long flat_index);

// "N negative values (most negative -x)" or an empty string.
std::string describe_negatives(const DensityStats& stats);

}  // namespace snapflow
