// The run's check against a known velocity (/truth/velocity): every frame's velocity against
// the truth interpolated to the frame's middle time, mass-weighted over 4 x 4 blocks where the
// density is at least 10% of its largest (analysis/velocity_error.hpp). Frames are shared
// out over the ranks.
#pragma once

#include <mpi.h>

#include "snapflow/analysis/velocity_error.hpp"
#include "snapflow/io/run_output.hpp"
#include "snapflow/io/snapshot_reader.hpp"
#include "snapflow/schedule/fine_schedule.hpp"

namespace snapflow {

// Collective; the input must have /truth/velocity.
VelocityError check_frame_velocities(MPI_Comm comm, const SnapshotReader& reader,
                                     const RunOutput& output, const FineSchedule& schedule);

}  // namespace snapflow
