// Held-out snapshots predicted by moving mass along the exact transport plans between the
// training snapshots: `snapflow evaluate`'s mccann, second_order and affine_flow methods
// (docs/pipeline.md). Each is collective over the ranks that share the reader; held-out
// snapshot k is predicted on rank owner(k) alone.
#pragma once

#include <mpi.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "snapflow/core/grid.hpp"
#include "snapflow/io/snapshot_reader.hpp"

namespace snapflow {

struct HeldOut {
  const SnapshotReader& reader;
  const std::vector<long>& training;  // snapshot indices fitted on, increasing
  const std::vector<long>& held;      // snapshot indices to predict, increasing
  std::function<int(size_t)> owner;   // the rank that predicts held[k]
};

// mccann: every unit of the exact plan between the training snapshots around the held-out time
// moves its fraction of the interval along the straight path (the last plan extrapolated for a
// forecast); second_order: along the curve through where the neighbouring intervals' plans say
// the mass came from and goes to. Returns the predictions (empty off their owners).
std::vector<std::vector<double>> predict_along_plans(MPI_Comm comm, const HeldOut& problem,
                                                     bool second_order);

// How affine_flow weighed the intervals: the time scale (in training steps) chosen by
// forecasting the last training snapshot from the ones before it.
struct AffineFlowChoice {
  double scale = 0;
  long validated = -1;                            // the snapshot forecast, -1 if none
  std::vector<std::pair<double, double>> scores;  // (scale, W1) tried
};

// affine_flow: the nearest training snapshot at or before each held-out one (the first, before
// them all) carried by the affine flow fitted to the exact plans between consecutive training
// snapshots, intervals near the held-out time weighted most.
AffineFlowChoice predict_by_affine_flow(MPI_Comm comm, const HeldOut& problem,
                                        std::vector<std::vector<double>>& prediction);

// The training snapshots' common step; throws naming the method if they are not evenly spaced.
double even_step(const std::vector<double>& training_time, const std::string& method);

double total_mass(const std::vector<double>& density);

// `prediction` with negative and non-finite values set to 0, scaled to `mass`.
void clip_and_scale(std::vector<double>& prediction, double mass);

// Exact W1 between two whole-grid densities of the same grid (b rescaled to a's mass), in
// length units: the optimal cost of the global transport LP divided by the mass.
double exact_w1(const Grid& grid, const std::vector<double>& a, const std::vector<double>& b);

}  // namespace snapflow
