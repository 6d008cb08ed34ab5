// Transport kernel benchmark: snapflow's solver against LEMON's NetworkSimplex (candidate
// list pivot rule) on the same integer problems, one process, one core.
//
//   transport_bench [-sizes 128x128,256x256,389x511] [-chain_steps 60] [-cold_chain N]
//                   [-lemon_chain 2] [-start 27900] [-fine_dt 10]
//                   [-dmd DMD.h5 -i SNAPSHOTS.h5 [-mass_unit U] [-cost_tiebreak F]
//                    [-dmd_blend F] [-state_support snapshots|none]]
//
// Instances come from `synth province` (scaled to each grid size): a = the state at `start`
// (default 07:45, the morning peak), b = the state fine_dt later. The chain runs
// `chain_steps` consecutive fine steps on the largest grid, warm-started, and compares them
// with cold solves of the same steps (ours on the first `cold_chain` steps, default all;
// LEMON on `lemon_chain` of them). With -dmd the chain's states are those `snapflow run`
// solves instead: x(t) of the DMD model saved by `snapflow dmd -dmd_save_modes` on the
// snapshot file -i (grid and mask from there); -sizes "" then skips the single LPs.
// -mass_unit sets the mass of one integer unit of the DMD chain (default: the solver's, 2^-48
// of its first total on local stencils), to see how much of a step's work is rounding detail.
// -state_support snapshots zeroes the states where the run's default support does (none by
// default, as the kernel figures in docs/transport.md were taken).
#include <mpi.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../tests/lemon_oracle.hpp"
#include "bench_util.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/dmd/dmd_windows.hpp"
#include "snapflow/dmd/state_support.hpp"
#include "snapflow/io/dmd_output.hpp"
#include "snapflow/io/hdf5_handle.hpp"
#include "snapflow/io/snapshot_reader.hpp"
#include "snapflow/synth/province_case.hpp"
#include "snapflow/transport/transport_solver.hpp"

using namespace snapflow;
using bench::arg;
using bench::peak_rss_mb;
using bench::print_usage_if_asked;
using namespace snapflow::transport;

