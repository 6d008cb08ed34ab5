// One worker's unit of work: the fine steps of one chain, solved as one warm-started chain
// (the first step cold), with the flows summed into the chain's output frames. Plain C++:
// each OpenMP thread runs its own chains; MPI and HDF5 stay in the orchestration.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "snapflow/schedule/fine_schedule.hpp"
#include "snapflow/schedule/trip_tracker.hpp"
#include "snapflow/transport/min_energy_flow.hpp"
#include "snapflow/transport/transport_solver.hpp"

namespace snapflow {

// Directions of the output flow (DESIGN.md section 2.2): d = (oy + 1) * 3 + (ox + 1).
constexpr int kFrameDirections = 9;

// Whole-grid state x(t) [ny * nx]; must be safe to call from several threads at once.
using StateFunction = std::function<void(double time, double* out)>;

struct ChainSettings {
  transport::TransportSpec spec;  // 4- or 8-stencil
  // An infeasible step is solved again with the relaxed policy (status 1) when true, and
  // left infeasible (status 2, no flow) otherwise.
  bool relax_infeasible = true;
  std::vector<int32_t> zone_index;  // [ny * nx] zone number in [0, zones) or -1; may be empty
  int zones = 0;
  TripRule trip_rule = TripRule::kTransit;  // how /od/trips follows the mass
  // kMinEnergy: each optimal step keeps the least-energy optimal flow (needs the exact costs:
  // spec.cost.tiebreak = 0); steps where none is found within tolerance keep the vertex.
  transport::FlowChoice flow_choice = transport::FlowChoice::kVertex;
};

struct FrameResult {
  long frame = 0;
  std::vector<float> flow;      // [cells][9] mass moved towards each direction in the frame
  std::vector<float> velocity;  // [cells][2] mean velocity of the cell's mass (length/s)
  std::vector<float> density;   // [cells] state at the frame's start
  std::vector<double> od;       // [zones][zones] mass moved between zones (stays excluded)
};

struct ChainResult {
  long chain = 0;
  StepRange frames, steps;
  std::vector<FrameResult> frame_results;
  std::vector<float> end_density;  // state at the end of the run, for the last chain only
  std::vector<double> trips;       // [zones][zones] mass from zone a at the start in b at the end
  // Per fine step, the kernel's result as the output records it. A step infeasible under the
  // chosen policy and solved again relaxed has status kRelaxed, with both solves' time and pivots.
  std::vector<transport::TransportResult> step_results;
  bool abandoned = false;          // stopped early by `abandon`: nothing of it may be written
  double state_seconds = 0.0;      // building the fine states
  double transport_seconds = 0.0;  // solving the LPs
  double seconds = 0.0;            // the whole chain
};

// Solves chain `chain` of `schedule`. `abandon` (may be empty) is asked between steps.
ChainResult solve_chain(const FineSchedule& schedule, long chain, const StateFunction& state,
                        const ChainSettings& settings, const std::function<bool()>& abandon);

}  // namespace snapflow
