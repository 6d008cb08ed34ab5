#include <mpi.h>

#include <cstdio>
#include <limits>
#include <memory>

#include "snapflow/cli/commands.hpp"
#include "snapflow/cli/options.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/io/snapshot_reader.hpp"
#include "snapflow/parallel/mpi_context.hpp"
#include "snapflow/synth/advect_case.hpp"
#include "snapflow/synth/burgers_case.hpp"
#include "snapflow/synth/province_case.hpp"
#include "snapflow/synth/vortex_case.hpp"

namespace snapflow {

namespace {

const OptionGroup kSynthOutput = {
    "Output",
    {{"o", "FILE", "the input file to write (DESIGN.md section 2.1)"},
     {"case", "CASE", "the case, when not given as the first argument"}}};

const OptionGroup kAdvectOptions = {
    "CASE advect (constant-velocity advection of a bump, analytic cell integrals)",
    {{"n", "N", "cells per side (40); columns with -ny"},
     {"side", "L", "side of the square (4 length units); extent in x with -side_y"},
     {"ny", "N", "rows (default: -n)"},
     {"side_y", "L", "extent in y (default: -side); cells are side/n x side_y/ny"},
     {"vx", "V", "velocity, x component (1 length/s)"},
     {"vy", "V", "velocity, y component (0.5 length/s)"},
     {"snapshots", "T", "number of snapshots (40)"},
     {"snapshot_dt", "S", "seconds between snapshots (0.05)"},
     {"profile", "smooth|box", "shape of the bump (smooth)"},
     {"bump_x", "X", "initial centre, x (1.2)"},
     {"bump_y", "Y", "initial centre, y (1.2)"},
     {"bump_radius", "R", "half width of the bump (0.6)"},
     {"bump_height", "H", "height of the bump (1)"}}};

const OptionGroup kVortexOptions = {
    "CASE vortex (solid-body rotation of a lumpy density about the domain's centre)",
    {{"n", "N", "cells per side (40); columns with -ny"},
     {"side", "L", "side of the square (4 length units); extent in x with -side_y"},
     {"ny", "N", "rows (default: -n)"},
     {"side_y", "L", "extent in y (default: -side); cells are side/n x side_y/ny"},
     {"omega", "W", "angular velocity (0.5 rad/s)"},
     {"snapshots", "T", "number of snapshots (40)"},
     {"snapshot_dt", "S", "seconds between snapshots (0.1)"},
     {"bumps", "N", "number of lumps (5)"},
     {"seed", "N", "random seed of the lumps (7)"}}};

const OptionGroup kProvinceOptions = {
    "CASE province (commuter day; 389 x 511 cells of 140 m x 130 m, 96 snapshots of 15 min)",
    {{"nx", "N", "columns (511)"},
     {"ny", "N", "rows (389)"},
     {"dx", "M", "cell width (140 m)"},
     {"dy", "M", "cell height (130 m)"},
     {"people", "N", "population (3e6)"},
     {"towns", "N", "towns around the city (120)"},
     {"snapshots", "T", "number of snapshots (96)"},
     {"snapshot_dt", "S", "seconds between snapshots (900)"},
     {"commuter_fraction", "f", "share of the people who commute (0.25)"},
     {"parcel_people", "N", "people per travelling parcel (3)"},
     {"min_speed", "K", "slowest travel (20 km/h)"},
     {"max_speed", "K", "fastest travel (50 km/h)"},
     {"seed", "N", "random seed (2024)"},
     {"population", "sparse|dense",
      "sparse: people in the towns and a thin countryside (default); dense: as\n"
      "measured presence rasters, every cell populated (a correlated background)\n"
      "and per-snapshot estimation noise"},
     {"background", "N", "dense: mean people per cell of the background (8)"},
     {"noise", "f", "dense: relative per-snapshot estimation noise (0.03)"},
     {"od_window", "S", "windows of the known trips /truth/od in seconds (3600)"}}};

const OptionGroup kBurgersOptions = {
    "CASE burgers (2D viscous Burgers, periodic unit square, finite differences)",
    {{"n", "N", "cells per side (48)"},
     {"nu", "V", "viscosity (0.01)"},
     {"snapshots", "T", "number of snapshots (40)"},
     {"snapshot_dt", "S", "seconds between snapshots (0.02)"},
     {"background", "B", "background density (0.2)"},
     {"width", "W", "width of the initial pulse (0.1)"}}};

OptionGroups synth_options(const std::string& name) {
  if (name == "advect") return {&kSynthOutput, &kAdvectOptions};
  if (name == "vortex") return {&kSynthOutput, &kVortexOptions};
  if (name == "province") return {&kSynthOutput, &kProvinceOptions};
  if (name == "burgers") return {&kSynthOutput, &kBurgersOptions};
  return {&kSynthOutput, &kAdvectOptions, &kVortexOptions, &kProvinceOptions, &kBurgersOptions};
}

}  // namespace

namespace {
constexpr double kHuge = std::numeric_limits<double>::max();
constexpr long kMaxLong = std::numeric_limits<long>::max();

std::unique_ptr<SynthCase> make_case(const std::string& name) {
  if (name == "advect") {
    AdvectParams p;
    p.n = static_cast<int>(option_long("n", p.n, 1, 100000));
    p.side = option_double("side", p.side, 1e-12, kHuge);
    p.ny = static_cast<int>(option_long("ny", p.n, 1, 100000));
    p.side_y = option_double("side_y", p.side, 1e-12, kHuge);
    p.vx = option_double("vx", p.vx, -kHuge, kHuge);
    p.vy = option_double("vy", p.vy, -kHuge, kHuge);
    p.snapshots = option_long("snapshots", p.snapshots, kMinDmdSnapshots, 1000000);
    p.snapshot_dt = option_double("snapshot_dt", p.snapshot_dt, 1e-12, kHuge);
    p.profile = option_choice("profile", "smooth", {"smooth", "box"}) == "box"
                    ? BumpProfile::kBox
                    : BumpProfile::kSmooth;
    p.centre_x = option_double("bump_x", p.centre_x, -kHuge, kHuge);
    p.centre_y = option_double("bump_y", p.centre_y, -kHuge, kHuge);
    p.half_width = option_double("bump_radius", p.half_width, 1e-12, kHuge);
    p.height = option_double("bump_height", p.height, 1e-300, kHuge);
    return std::make_unique<AdvectCase>(p);
  }
  if (name == "vortex") {
    VortexParams p;
    p.n = static_cast<int>(option_long("n", p.n, 1, 100000));
    p.side = option_double("side", p.side, 1e-12, kHuge);
    p.ny = static_cast<int>(option_long("ny", p.n, 1, 100000));
    p.side_y = option_double("side_y", p.side, 1e-12, kHuge);
    p.omega = option_double("omega", p.omega, -kHuge, kHuge);
    p.snapshots = option_long("snapshots", p.snapshots, kMinDmdSnapshots, 1000000);
    p.snapshot_dt = option_double("snapshot_dt", p.snapshot_dt, 1e-12, kHuge);
    p.bumps = static_cast<int>(option_long("bumps", p.bumps, 1, 1000));
    p.seed = static_cast<uint64_t>(option_long("seed", static_cast<long>(p.seed), 0, kMaxLong));
    return std::make_unique<VortexCase>(p);
  }
  if (name == "province") {
    ProvinceParams p;
    p.nx = static_cast<int>(option_long("nx", p.nx, 16, 100000));
    p.ny = static_cast<int>(option_long("ny", p.ny, 16, 100000));
    p.dx = option_double("dx", p.dx, 1e-12, kHuge);
    p.dy = option_double("dy", p.dy, 1e-12, kHuge);
    p.people = option_double("people", p.people, 1e-12, kHuge);
    p.towns = static_cast<int>(option_long("towns", p.towns, 1, 100000));
    p.snapshots = option_long("snapshots", p.snapshots, kMinDmdSnapshots, 1000000);
    p.snapshot_dt = option_double("snapshot_dt", p.snapshot_dt, 1e-12, kHuge);
    p.commuter_fraction = option_double("commuter_fraction", p.commuter_fraction, 0, 1);
    p.parcel_people = option_double("parcel_people", p.parcel_people, 1e-12, kHuge);
    p.min_speed_kmh = option_double("min_speed", p.min_speed_kmh, 1e-12, kHuge);
    p.max_speed_kmh = option_double("max_speed", p.max_speed_kmh, 1e-12, kHuge);
    p.seed = static_cast<uint64_t>(option_long("seed", static_cast<long>(p.seed), 0, kMaxLong));
    p.dense = option_choice("population", "sparse", {"sparse", "dense"}) == "dense";
    p.background = option_double("background", p.background, 0.0, kHuge);
    p.noise = option_double("noise", p.noise, 0.0, 0.5);
    p.od_window = option_double("od_window", p.od_window, 1.0, kHuge);
    return std::make_unique<ProvinceCase>(p);
  }
  if (name == "burgers") {
    BurgersParams p;
    p.n = static_cast<int>(option_long("n", p.n, 4, 100000));
    p.nu = option_double("nu", p.nu, 1e-12, kHuge);
    p.snapshots = option_long("snapshots", p.snapshots, kMinDmdSnapshots, 1000000);
    p.snapshot_dt = option_double("snapshot_dt", p.snapshot_dt, 1e-12, kHuge);
    p.background = option_double("background", p.background, 1e-12, kHuge);
    p.width = option_double("width", p.width, 1e-12, kHuge);
    return std::make_unique<BurgersCase>(p);
  }
  throw_error("synth: unknown case " + quoted(name) +
              " (choose advect, vortex, province or burgers)");
}
}  // namespace

namespace {
int run_synth(const CommandLine& line) {
  const std::string name = line.positional.empty() ? option_string("case", "") : line.positional;
  SNAPFLOW_VERIFY(!name.empty(),
                  "synth: name a case (advect, vortex, province or burgers); see -help");
  const auto output = option_string("o");
  SNAPFLOW_VERIFY(output.has_value(), "synth: give the output file with -o FILE");
  collectively(MPI_COMM_WORLD, [&] {
    if (comm_rank(MPI_COMM_WORLD) == 0 && check_output_path(*output, {}))
      std::printf("synth: note: %s exists and will be replaced\n", quoted(*output).c_str());
  });
  const double start = MPI_Wtime();
  const auto synth = make_case(name);
  write_synth_case(MPI_COMM_WORLD, *synth, *output);
  const double seconds = MPI_Wtime() - start;
  if (comm_rank(MPI_COMM_WORLD) == 0) {
    const SnapshotLayout layout = synth->layout();
    std::printf("synth %s: wrote %s (%d x %d cells, %zu snapshots) in %.2f s on %d rank(s)\n",
                name.c_str(), output->c_str(), layout.grid.nx, layout.grid.ny, layout.time.size(),
                seconds, comm_size(MPI_COMM_WORLD));
    if (const auto* province = dynamic_cast<const ProvinceCase*>(synth.get()))
      std::printf("  %ld travelling parcels carrying %.0f commuters, top speed %.1f km/h\n",
                  province->parcels(), province->commuters(), province->top_speed() * 3.6);
  }
  return 0;
}
}  // namespace

const CommandSpec kSynthCommand = {
    "synth",
    "synth CASE -o FILE   write a synthetic input (advect, vortex, province, burgers)",
    "snapflow synth CASE -o FILE [options]: write a synthetic input with /truth/velocity.\n"
    "'snapflow synth CASE -help' lists the options of one case.\n",
    synth_options,
    "Runs under mpirun: snapshots are generated and written in parallel.\n",
    run_synth};

}  // namespace snapflow