namespace {

struct Sample {
  std::vector<double> a, b;
};

ProvinceParams province_of_size(int nx, int ny) {
  ProvinceParams p;
  p.nx = nx;
  p.ny = ny;
  p.people = 3.0e6 * (static_cast<double>(nx) * ny) / (511.0 * 389.0);
  p.towns = std::max(10, static_cast<int>(120.0 * nx * ny / (511.0 * 389.0)));
  return p;
}

std::vector<double> state(const ProvinceCase& synth, double time) {
  const long cells = synth.layout().grid.cells();
  std::vector<double> density(cells), velocity(2 * cells);
  synth.fill_state(time, density.data(), velocity.data());
  return density;
}

struct ChainOptions {
  int steps = 60, cold_steps = 60, lemon_steps = 2;
  double start = 0.0, fine_dt = 10.0;
  double mass_unit = 0.0;  // mass per integer unit of the DMD chain (0: the solver's default)
  double tiebreak = CostModel{}.tiebreak;  // the run's -cost_tiebreak
  double dmd_blend = 1.0;                  // the run's -dmd_blend
  bool state_support = false;              // the run's -state_support snapshots
};

// A warm-started chain of consecutive fine steps against cold solves of the same steps;
// returns the number of objective mismatches (ours warm, ours cold, LEMON).
int run_chain(const TransportSpec& spec, const std::function<std::vector<double>(double)>& state_at,
              const ChainOptions& o, const char* what) {
  TransportSolver warm(spec);
  std::unique_ptr<TransportSolver> cold;  // made after step 0, with the warm one's mass unit
  std::vector<double> a = state_at(o.start);
  double warm_total = 0, cold_total = 0, lemon_total = 0;
  int warm_timed = 0, cold_timed = 0, lemon_done = 0, mismatches = 0, infeasible = 0;
  int states_rounded = 0;  // steps solved again on each state rounded alike
  long split_cells = 0;    // cells the net-change form overdrew (split for the chain's rest)
  for (int step = 0; step < o.steps; ++step) {
    const std::vector<double> b = state_at(o.start + (step + 1) * o.fine_dt);
    const TransportResult rw = warm.solve(a.data(), b.data(), true);
    infeasible += rw.status == Status::kInfeasible;
    states_rounded += rw.rounded_states;
    if (step > 0) warm_total += rw.seconds, ++warm_timed;  // the first warm solve is cold
    split_cells = rw.split_cells;
    std::printf(
        "  step %3d: warm %.3f s (%ld pivots, %ld block moves, %ld repairs, %ld tree updates, "
        "%ld split cells, %ld search units, %.0f%% skipped), status %s%s",
        step, rw.seconds, rw.pivots, rw.block_moves, rw.repairs, rw.tree_updates, rw.split_cells,
        rw.searched_units, 100.0 * rw.skipped_units / std::max(1L, rw.searched_units),
        to_string(rw.status).c_str(), rw.rounded_states ? " (states rounded alike)" : "");
    if (step < o.cold_steps) {
      if (step > 0 && !cold) {
        TransportSpec same_units = spec;
        same_units.mass_unit = warm.mass_unit();
        cold = std::make_unique<TransportSolver>(same_units);
      }
      const TransportResult rc = step == 0 ? rw : cold->solve(a.data(), b.data(), false);
      const bool differs = step > 0 && warm.objective_units() != cold->objective_units();
      mismatches += differs;
      cold_total += rc.seconds, ++cold_timed;
      std::printf(", cold %.3f s%s", rc.seconds, differs ? " OBJECTIVE DIFFERS" : "");
    }
    if (step < o.lemon_steps) {
      const test::OracleResult lemon = test::lemon_solve(warm.integer_problem());
      lemon_total += lemon.seconds, ++lemon_done;
      const bool differs = lemon.feasible && lemon.cost != warm.objective_units();
      mismatches += differs;
      std::printf(", LEMON %.3f s%s", lemon.seconds, differs ? " OBJECTIVE DIFFERS" : "");
    }
    std::printf("\n");
    std::fflush(stdout);
    a = b;
  }
  const double warm_mean = warm_timed ? warm_total / warm_timed : 0.0;
  const double cold_mean = cold_timed ? cold_total / cold_timed : 0.0;
  const double lemon_mean = lemon_done ? lemon_total / lemon_done : 0.0;
  std::printf(
      "\nchain of %d steps of %g s on %dx%d (%s): warm %.3f s/LP (%d steps), our cold %.3f "
      "s/LP (%d), LEMON cold %.3f s/LP (%d)\n",
      o.steps, o.fine_dt, spec.grid.ny, spec.grid.nx, what, warm_mean, warm_timed, cold_mean,
      cold_timed, lemon_mean, lemon_done);
  std::printf(
      "warm vs LEMON cold: %.1fx; warm vs our cold: %.1fx; objective mismatches: %d; "
      "infeasible steps: %d; solved again on the states rounded alike: %d; cells split "
      "(overdrawn by the net-change form): %ld\n",
      warm_mean > 0 ? lemon_mean / warm_mean : 0.0, warm_mean > 0 ? cold_mean / warm_mean : 0.0,
      mismatches, infeasible, states_rounded, split_cells);
  return mismatches;
}

// The pipeline's states: x(t) of a saved DMD model, whole grid on this one process.
int run_dmd_chain(const std::string& dmd_path, const std::string& input_path,
                  const ChainOptions& chain) {
  const SnapshotReader reader(MPI_COMM_SELF, input_path);
  TransportSpec spec;
  spec.grid = reader.grid();
  spec.mask = reader.read_whole_mask(true);
  spec.mass_unit = chain.mass_unit;
  spec.cost.tiebreak = chain.tiebreak;
  const Hid fapl = mpio_file_access(MPI_COMM_SELF);
  const Hid file(H5Fopen(dmd_path.c_str(), H5F_ACC_RDONLY, fapl), H5Fclose);
  SNAPFLOW_VERIFY(file.valid(), "cannot open -dmd " << dmd_path);
  DmdSequence model =
      read_dmd_sequence(MPI_COMM_SELF, file, spec.grid, Range{0, spec.grid.ny}, dmd_path);
  model.set_blend_fraction(chain.dmd_blend);
  std::printf(
      "# chain states: DMD model of %s (rank %d, blends over %g of each window overlap), as "
      "`snapflow run` builds them\n",
      dmd_path.c_str(), model.owner(chain.start).rank(), chain.dmd_blend);
  StateSupport support;
  if (chain.state_support) {
    const std::vector<double> density = reader.read_density();
    support = StateSupport::from_fit(MPI_COMM_SELF, model, density.data(), reader.local_cells(), 0,
                                     spec.grid.cells(), reader.meta().time);
    std::printf("# state support: %ld of %ld populated cell-intervals set to 0\n",
                support.absent_populated_intervals(),
                support.populated_cells() * static_cast<long>(reader.meta().time.size() - 1));
  }
  const auto dmd_state = [&](double t) {
    std::vector<double> x(static_cast<size_t>(spec.grid.cells()));
    model.state(t, x.data());
    support.apply(t, x.data());
    return x;
  };
  return run_chain(spec, dmd_state, chain, "DMD states");
}

constexpr char kUsage[] =
    "transport_bench: snapflow's transport kernel against LEMON's NetworkSimplex (candidate\n"
    "list rule) on the same integer problems, one process, one core.\n"
    "  -sizes LIST      single cold LPs of synth province scaled to NYxNX grids\n"
    "                   (default 128x128,256x256,389x511; \"\" for none)\n"
    "  -chain_steps N   consecutive fine steps of the warm chain on the largest grid (60)\n"
    "  -cold_chain N    of which solved cold by our solver too (default all)\n"
    "  -lemon_chain N   of which solved cold by LEMON (2)\n"
    "  -start T         time of the first state (s; default 27900 = 07:45)\n"
    "  -fine_dt DT      fine step (s; 10)\n"
    "  -dmd FILE -i IN  chain states from the DMD model FILE (snapflow dmd -dmd_save_modes)\n"
    "                   fitted on the snapshot file IN, as `snapflow run` builds them\n"
    "  -mass_unit U     mass of one integer unit of the DMD chain (default 2^-48 of its total)\n"
    "  -cost_tiebreak F tie-breaking of the DMD chain's costs, as `snapflow run` (0.001)\n"
    "  -dmd_blend F     share of each window overlap the DMD states blend over, as `snapflow\n"
    "                   run` (1)\n"
    "  -state_support snapshots|none  the run's support of the DMD states (none)\n";

}  // namespace

