// Thread scaling of the transport farming, kernel only (no MPI, PETSc or HDF5, so it also
// runs on machines where only a C++ compiler with OpenMP is available):
//
//   thread_scaling_bench -workload FILE [-threads 1,2,4,8,16] [-fine_dt 10] [-frame_steps N]
//                        [-chain_steps N] [-first_chain 0] [-chains all]
//                        [-state_floor 0] [-stencil 8]
//
// FILE comes from bench/export_workload.py: the grid, mask, zones and snapshot times of an
// input and its DMD model, so the states are those `snapflow run` solves (8-stencil, euclid
// cost with the default tie-breaking, balance scale, infeasible steps relaxed). The chosen
// chains are solved once per thread count, farmed over the threads by the ChainFarm that
// `snapflow run` uses on each rank (a worker takes the next chain as soon as it is free).
// The peer of every row is the first thread count of the list, measured in the same run;
// every row's step costs are checked bitwise against it.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <complex>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/schedule/chain_farm.hpp"
#include "snapflow/schedule/chain_solver.hpp"
#include "snapflow/schedule/fine_schedule.hpp"
#include "snapflow/schedule/mode_sum.hpp"

using namespace snapflow;
using bench::arg;
using bench::peak_rss_mb;
using bench::print_usage_if_asked;

namespace {

struct Workload {
  Grid grid;
  std::vector<double> time;
  std::vector<uint8_t> mask;
  std::vector<int32_t> zone_index;
  int zones = 0;
  double t0 = 0.0;
  std::vector<std::complex<double>> amplitude, omega;
  std::vector<double> modes;  // [2][r][cells], as sum_dmd_modes takes them
};

template <typename T>
void read_array(std::ifstream& in, const std::string& path, const char* what, T* data, size_t n) {
  in.read(reinterpret_cast<char*>(data), static_cast<std::streamsize>(n * sizeof(T)));
  SNAPFLOW_VERIFY(in.good(), quoted(path) << ": truncated while reading " << what
                                          << " (re-export it with bench/export_workload.py)");
}

Workload read_workload(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  SNAPFLOW_VERIFY(in.is_open(), "cannot open -workload " << quoted(path));
  char magic[16];
  read_array(in, path, "the magic", magic, 16);
  SNAPFLOW_VERIFY(std::memcmp(magic, "snapflow-wl-v1\0\0", 16) == 0,
                  quoted(path) << " is not a workload of bench/export_workload.py");
  int64_t header[5];
  read_array(in, path, "the header", header, 5);
  const int64_t ny = header[0], nx = header[1], snapshots = header[2], rank = header[3];
  SNAPFLOW_VERIFY(ny > 0 && nx > 0 && ny * nx < (1L << 31) && snapshots >= 2 && rank > 0 &&
                      rank < 100000 && header[4] >= 0 && header[4] < (1L << 31),
                  quoted(path) << ": implausible header " << ny << " x " << nx << " cells, "
                               << snapshots << " snapshots, rank " << rank);
  Workload w;
  double spacing[3];
  read_array(in, path, "dx, dy, t0", spacing, 3);
  w.grid.nx = static_cast<int>(nx);
  w.grid.ny = static_cast<int>(ny);
  w.grid.dx = spacing[0];
  w.grid.dy = spacing[1];
  w.t0 = spacing[2];
  w.zones = static_cast<int>(header[4]);
  const size_t cells = static_cast<size_t>(ny * nx), r = static_cast<size_t>(rank);
  w.time.resize(static_cast<size_t>(snapshots));
  read_array(in, path, "the times", w.time.data(), w.time.size());
  w.mask.resize(cells);
  read_array(in, path, "the mask", w.mask.data(), cells);
  w.zone_index.resize(cells);
  read_array(in, path, "the zones", w.zone_index.data(), cells);
  if (w.zones == 0) w.zone_index.clear();
  std::vector<double> pairs(4 * r);
  read_array(in, path, "amplitudes and frequencies", pairs.data(), pairs.size());
  for (size_t j = 0; j < r; ++j) {
    w.amplitude.emplace_back(pairs[2 * j], pairs[2 * j + 1]);
    w.omega.emplace_back(pairs[2 * r + 2 * j], pairs[2 * r + 2 * j + 1]);
  }
  std::vector<float> stored(2 * cells);
  w.modes.resize(2 * r * cells);
  for (size_t j = 0; j < r; ++j) {
    read_array(in, path, "the modes", stored.data(), stored.size());
    for (size_t c = 0; c < cells; ++c) {
      w.modes[j * cells + c] = stored[2 * c];
      w.modes[(r + j) * cells + c] = stored[2 * c + 1];
    }
  }
  return w;
}

std::vector<int> parse_list(const std::string& text) {
  std::vector<int> values;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) {
    const int v = std::atoi(item.c_str());
    SNAPFLOW_VERIFY(v >= 1, "-threads " << quoted(text) << ": every entry must be >= 1");
    values.push_back(v);
  }
  SNAPFLOW_VERIFY(!values.empty(), "-threads is empty");
  return values;
}

