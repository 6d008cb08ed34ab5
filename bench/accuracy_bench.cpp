// Accuracy of the recovered flows on cases with a known answer, against the seed paper's
// published figures (its Table 1, E_local) as the named peer.
//
//   accuracy_bench [-sizes 20,30,40] [-rank 20] [-profile box|smooth] [-floor f]
//                  [-cost euclid|power] [-cost_power q] [-cost_tiebreak f]
//                  [-flow_choice vertex|min_energy]
//
// For advect-N (box bump, the inputs/advect-N.opts workloads), vortex-40 and orbit-40 (its
// one-bump form, off the centre): fit DMD on the snapshots (one window of rank R as the seed
// paper, or with -rank 0 snapflow run's default windows), then solve the local transport LPs
// (8-stencil, euclid, balance scale, infeasible steps relaxed, as `snapflow run` does) at fine
// steps dt_f = dx / 2 (the paper's choice) twice: between exact states (the analytic solution)
// and between DMD states. Printed:
//   E_local = ||F_exact - F_dmd||_F / ||F_exact||_F over all steps, F the per-step flows of
//             every cell towards every stencil direction, "stay" included (the paper's LP
//             unknowns f_ij, j in N(i) + {i}); also without the stays, and the same norm on
//             the per-step optimal costs (E_cost: unique, unlike the optimal flows);
//   the mass-weighted velocity error (relative and angle) against the known velocity on 4 x 4
//   blocks with >= 10% of the largest block's mass, from exact and from DMD states.
#include <slepcsys.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "snapflow/analysis/velocity_error.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/dmd/dmd_windows.hpp"
#include "snapflow/schedule/chain_solver.hpp"
#include "snapflow/schedule/mode_sum.hpp"
#include "snapflow/synth/advect_case.hpp"
#include "snapflow/synth/vortex_case.hpp"
#include "snapflow/transport/min_energy_flow.hpp"

using namespace snapflow;
using bench::arg;