int main(int argc, char** argv) {
  if (print_usage_if_asked(argc, argv, kUsage)) return 0;
  const std::string sizes = arg(argc, argv, "-sizes", "128x128,256x256,389x511");
  const int chain_steps = std::atoi(arg(argc, argv, "-chain_steps", "60"));
  const int lemon_chain = std::atoi(arg(argc, argv, "-lemon_chain", "2"));
  const double start = std::atof(arg(argc, argv, "-start", "27900"));
  const double fine_dt = std::atof(arg(argc, argv, "-fine_dt", "10"));
  const std::string dmd_path = arg(argc, argv, "-dmd", "");
  const std::string input_path = arg(argc, argv, "-i", "");
  ChainOptions chain;
  chain.steps = chain_steps;
  chain.cold_steps = std::atoi(arg(argc, argv, "-cold_chain", std::to_string(chain_steps).c_str()));
  chain.lemon_steps = lemon_chain;
  chain.start = start;
  chain.fine_dt = fine_dt;
  chain.mass_unit = std::atof(arg(argc, argv, "-mass_unit", "0"));
  chain.tiebreak = std::atof(arg(argc, argv, "-cost_tiebreak", "0.001"));
  chain.dmd_blend = std::atof(arg(argc, argv, "-dmd_blend", "1"));
  const std::string support = arg(argc, argv, "-state_support", "none");
  if (support != "none" && support != "snapshots") {
    std::fprintf(stderr, "transport_bench: -state_support must be snapshots or none, got '%s'\n",
                 support.c_str());
    return 2;
  }
  chain.state_support = support == "snapshots";
  if (!dmd_path.empty() && input_path.empty()) {
    std::fprintf(stderr, "transport_bench: -dmd needs -i (the snapshot file it was fitted on)\n");
    return 2;
  }
  MPI_Init(&argc, &argv);  // HDF5 here is the parallel build: the DMD file is read by MPI-IO
  silence_hdf5_error_printing();
  const auto finish = [](int mismatches) {
    std::printf("peak RSS of the process: %.1f MB\n", peak_rss_mb());
    MPI_Finalize();
    return mismatches == 0 ? 0 : 1;
  };

  std::printf("# transport kernel vs LEMON NetworkSimplex (candidate list), 1 core\n");
  std::printf(
      "# instances: synth province scaled to each grid, a = state at t = %.0f s, "
      "b = state %.0f s later; 8-stencil, euclid cost, balance scale\n",
      start, fine_dt);
  std::printf("%-10s %9s %9s %10s %10s %9s %12s %10s\n", "grid", "cells", "arcs", "ours_s",
              "lemon_s", "speedup", "solver_MB", "agree");
  ProvinceCase* largest = nullptr;
  std::vector<std::unique_ptr<ProvinceCase>> cases;
  size_t pos = 0;
  while (pos < sizes.size()) {
    const size_t comma = sizes.find(',', pos);
    const std::string item =
        sizes.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? sizes.size() : comma + 1;
    int nx = 0, ny = 0;
    if (std::sscanf(item.c_str(), "%dx%d", &ny, &nx) != 2) {
      std::fprintf(stderr, "bad size %s (want NYxNX)\n", item.c_str());
      MPI_Finalize();
      return 2;
    }
    cases.push_back(std::make_unique<ProvinceCase>(province_of_size(nx, ny)));
    const ProvinceCase& synth = *cases.back();
    largest = cases.back().get();
    TransportSpec spec;
    spec.grid = synth.layout().grid;
    spec.mask = synth.mask();
    const std::vector<double> a = state(synth, start), b = state(synth, start + fine_dt);
    TransportSolver solver(spec);
    const TransportResult r = solver.solve(a.data(), b.data(), false);
    const IntegerProblem problem = solver.integer_problem();
    const test::OracleResult oracle = test::lemon_solve(problem);
    const bool agree =
        oracle.feasible ? solver.objective_units() == oracle.cost : r.status == Status::kInfeasible;
    std::printf("%-10s %9d %9zu %10.3f %10.3f %8.1fx %12.1f %10s\n", item.c_str(), problem.cells,
                problem.arcs.size(), r.seconds, oracle.seconds, oracle.seconds / r.seconds,
                solver.memory_bytes() / 1e6, agree ? "yes" : "NO");
    std::printf(
        "  ours: status %s, %ld pivots, %ld tree node updates, moved %.1f people, %ld cells "
        "split\n",
        to_string(r.status).c_str(), r.pivots, r.tree_updates, r.moved, r.split_cells);
    std::fflush(stdout);
  }
  if (chain_steps <= 0) return finish(0);
  if (!dmd_path.empty()) {
    try {
      return finish(run_dmd_chain(dmd_path, input_path, chain));
    } catch (const Error& e) {
      std::fprintf(stderr, "transport_bench: %s\n", e.what());
      MPI_Finalize();
      return 2;
    }
  }
  if (!largest) return finish(0);
  TransportSpec spec;
  spec.grid = largest->layout().grid;
  spec.mask = largest->mask();
  const auto exact_state = [&](double t) { return state(*largest, t); };
  return finish(run_chain(spec, exact_state, chain, "exact synth states"));
}
