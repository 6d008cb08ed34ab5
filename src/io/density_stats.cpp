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
  const long first_cell = rows.begin * meta.grid.nx;
  std::vector<double> mass(snapshots, 0.0), outside(snapshots, 0.0);
  long counts[4] = {0, 0, 0, 0};  // negative, missing, infinite, empty cells
  long first[2] = {plane * snapshots, plane * snapshots};  // missing, infinite (sentinels)
  double most_negative = 0.0, max_abs = 0.0;
  std::vector<long> values_in_cell(static_cast<size_t>(local), 0);
  for (long t = 0; t < snapshots; ++t) {
    const double* values = density.data() + t * local;
    for (long k = 0; k < local; ++k) {
      const double v = values[k];
      if (std::isnan(v)) {
        ++counts[1];
        first[0] = std::min(first[0], t * plane + first_cell + k);
        continue;
      }
      ++values_in_cell[k];
      if (std::isinf(v)) {
        ++counts[2];
        first[1] = std::min(first[1], t * plane + first_cell + k);
        continue;
      }
      mass[t] += v;
      max_abs = std::max(max_abs, std::fabs(v));
      if (!mask[k]) outside[t] += std::fabs(v);
      if (v < 0.0) {
        ++counts[0];
        most_negative = std::min(most_negative, v);
      }
    }
  }
  for (long n : values_in_cell) counts[3] += n == 0;
  DensityStats stats;
  stats.mass.resize(snapshots);
  MPI_Allreduce(mass.data(), stats.mass.data(), static_cast<int>(snapshots), MPI_DOUBLE, MPI_SUM,
                comm);
  std::vector<double> outside_total(snapshots);
  MPI_Allreduce(outside.data(), outside_total.data(), static_cast<int>(snapshots), MPI_DOUBLE,
                MPI_SUM, comm);
  stats.mass_outside_mask = *std::max_element(outside_total.begin(), outside_total.end());
  MPI_Allreduce(MPI_IN_PLACE, counts, 4, MPI_LONG, MPI_SUM, comm);
  MPI_Allreduce(MPI_IN_PLACE, first, 2, MPI_LONG, MPI_MIN, comm);
  MPI_Allreduce(&most_negative, &stats.most_negative, 1, MPI_DOUBLE, MPI_MIN, comm);
  MPI_Allreduce(&max_abs, &stats.max_abs, 1, MPI_DOUBLE, MPI_MAX, comm);
  stats.negative_count = counts[0];
  stats.missing_count = counts[1];
  stats.infinite_count = counts[2];
  stats.empty_cells = counts[3];
  stats.first_missing = stats.missing_count ? first[0] : -1;
  stats.first_infinite = stats.infinite_count ? first[1] : -1;
  return stats;
}

MissingPolicy parse_missing_policy(const std::string& text) {
  if (text == "refuse") return MissingPolicy::kRefuse;
  if (text == "zero") return MissingPolicy::kZero;
  if (text == "interpolate") return MissingPolicy::kInterpolate;
  throw_error("option -missing: " + quoted(text) + " is not one of refuse, zero, interpolate");
}

std::string describe_position(const Grid& grid, long flat) {
  const long plane = grid.cells();
  std::ostringstream os;
  os << "[t=" << flat / plane << ", j=" << (flat % plane) / grid.nx << ", i=" << flat % grid.nx
     << "]";
  return os.str();
}

std::string resolve_missing_values(const SnapshotMeta& meta, Range rows,
                                   std::vector<double>& density, const DensityStats& stats,
                                   MissingPolicy policy) {
  const std::string where = "input " + quoted(meta.path) + ": dataset /density";
  SNAPFLOW_VERIFY(stats.infinite_count == 0,
                  where << " holds " << stats.infinite_count << " Inf value(s), the first at "
                        << describe_position(meta.grid, stats.first_infinite));
  if (stats.missing_count == 0) return "";
  const long snapshots = meta.snapshots();
  const long empty_values = stats.empty_cells * snapshots;
  const long gaps = stats.missing_count - empty_values;
  SNAPFLOW_VERIFY(gaps == 0 || policy != MissingPolicy::kRefuse,
                  where << " holds " << gaps
                        << " missing value(s) (NaN, _FillValue or missing_value) in cells that "
                           "have values at other times, the first at "
                        << describe_position(meta.grid, stats.first_missing)
                        << "; give -missing interpolate (linear in time) or -missing zero");
  const long local = rows.size() * meta.grid.nx;
  for (long k = 0; k < local; ++k) {
    long previous = -1;  // last time with a value
    for (long t = 0; t <= snapshots; ++t) {
      if (t < snapshots && std::isnan(density[t * local + k])) continue;
      // Times previous+1 .. t-1 are missing: fill them.
      for (long u = previous + 1; u < t; ++u) {
        double& v = density[u * local + k];
        if (policy != MissingPolicy::kInterpolate || (previous < 0 && t == snapshots)) {
          v = 0.0;
        } else if (previous < 0) {
          v = density[t * local + k];
        } else if (t == snapshots) {
          v = density[previous * local + k];
        } else {
          const double w = static_cast<double>(u - previous) / static_cast<double>(t - previous);
          v = (1.0 - w) * density[previous * local + k] + w * density[t * local + k];
        }
      }
      previous = t;
    }
  }
  std::ostringstream note;
  if (stats.empty_cells > 0)
    note << stats.empty_cells << " cell(s) have no value at any time and are read as empty";
  if (gaps > 0)
    note << (stats.empty_cells > 0 ? "; " : "") << gaps << " missing value(s) were "
         << (policy == MissingPolicy::kZero ? "set to 0" : "interpolated in time");
  return note.str();
}

void require_usable_magnitudes(const SnapshotMeta& meta, const DensityStats& stats) {
  const std::string where = "input " + quoted(meta.path) + ": dataset /density";
  SNAPFLOW_VERIFY(stats.max_abs > 0.0,
                  where << " holds no mass: every value is 0 or missing; nothing can move");
  SNAPFLOW_VERIFY(stats.max_abs <= 1e100,
                  where << " holds values up to " << stats.max_abs
                        << ", beyond what the DMD's sums of squares can hold (1e100); rescale the "
                           "data (e.g. count in thousands)");
  SNAPFLOW_VERIFY(stats.max_abs >= 1e-100,
                  where << " holds values of at most " << stats.max_abs
                        << ", so small that their squares underflow (below 1e-100); rescale the "
                           "data");
}

std::string describe_negatives(const DensityStats& stats) {
  if (stats.negative_count == 0) return "";
  std::ostringstream os;
  os << stats.negative_count << " negative value(s), most negative " << stats.most_negative;
  return os.str();
}

}  // namespace snapflow
