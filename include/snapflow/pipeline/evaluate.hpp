// `snapflow evaluate` (DESIGN.md section 2.5): held-out marginals. Fit on the snapshots not
// held out, predict the held-out ones on the grid with the mass of each held-out snapshot,
// and score them by the exact Wasserstein-1 distance (the global transport LP, euclidean cost,
// divided by the mass) and by the relative L2 error (the seed paper's eq. 4.1).
// Methods: dmd (the DMD state at the held-out time), mccann (displacement interpolation:
// every unit of the exact global plan between the training snapshots around the held-out time
// moves the fraction of the interval along its straight path; beyond the last snapshot, the
// last plan extrapolated), second_order (along a curve through the neighbouring intervals'
// plans), affine_flow (the nearest earlier training snapshot carried by an affine step map
// fitted to all the plans: docs/pipeline.md).
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

#include "snapflow/core/grid.hpp"
#include "snapflow/dmd/dmd_model.hpp"
#include "snapflow/dmd/dmd_windows.hpp"
#include "snapflow/pipeline/plan_predictions.hpp"

namespace snapflow {

struct EvaluateOptions {
  std::string input, output;
  std::string holdout;  // "1,3,5", "every_other", "last:K"
  std::string method;   // "dmd", "mccann", "second_order", "affine_flow"
  DmdOptions dmd;
  DmdWindowRequest dmd_windows;
};

// The held-out snapshot indices of `holdout` for T snapshots (sorted, distinct); throws
// naming the option for a list that leaves fewer than two training snapshots.
std::vector<long> parse_holdout(const std::string& holdout, long snapshots);

struct EvaluateScore {
  long snapshot = 0;
  double time = 0.0;
  double w1 = 0.0;  // length units
  double l2 = 0.0;  // relative
  double seconds = 0.0;
};

// Collective: held-out snapshots are dealt over the ranks; rank 0 writes OUT and the returned
// scores are on every rank.
std::vector<EvaluateScore> run_evaluate(MPI_Comm comm, const EvaluateOptions& options);

}  // namespace snapflow
