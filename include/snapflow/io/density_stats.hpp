// Collective summary of a row-distributed density cube: mass per snapshot, negative and
// non-finite values. Used by `info` to describe a file and by the pipeline to refuse NaN/Inf.
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
  long nonfinite_count = 0;
  long first_nonfinite = -1;       // global flat index t*ny*nx + j*nx + i, or -1
  double mass_outside_mask = 0.0;  // largest over snapshots

  double min_mass() const;
  double max_mass() const;
  // Relative change of the total mass from the first to the last snapshot.
  double drift() const;
};

// Collective over `comm`. `density` is this rank's [T][rows][nx] block, `mask` its [rows][nx].
DensityStats compute_density_stats(MPI_Comm comm, const SnapshotMeta& meta, Range rows,
                                   const std::vector<double>& density,
                                   const std::vector<uint8_t>& mask);

// Throws (on every rank, as the stats are global) if any density value is NaN or Inf.
void require_finite_density(const SnapshotMeta& meta, const DensityStats& stats);

// "N negative values (most negative -x)" or an empty string.
std::string describe_negatives(const DensityStats& stats);

}  // namespace snapflow
