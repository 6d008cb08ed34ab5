#include "snapflow/synth/synth_case.hpp"

#include <algorithm>
#include <cmath>

#include "snapflow/core/error.hpp"

namespace snapflow {

void SynthCase::fill_snapshot(long t, double* density, double* velocity) const {
  fill_state(layout().time.at(static_cast<size_t>(t)), density, velocity);
}

void complete_rectangle(const std::string& case_name, int n, int& ny, double side, double& side_y) {
  if (ny == 0) ny = n;
  if (side_y == 0.0) side_y = side;
  SNAPFLOW_VERIFY(n >= 1 && ny >= 1,
                  "synth " << case_name << ": -n and -ny must be >= 1, got " << n << " and " << ny);
  SNAPFLOW_VERIFY(side > 0 && std::isfinite(side) && side_y > 0 && std::isfinite(side_y),
                  "synth " << case_name << ": -side and -side_y must be > 0");
}

SnapshotLayout analytic_layout(const Grid& grid, long snapshots, double dt,
                               const std::string& description) {
  SnapshotLayout layout;
  layout.grid = grid;
  layout.time.resize(static_cast<size_t>(snapshots));
  for (long t = 0; t < snapshots; ++t) layout.time[t] = t * dt;
  layout.with_truth_velocity = true;
  layout.units = "mass per cell";
  layout.time_units = "s";
  layout.description = description;
  return layout;
}

void write_synth_case(MPI_Comm comm, const SynthCase& synth, const std::string& path) {
  const SnapshotLayout layout = synth.layout();
  SnapshotWriter writer(comm, path, layout);
  const long snapshots = static_cast<long>(layout.time.size());
  const int size = comm_size(comm);
  const Range mine = block_range(snapshots, size, comm_rank(comm));
  const long rounds = (snapshots + size - 1) / size;
  std::vector<double> density(static_cast<size_t>(layout.grid.cells()));
  std::vector<double> velocity(2 * density.size());
  // The largest speed where there is mass: the run's default CFL rule.
  double vmax = synth.top_speed();
  for (long round = 0; round < rounds; ++round) {
    const long t = mine.begin + round;
    const bool active = t < mine.end;
    if (active) {
      synth.fill_snapshot(t, density.data(), velocity.data());
      for (size_t c = 0; c < density.size(); ++c)
        if (density[c] > 0.0)
          vmax = std::max(vmax, std::hypot(velocity[2 * c], velocity[2 * c + 1]));
    }
    writer.write_snapshot(active ? t : -1, density.data(), velocity.data());
  }
  MPI_Allreduce(MPI_IN_PLACE, &vmax, 1, MPI_DOUBLE, MPI_MAX, comm);
  writer.write_attribute("vmax", vmax);
  // Mask and zones are small: rank 0 writes them whole.
  const bool root = comm_rank(comm) == 0;
  const Range all_rows = root ? Range{0, layout.grid.ny} : Range{0, 0};
  if (layout.with_mask) writer.write_mask(all_rows, root ? synth.mask() : std::vector<uint8_t>{});
  if (layout.with_zones)
    writer.write_zones(all_rows, root ? synth.zones() : std::vector<int32_t>{});
  const SynthCase::TruthOd truth = synth.truth_od();
  if (!truth.od.empty()) {
    std::vector<int32_t> ids(static_cast<size_t>(truth.zones));
    for (long z = 0; z < truth.zones; ++z) ids[z] = static_cast<int32_t>(z);
    const long windows = static_cast<long>(truth.window_time.size()) - 1;
    writer.write_truth_od(windows, truth.zones, truth.window_time, truth.od, ids);
  }
  writer.commit();
}

}  // namespace snapflow
