#include "snapflow/schedule/chain_solver.hpp"

#include <chrono>
#include <memory>

#include "snapflow/core/error.hpp"
#include "snapflow/schedule/trip_tracker.hpp"

namespace snapflow {

using transport::Status;
using transport::TransportResult;
using transport::TransportSolver;

namespace {

// Sums of one frame in double precision, converted once the frame is complete.
struct FrameSums {
  std::vector<double> flow;       // [cells][9]
  std::vector<double> mass_time;  // [cells] sum over steps of the cell's mass x dt_f
  std::vector<double> od;

  FrameSums(long cells, int zones)
      : flow(cells * kFrameDirections, 0.0),
        mass_time(cells, 0.0),
        od(static_cast<size_t>(zones) * zones, 0.0) {}
};

void add_step(const std::vector<double>& flows, const transport::Stencil& stencil,
              const ChainSettings& settings, double dt, FrameSums& sums) {
  const int nx = settings.spec.grid.nx;
  const long cells = settings.spec.grid.cells();
  const bool with_zones = !settings.zone_index.empty();
  for (long c = 0; c < cells; ++c) {
    const double* f = flows.data() + c * kFrameDirections;
    double sent = 0.0;
    for (int d = 0; d < kFrameDirections; ++d) {
      if (f[d] == 0.0) continue;
      sums.flow[c * kFrameDirections + d] += f[d];
      sent += f[d];
      if (with_zones && d != stencil.stay()) {
        const int from = settings.zone_index[c];
        const int to = settings.zone_index[c + stencil.oy[d] * nx + stencil.ox[d]];
        if (from >= 0 && to >= 0) sums.od[static_cast<size_t>(from) * settings.zones + to] += f[d];
      }
    }
    sums.mass_time[c] += sent * dt;
  }
}

FrameResult finish_frame(long frame, const FrameSums& sums, const std::vector<double>& start,
                         const ChainSettings& settings, const transport::Stencil& stencil) {
  const Grid& grid = settings.spec.grid;
  const long cells = grid.cells();
  FrameResult out;
  out.frame = frame;
  out.flow.assign(sums.flow.begin(), sums.flow.end());
  out.density.assign(start.begin(), start.end());
  out.od = sums.od;
  out.velocity.assign(2 * cells, 0.0f);
  for (long c = 0; c < cells; ++c) {
    if (sums.mass_time[c] <= 0.0) continue;
    double vx = 0.0, vy = 0.0;
    for (int d = 0; d < kFrameDirections; ++d) {
      const double f = sums.flow[c * kFrameDirections + d];
      vx += f * stencil.ox[d] * grid.dx;
      vy += f * stencil.oy[d] * grid.dy;
    }
    out.velocity[2 * c] = static_cast<float>(vx / sums.mass_time[c]);
    out.velocity[2 * c + 1] = static_cast<float>(vy / sums.mass_time[c]);
  }
  return out;
}

}  // namespace

ChainResult solve_chain(const FineSchedule& schedule, long chain, const StateFunction& state,
                        const ChainSettings& settings, const std::function<bool()>& abandon) {
  const auto start_clock = std::chrono::steady_clock::now();
  ChainResult result;
  result.chain = chain;
  result.frames = schedule.chain_frame_range(chain);
  result.steps = {schedule.frame_step_range(result.frames.begin).begin,
                  schedule.frame_step_range(result.frames.end - 1).end};
  const long cells = settings.spec.grid.cells();

  // A fresh solver per chain: its mass unit and warm state depend only on the chain.
  TransportSolver solver(settings.spec);
  SNAPFLOW_VERIFY(solver.directions() == kFrameDirections,
                  "run: the frame output needs a 4- or 8-stencil (9 direction slots)");
  std::unique_ptr<TransportSolver> relaxed;
  std::vector<double> a(cells), b(cells);
  auto timed_state = [&](double t, double* out) {
    const auto begin = std::chrono::steady_clock::now();
    state(t, out);
    result.state_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  };
  timed_state(schedule.step_time(result.steps.begin), a.data());
  std::unique_ptr<TripTracker> trips;
  if (settings.zones > 0)
    trips = std::make_unique<TripTracker>(settings.zone_index, settings.zones, a.data(),
                                          settings.spec.grid.nx, cells, settings.trip_rule);
  bool warm = false;
  std::vector<double> flows;  // kept from step to step: 14 MB on the province, not faulted in anew
  transport::MinEnergyFlow least_energy;  // keeps its multipliers from step to step
  for (long f = result.frames.begin; f < result.frames.end; ++f) {
    FrameSums sums(cells, settings.zones);
    const std::vector<double> frame_start = a;
    const StepRange steps = schedule.frame_step_range(f);
    for (long k = steps.begin; k < steps.end; ++k) {
      if (abandon && abandon()) {
        result.abandoned = true;
        return result;
      }
      const double dt = schedule.step_time(k + 1) - schedule.step_time(k);
      timed_state(schedule.step_time(k + 1), b.data());
      TransportResult r = solver.solve(a.data(), b.data(), warm);
      const TransportSolver* solved = &solver;
      TransportResult record = r;
      if (r.status == Status::kInfeasible && settings.relax_infeasible) {
        if (!relaxed) {
          transport::TransportSpec spec = settings.spec;
          spec.balance = transport::Balance::kRelaxed;
          relaxed = std::make_unique<TransportSolver>(spec);
        }
        const TransportResult rr = relaxed->solve(a.data(), b.data(), true);
        record = rr;
        record.status = Status::kRelaxed;
        record.seconds += r.seconds;
        record.pivots += r.pivots;
        solved = relaxed.get();
      }
      // After an infeasible step the next one starts cold: the tree holds artificial flow.
      warm = r.status != Status::kInfeasible;
      if (record.status != Status::kInfeasible) {
        solved->flows(flows);
        if (settings.flow_choice == transport::FlowChoice::kMinEnergy) {
          const auto choice_start = std::chrono::steady_clock::now();
          record.min_energy =
              least_energy
                  .choose(solved->optimal_face(), solved->active_cells(), solved->stencil(), flows)
                  .chosen;
          record.seconds +=
              std::chrono::duration<double>(std::chrono::steady_clock::now() - choice_start)
                  .count();
        }
        add_step(flows, solved->stencil(), settings, dt, sums);
        if (trips) trips->step(flows, solved->stencil());
      }
      result.transport_seconds += record.seconds;
      result.step_results.push_back(record);
      a.swap(b);
    }
    result.frame_results.push_back(finish_frame(f, sums, frame_start, settings, solver.stencil()));
  }
  if (result.frames.end == schedule.frames()) result.end_density.assign(a.begin(), a.end());
  if (trips) result.trips = trips->trips();
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_clock).count();
  return result;
}

}  // namespace snapflow
