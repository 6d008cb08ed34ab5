// Transport kernel benchmark: snapflow's solver against LEMON's NetworkSimplex (candidate
// list pivot rule) on the same integer problems, one process, one core.
//
//   transport_bench [-sizes 128x128,256x256,389x511] [-chain_steps 60] [-lemon_chain 2]
//                   [-start 27900] [-fine_dt 10]
//
// Instances come from `synth province` (scaled to each grid size): a = the state at `start`
// (default 07:45, the morning peak), b = the state fine_dt later. The chain runs
// `chain_steps` consecutive fine steps on the largest grid, warm-started, and compares them
// with cold solves of the same steps (ours on every step, LEMON on `lemon_chain` of them).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../tests/lemon_oracle.hpp"
#include "snapflow/synth/province_case.hpp"
#include "snapflow/transport/transport_solver.hpp"

using namespace snapflow;
using namespace snapflow::transport;

namespace {

double peak_rss_mb() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

const char* arg(int argc, char** argv, const char* name, const char* fallback) {
  for (int k = 1; k + 1 < argc; ++k)
    if (std::strcmp(argv[k], name) == 0) return argv[k + 1];
  return fallback;
}

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

}  // namespace

int main(int argc, char** argv) {
  const std::string sizes = arg(argc, argv, "-sizes", "128x128,256x256,389x511");
  const int chain_steps = std::atoi(arg(argc, argv, "-chain_steps", "60"));
  const int lemon_chain = std::atoi(arg(argc, argv, "-lemon_chain", "2"));
  const double start = std::atof(arg(argc, argv, "-start", "27900"));
  const double fine_dt = std::atof(arg(argc, argv, "-fine_dt", "10"));

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
    std::printf("  ours: status %s, %ld pivots, %ld tree node updates, moved %.1f people\n",
                to_string(r.status).c_str(), r.pivots, r.tree_updates, r.moved);
    std::fflush(stdout);
  }
  if (!largest || chain_steps <= 0) return 0;

  // Warm chain on the largest grid.
  TransportSpec spec;
  spec.grid = largest->layout().grid;
  spec.mask = largest->mask();
  TransportSolver warm(spec), cold(spec);
  std::vector<double> a = state(*largest, start);
  double warm_total = 0, cold_total = 0, lemon_total = 0;
  int lemon_done = 0, mismatches = 0, infeasible = 0;
  for (int step = 0; step < chain_steps; ++step) {
    const std::vector<double> b = state(*largest, start + (step + 1) * fine_dt);
    const TransportResult rw = warm.solve(a.data(), b.data(), true);
    const TransportResult rc = cold.solve(a.data(), b.data(), false);
    if (step > 0) warm_total += rw.seconds;  // the first warm solve is a cold one
    if (step > 0) cold_total += rc.seconds;
    mismatches += warm.objective_units() != cold.objective_units();
    infeasible += rw.status == Status::kInfeasible;
    if (step > 0 && lemon_done < lemon_chain) {
      const test::OracleResult o = test::lemon_solve(warm.integer_problem());
      lemon_total += o.seconds;
      ++lemon_done;
      mismatches += o.feasible && o.cost != warm.objective_units();
    }
    std::printf("  step %3d: warm %.3f s (%ld pivots, %ld tree updates), cold %.3f s, status %s\n",
                step, rw.seconds, rw.pivots, rw.tree_updates, rc.seconds,
                to_string(rw.status).c_str());
    std::fflush(stdout);
    a = b;
  }
  const int timed = chain_steps - 1;
  const double warm_mean = warm_total / timed, cold_mean = cold_total / timed;
  const double lemon_mean = lemon_done ? lemon_total / lemon_done : 0.0;
  std::printf(
      "\nchain of %d steps of %.0f s on %dx%d: warm %.3f s/LP, cold %.3f s/LP, LEMON cold "
      "%.3f s/LP (%d steps)\n",
      chain_steps, fine_dt, spec.grid.ny, spec.grid.nx, warm_mean, cold_mean, lemon_mean,
      lemon_done);
  std::printf(
      "warm vs LEMON cold: %.1fx; warm vs our cold: %.1fx; objective mismatches: %d; "
      "infeasible steps: %d\n",
      lemon_mean > 0 ? lemon_mean / warm_mean : 0.0, cold_mean / warm_mean, mismatches, infeasible);
  std::printf("peak RSS of the process: %.1f MB\n", peak_rss_mb());
  return mismatches == 0 ? 0 : 1;
}
