// `snapflow run` (DESIGN.md sections 1.4 and 2.2) as a sequence of named stages, which are
// also its PETSc log stages (-log_view):
//   Read       the snapshots by row blocks, the mask, the zones, checks of the data
//   (output)   OUT.partial created, or reopened with -resume, and locked
//   DMD        fitted window by window, stored at float32 and read back (states bitwise the
//              same for any rank count and for a resumed run)
//   States     the modes replicated once per node, so any rank evaluates whole-grid states
//   Transport  chains of fine steps farmed over ranks x threads; the main thread of each rank
//              deals them and writes finished ones collectively while its workers solve
//   Evaluate   the velocity against /truth/velocity, when the input has it
// then the summary, and OUT.partial committed as OUT with its XDMF sidecar.
#pragma once

#include <mpi.h>

#include "snapflow/pipeline/run_config.hpp"

namespace snapflow {

// Collective. Returns the exit status: 0 when the output is complete, 4 when a signal stopped
// the run (the frames done are safe in OUT.partial; -resume continues). Throws
// snapflow::Error, on every rank, for bad input or a failure.
int run_pipeline(MPI_Comm comm, const RunConfig& config);

}  // namespace snapflow
