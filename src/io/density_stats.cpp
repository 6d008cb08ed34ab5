#include "snapflow/io/density_stats.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "snapflow/core/error.hpp"

namespace snapflow {

double DensityStats::min_mass() const {
  return *std::min_element(mass.begin(), mass.end());
}
double DensityStats::max_mass() const {
  return *std::max_element(mass.begin(), mass.end());
}
double DensityStats::drift() const {
  return mass.front() != 0.0 ? (mass.back() - mass.front()) / mass.front() : 0.0;
}

DensityStats compute_density_stats(MPI_Comm comm, const SnapshotMeta& meta, Range rows,
                                   const std::vector<double>& density,
                                   const std::vector<uint8_t>& mask) {
  const long snapshots = meta.snapshots();
  const long local = rows.size() * meta.grid.nx;
  const long plane = meta.grid.cells();
  std::vector<double> mass(snapshots, 0.0), outside(snapshots, 0.0);
  long negatives = 0, nonfinite = 0;
  long first_bad = plane * snapshots;  // sentinel larger than any index
  double most_negative = 0.0;
  for (long t = 0; t < snapshots; ++t) {
    const double* values = density.data() + t * local;
    for (long k = 0; k < local; ++k) {
      const double v = values[k];
      if (!std::isfinite(v)) {
        ++nonfinite;
        first_bad = std::min(first_bad, t * plane + rows.begin * meta.grid.nx + k);
        continue;
      }
      mass[t] += v;
      if (!mask[k]) outside[t] += std::fabs(v);
      if (v < 0.0) {
        ++negatives;
        most_negative = std::min(most_negative, v);
      }
    }
  }
  DensityStats stats;
  stats.mass.resize(snapshots);
  MPI_Allreduce(mass.data(), stats.mass.data(), static_cast<int>(snapshots), MPI_DOUBLE, MPI_SUM,
                comm);
  std::vector<double> outside_total(snapshots);
  MPI_Allreduce(outside.data(), outside_total.data(), static_cast<int>(snapshots), MPI_DOUBLE,
                MPI_SUM, comm);
  stats.mass_outside_mask = *std::max_element(outside_total.begin(), outside_total.end());
  MPI_Allreduce(&negatives, &stats.negative_count, 1, MPI_LONG, MPI_SUM, comm);
  MPI_Allreduce(&nonfinite, &stats.nonfinite_count, 1, MPI_LONG, MPI_SUM, comm);
  MPI_Allreduce(&most_negative, &stats.most_negative, 1, MPI_DOUBLE, MPI_MIN, comm);
  MPI_Allreduce(&first_bad, &stats.first_nonfinite, 1, MPI_LONG, MPI_MIN, comm);
  if (stats.nonfinite_count == 0) stats.first_nonfinite = -1;
  return stats;
}

void require_finite_density(const SnapshotMeta& meta, const DensityStats& stats) {
  if (stats.nonfinite_count == 0) return;
  const long plane = meta.grid.cells();
  const long t = stats.first_nonfinite / plane;
  const long j = (stats.first_nonfinite % plane) / meta.grid.nx;
  const long i = stats.first_nonfinite % meta.grid.nx;
  throw_error("input " + quoted(meta.path) + ": dataset /density holds " +
              std::to_string(stats.nonfinite_count) + " NaN or Inf value(s), the first at [t=" +
              std::to_string(t) + ", j=" + std::to_string(j) + ", i=" + std::to_string(i) + "]");
}

std::string describe_negatives(const DensityStats& stats) {
  if (stats.negative_count == 0) return "";
  std::ostringstream os;
  os << stats.negative_count << " negative value(s), most negative " << stats.most_negative;
  return os.str();
}

}  // namespace snapflow