struct Run {
  int threads = 0;
  double wall = 0.0, busy = 0.0, longest = 0.0;
  long steps = 0;
  std::vector<double> costs;  // per step, in step order
};

// One rank of `snapflow run`: `threads` workers of a ChainFarm, every chain submitted at
// once (with one rank the dealer would hand them out in the same order).
Run farm(const FineSchedule& schedule, const std::vector<long>& chains, int threads,
         const StateFunction& state, const ChainSettings& settings) {
  std::vector<ChainResult> results;
  const auto start = std::chrono::steady_clock::now();
  ChainFarm workers(schedule, state, settings, threads, {});
  workers.run([&] {
    for (long s : chains) workers.submit(s);
    while (results.size() < chains.size()) {
      workers.wait(1.0);
      for (ChainResult& r : workers.take_finished()) results.push_back(std::move(r));
      SNAPFLOW_VERIFY(workers.failure().empty(), workers.failure());
    }
  });
  Run run;
  run.threads = threads;
  run.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(results.begin(), results.end(),
            [](const ChainResult& a, const ChainResult& b) { return a.chain < b.chain; });
  for (const ChainResult& r : results) {
    run.busy += r.seconds;
    run.longest = std::max(run.longest, r.seconds);
    run.steps += r.steps.size();
    for (const transport::TransportResult& s : r.step_results) run.costs.push_back(s.cost);
  }
  return run;
}

constexpr char kUsage[] =
    "thread_scaling_bench: the transport farming of `snapflow run` on 1..N threads (kernel only)\n"
    "  -workload FILE      grid, mask and DMD model (bench/export_workload.py)\n"
    "  -threads LIST       thread counts; the first is every row's peer (1,2,4,8,16)\n"
    "  -fine_dt DT         fine step (s; 10)\n"
    "  -frame_steps N      steps per frame (default: one snapshot interval)\n"
    "  -chain_steps N      steps per chain before the taper (default: one interval)\n"
    "  -first_chain K    first chain solved (0)\n"
    "  -chains N         chains solved (default all)\n"
    "  -state_floor F      floor of the DMD states, fraction of their maximum (0)\n"
    "  -stencil 4|8|24     stencil (8)\n";