namespace {

struct Chain {
  ChainResult result;
  VelocityError velocity;
};

// All fine steps as one warm-started chain, one frame per step.
Chain solve_chain(const SynthCase& synth, const FineSchedule& schedule, const StateFunction& state,
                  const transport::CostModel& cost, transport::FlowChoice flow_choice) {
  ChainSettings settings;
  settings.spec.grid = synth.layout().grid;
  settings.spec.cost = cost;
  settings.flow_choice = flow_choice;
  Chain chain;
  chain.result = solve_chain(schedule, 0, state, settings, {});
  const Grid& grid = settings.spec.grid;
  const long cells = grid.cells();
  std::vector<double> truth(2 * cells), density(cells), mass(cells);
  for (size_t f = 0; f < chain.result.frame_results.size(); ++f) {
    const FrameResult& frame = chain.result.frame_results[f];
    const double middle = 0.5 * (schedule.frame_time(f) + schedule.frame_time(f + 1));
    synth.fill_state(middle, density.data(), truth.data());
    const std::vector<float>& end = f + 1 < chain.result.frame_results.size()
                                        ? chain.result.frame_results[f + 1].density
                                        : chain.result.end_density;
    for (long c = 0; c < cells; ++c) mass[c] = 0.5 * (frame.density[c] + end[c]);
    chain.velocity.add(grid, frame.velocity.data(), truth.data(), mass.data());
  }
  return chain;
}

// ||A - B|| / ||A|| over every step's flows; `stays` false leaves out direction 4.
double flow_difference(const ChainResult& exact, const ChainResult& dmd, bool stays) {
  double difference = 0.0, norm = 0.0;
  for (size_t f = 0; f < exact.frame_results.size(); ++f) {
    const std::vector<float>& a = exact.frame_results[f].flow;
    const std::vector<float>& b = dmd.frame_results[f].flow;
    for (size_t k = 0; k < a.size(); ++k) {
      if (!stays && k % kFrameDirections == 4) continue;
      difference += (static_cast<double>(a[k]) - b[k]) * (static_cast<double>(a[k]) - b[k]);
      norm += static_cast<double>(a[k]) * a[k];
    }
  }
  return std::sqrt(difference / norm);
}

void study(const char* name, const SynthCase& synth, int rank, double floor_fraction,
           const transport::CostModel& cost, transport::FlowChoice flow_choice,
           const char* paper_e_local) {
  const SnapshotLayout layout = synth.layout();
  const Grid& grid = layout.grid;
  const long cells = grid.cells(), T = static_cast<long>(layout.time.size());
  std::vector<double> snapshots(T * cells), velocity(2 * cells);
  for (long t = 0; t < T; ++t)
    synth.fill_snapshot(t, snapshots.data() + t * cells, velocity.data());
  // rank > 0: the seed paper's DMD (one window of that rank); else snapflow run's default
  // (windows of 8 sharing 3, each window's rank by the energy rule).
  DmdOptions options;
  long window = 0, overlap = 0;
  if (rank > 0) {
    options.rank_option = std::to_string(rank);
  } else {
    const DmdWindowing windowing = auto_windowing(T);
    window = windowing.window;
    overlap = windowing.overlap;
    options.energy = 0.9999;
    options.cap_fixed_rank = true;
  }
  const DmdSequence model = DmdSequence::fit(PETSC_COMM_SELF, snapshots.data(), cells, layout.time,
                                             window, overlap, options);
  FineScheduleOptions fine;
  fine.fine_dt = std::min(grid.dx, grid.dy) / 2.0;
  fine.frame_steps = 1;
  fine.chain_steps = 1L << 40;
  const FineSchedule schedule = FineSchedule::plan(layout.time, std::min(grid.dx, grid.dy), fine);
  const StateFunction exact_state = [&](double t, double* out) {
    std::vector<double> v(2 * cells);
    synth.fill_state(t, out, v.data());
  };
  const StateFunction dmd_state = [&](double t, double* out) {
    model.state(t, out);
    floor_dmd_state(out, cells, floor_fraction);
  };
  int largest_rank = 0;
  for (const DmdModel& m : model.models()) largest_rank = std::max(largest_rank, m.rank());
  const Chain exact = solve_chain(synth, schedule, exact_state, cost, flow_choice);
  const Chain dmd = solve_chain(synth, schedule, dmd_state, cost, flow_choice);
  // How far the DMD states themselves are from the exact ones (bounds what E_local can be).
  double state_difference = 0.0, state_norm = 0.0;
  std::vector<double> x_exact(cells), x_dmd(cells);
  for (long k = 0; k <= schedule.steps(); ++k) {
    exact_state(schedule.step_time(k), x_exact.data());
    dmd_state(schedule.step_time(k), x_dmd.data());
    for (long c = 0; c < cells; ++c) {
      state_difference += (x_dmd[c] - x_exact[c]) * (x_dmd[c] - x_exact[c]);
      state_norm += x_exact[c] * x_exact[c];
    }
  }
  long relaxed = 0;
  double seconds = 0.0, cost_difference = 0.0, cost_norm = 0.0;
  for (size_t k = 0; k < dmd.result.step_results.size(); ++k) {
    const transport::TransportResult& s = dmd.result.step_results[k];
    relaxed += s.status != transport::Status::kOptimal;
    seconds += s.seconds;
    const double exact_cost = exact.result.step_results[k].cost;
    cost_difference += (s.cost - exact_cost) * (s.cost - exact_cost);
    cost_norm += exact_cost * exact_cost;
  }
  std::printf(
      "%-10s %4.2f %6.4f %4ld %4d %8.4f %9.4f %9s %11.4f %8.4f %9.4f %9.4f %7.2f %7.2f %8ld "
      "%8.3f\n",
      name, grid.dx, schedule.dt(), schedule.steps(), largest_rank,
      std::sqrt(state_difference / state_norm), flow_difference(exact.result, dmd.result, true),
      paper_e_local, flow_difference(exact.result, dmd.result, false),
      std::sqrt(cost_difference / cost_norm), exact.velocity.relative(), dmd.velocity.relative(),
      exact.velocity.angle_degrees(), dmd.velocity.angle_degrees(), relaxed, seconds);
  std::fflush(stdout);
}

void run_studies(int argc, char** argv) {
  const std::string sizes = arg(argc, argv, "-sizes", "20,30,40");
  const int rank = std::atoi(arg(argc, argv, "-rank", "20"));
  transport::CostModel cost;
  cost.kind = transport::parse_cost(arg(argc, argv, "-cost", "euclid"));
  cost.power = std::atof(arg(argc, argv, "-cost_power", "1.05"));
  const std::string choice = arg(argc, argv, "-flow_choice", "vertex");
  SNAPFLOW_VERIFY(choice == "vertex" || choice == "min_energy",
                  "accuracy_bench: -flow_choice " << choice << " is not one of vertex, min_energy");
  const transport::FlowChoice flow_choice =
      choice == "vertex" ? transport::FlowChoice::kVertex : transport::FlowChoice::kMinEnergy;
  // The least-energy flow is unique on the optimal face of the exact costs.
  cost.tiebreak = std::atof(arg(argc, argv, "-cost_tiebreak",
                                flow_choice == transport::FlowChoice::kVertex ? "0.001" : "0"));
  std::printf(
      "# flows from DMD states vs exact states (E_local, seed paper Table 1) and velocity\n"
      "# errors vs the known field; 8-stencil, %s cost (q = %g, tiebreak %g), %s flows, dt_f = "
      "dx/2, DMD rank %d\n",
      transport::to_string(cost.kind).c_str(), cost.power, cost.tiebreak, choice.c_str(), rank);
  const double floor_fraction = std::atof(arg(argc, argv, "-floor", "0"));
  std::printf("%-10s %4s %6s %4s %4s %8s %9s %9s %11s %8s %9s %9s %7s %7s %8s %8s\n", "case", "dx",
              "dt_f", "K", "r", "E_state", "E_local", "paper", "E_no_stays", "E_cost", "v_exact",
              "v_dmd", "ang_ex", "ang_dmd", "relaxed", "lp_s");
  const char* paper[] = {"0.030", "0.028", "0.020"};
  size_t pos = 0;
  while (pos < sizes.size()) {
    const size_t comma = sizes.find(',', pos);
    const int n = std::atoi(sizes.substr(pos, comma - pos).c_str());
    pos = comma == std::string::npos ? sizes.size() : comma + 1;
    AdvectParams p;
    p.n = n;
    p.profile = std::strcmp(arg(argc, argv, "-profile", "box"), "smooth") == 0
                    ? BumpProfile::kSmooth
                    : BumpProfile::kBox;
    const std::string name = "advect-" + std::to_string(n);
    study(name.c_str(), AdvectCase(p), rank, floor_fraction, cost, flow_choice,
          n == 20   ? paper[0]
          : n == 30 ? paper[1]
          : n == 40 ? paper[2]
                    : "-");
  }
  VortexParams v;
  study("vortex-40", VortexCase(v), rank, floor_fraction, cost, flow_choice, "-");
  // One round bump on an orbit: what density shows of a rotation is the bump's path.
  v.bumps = 1;
  v.seed = 1;  // a bump well off the centre
  study("orbit-40", VortexCase(v), rank, floor_fraction, cost, flow_choice, "-");
}

constexpr char kUsage[] =
    "accuracy_bench: flows from DMD states against flows from exact states (E_local, the seed\n"
    "paper's Table 1) and velocity errors against the known field, on advect-N, vortex-40 and\n"
    "orbit-40 (one bump turning about the centre).\n"
    "  -sizes LIST         advect grid sizes N (20,30,40)\n"
    "  -rank R             DMD rank of one window (20, the seed paper's); 0: snapflow run's\n"
    "                      default (windows of 8 sharing 3, rank by the energy rule)\n"
    "  -profile box|smooth advect bump profile (box)\n"
    "  -floor F            floor of the DMD states, fraction of their maximum (0)\n"
    "  -cost euclid|power  transport cost (euclid); -cost_power q (1.05)\n"
    "  -cost_tiebreak F    tie-breaking cost, fraction of a cell side (0.001; 0 with min_energy)\n"
    "  -flow_choice vertex|min_energy  which optimal flow each step keeps (vertex)\n";

}  // namespace

int main(int argc, char** argv) {
  if (bench::print_usage_if_asked(argc, argv, kUsage)) return 0;
  PetscCall(SlepcInitialize(&argc, &argv, nullptr, nullptr));
  int status = 0;
  try {
    run_studies(argc, argv);
  } catch (const Error& e) {  // a bad option value: say which, exit 2
    std::fprintf(stderr, "accuracy_bench: %s\n", e.what());
    status = 2;
  }
  PetscCall(SlepcFinalize());
  return status;
}
