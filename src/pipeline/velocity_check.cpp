#include "snapflow/pipeline/velocity_check.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "snapflow/parallel/mpi_context.hpp"

namespace snapflow {

VelocityError check_frame_velocities(MPI_Comm comm, const SnapshotReader& reader,
                                     const RunOutput& output, const FineSchedule& schedule) {
  const SnapshotMeta& meta = reader.meta();
  const Grid& grid = meta.grid;
  const long cells = grid.cells();
  const int size = comm_size(comm), rank = comm_rank(comm);
  const double snapshot_dt = meta.time[1] - meta.time[0];
  VelocityError error;
  const long F = schedule.frames();
  // Every rank takes part in every round's collective reads, with frame -1 when it has none.
  for (long round = 0; round * size < F; ++round) {
    const long f = round * size + rank < F ? round * size + rank : -1;
    const std::vector<float> velocity = output.read_frame("/frames/velocity", f);
    const std::vector<float> start = output.read_frame("/frames/density", f);
    const std::vector<float> end = output.read_frame("/frames/density", f >= 0 ? f + 1 : -1);
    double weight = 0.0;
    long before = -1, after = -1;
    if (f >= 0) {
      const double middle = 0.5 * (schedule.frame_time(f) + schedule.frame_time(f + 1));
      const double position = (middle - meta.time.front()) / snapshot_dt;
      before = std::clamp<long>(static_cast<long>(std::floor(position)), 0, meta.snapshots() - 1);
      after = std::min(before + 1, meta.snapshots() - 1);
      weight = std::clamp(position - static_cast<double>(before), 0.0, 1.0);
    }
    const std::vector<double> truth_before = reader.read_whole_truth_velocity(before);
    const std::vector<double> truth_after = reader.read_whole_truth_velocity(after);
    if (f < 0) continue;
    std::vector<double> truth(2 * cells), mass(cells);
    for (long k = 0; k < 2 * cells; ++k)
      truth[k] = (1.0 - weight) * truth_before[k] + weight * truth_after[k];
    for (long c = 0; c < cells; ++c) mass[c] = 0.5 * (start[c] + end[c]);
    error.add(grid, velocity.data(), truth.data(), mass.data());
  }
  double sums[VelocityError::kSums];
  error.sums(sums);
  MPI_Allreduce(MPI_IN_PLACE, sums, VelocityError::kSums, MPI_DOUBLE, MPI_SUM, comm);
  error.set_sums(sums);
  return error;
}

}  // namespace snapflow