int run_bench(int argc, char** argv) {
  if (print_usage_if_asked(argc, argv, kUsage)) return 0;
  const std::string path = arg(argc, argv, "-workload", "");
  SNAPFLOW_VERIFY(!path.empty(),
                  "thread_scaling_bench: -workload FILE is required "
                  "(made by bench/export_workload.py)");
  const std::vector<int> thread_counts = parse_list(arg(argc, argv, "-threads", "1,2,4,8,16"));
  const double state_floor = std::atof(arg(argc, argv, "-state_floor", "0"));
  const std::string stencil = arg(argc, argv, "-stencil", "8");
  SNAPFLOW_VERIFY(stencil == "4" || stencil == "8",
                  "-stencil " << quoted(stencil) << ": the farming solves 4 or 8");

  const Workload w = read_workload(path);
  FineScheduleOptions options;
  options.fine_dt = std::atof(arg(argc, argv, "-fine_dt", "10"));
  options.frame_steps = std::atol(arg(argc, argv, "-frame_steps", "0"));
  options.chain_steps = std::atol(arg(argc, argv, "-chain_steps", "0"));
  const FineSchedule schedule = FineSchedule::plan(w.time, std::min(w.grid.dx, w.grid.dy), options);
  const long first = std::atol(arg(argc, argv, "-first_chain", "0"));
  const long count = std::atol(arg(argc, argv, "-chains", "0"));
  SNAPFLOW_VERIFY(first >= 0 && first < schedule.chains(), "-first_chain "
                                                               << first << ": the schedule has "
                                                               << schedule.chains() << " chains");
  const long last = count > 0 ? std::min(schedule.chains(), first + count) : schedule.chains();
  std::vector<long> chains;
  for (long s = first; s < last; ++s) chains.push_back(s);

  ChainSettings settings;
  settings.spec.grid = w.grid;
  settings.spec.mask = w.mask;
  settings.spec.stencil =
      stencil == "4" ? transport::StencilKind::kFour : transport::StencilKind::kEight;
  settings.zone_index = w.zone_index;
  settings.zones = w.zones;
  const long cells = w.grid.cells();
  const StateFunction state = [&](double t, double* out) {
    sum_dmd_modes(w.modes.data(), cells, w.amplitude, w.omega, w.t0, t, out);
    floor_dmd_state(out, cells, state_floor);
  };

  std::printf(
      "thread_scaling_bench: %s: %d x %d cells, DMD rank %zu; %ld chains of %ld "
      "frame(s) x %ld steps of %.6g s (chains %ld-%ld); %d processors\n",
      path.c_str(), w.grid.ny, w.grid.nx, w.amplitude.size(), last - first, schedule.chain_frames(),
      schedule.frame_steps(), schedule.dt(), first, last - 1, omp_get_num_procs());
  std::fflush(stdout);
  std::vector<Run> runs;
  for (int threads : thread_counts) {
    runs.push_back(farm(schedule, chains, threads, state, settings));
    const Run& r = runs.back();
    std::printf("  %2d threads: %.1f s wall, %.1f s busy, longest chain %.1f s\n", threads, r.wall,
                r.busy, r.longest);
    std::fflush(stdout);
  }

  const Run& peer = runs.front();
  std::printf("\n%7s %6s %9s %7s %9s %10s %9s %10s %9s\n", "threads", "LPs", "wall_s", "LP/s",
              "speedup", "efficiency", "busy", "s/LP/thr", "same_cost");
  for (const Run& r : runs) {
    const double speedup = peer.wall * peer.threads / r.wall;
    std::printf("%7d %6ld %9.1f %7.2f %8.2fx %9.0f%% %8.0f%% %10.3f %9s\n", r.threads, r.steps,
                r.wall, r.steps / r.wall, speedup, 100.0 * speedup / r.threads,
                100.0 * r.busy / (r.threads * r.wall), r.busy / r.steps,
                r.costs == peer.costs ? "yes" : "NO");
  }
  std::printf(
      "speedup and efficiency against %d thread(s) in this run (the peer); busy = time "
      "inside solve_chain / (threads x wall); s/LP/thr = busy / LPs; peak RSS %.0f "
      "MB\n",
      peer.threads, peak_rss_mb());
  for (const Run& r : runs)
    if (r.costs != peer.costs) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_bench(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "thread_scaling_bench: %s\n", e.what());
    return 2;
  }
}
