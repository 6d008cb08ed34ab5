#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "snapflow/cli/commands.hpp"
#include "snapflow/cli/options.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/io/density_stats.hpp"
#include "snapflow/io/snapshot_reader.hpp"

namespace snapflow {

const char kInfoHelp[] =
    "snapflow info FILE: summarise an input snapshot file (DESIGN.md section 2.1):\n"
    "grid, snapshot times and spacing, total mass per snapshot, negative and NaN/Inf values,\n"
    "mask and zones. The file may also be given with -i FILE. Runs under mpirun: each rank\n"
    "reads only its block of rows.\n";

namespace {

struct ZoneSummary {
  long zones = 0, max_id = -1, unzoned_in_mask = 0, domain_cells = 0;
};

ZoneSummary summarise_zones(MPI_Comm comm, const std::vector<uint8_t>& mask,
                            const std::vector<int32_t>& zones) {
  long local_max = -1, local_unzoned = 0, local_domain = 0;
  for (size_t k = 0; k < mask.size(); ++k) {
    local_max = std::max<long>(local_max, zones[k]);
    local_domain += mask[k];
    local_unzoned += mask[k] && zones[k] < 0;
  }
  ZoneSummary s;
  MPI_Allreduce(&local_max, &s.max_id, 1, MPI_LONG, MPI_MAX, comm);
  MPI_Allreduce(&local_unzoned, &s.unzoned_in_mask, 1, MPI_LONG, MPI_SUM, comm);
  MPI_Allreduce(&local_domain, &s.domain_cells, 1, MPI_LONG, MPI_SUM, comm);
  std::vector<int> used(static_cast<size_t>(s.max_id + 1), 0), all(used.size(), 0);
  for (int32_t z : zones)
    if (z >= 0) used[static_cast<size_t>(z)] = 1;
  MPI_Allreduce(used.data(), all.data(), static_cast<int>(used.size()), MPI_INT, MPI_MAX, comm);
  for (int u : all) s.zones += u;
  return s;
}

double max_speed(MPI_Comm comm, const std::vector<double>& velocity) {
  double local = 0.0;
  for (size_t k = 0; k + 1 < velocity.size(); k += 2)
    local = std::max(local, std::hypot(velocity[k], velocity[k + 1]));
  double global = 0.0;
  MPI_Allreduce(&local, &global, 1, MPI_DOUBLE, MPI_MAX, comm);
  return global;
}

}  // namespace

int run_info(const CommandLine& line) {
  const std::string path = line.positional.empty() ? option_string("i", "") : line.positional;
  SNAPFLOW_VERIFY(!path.empty(), "info: name the file to summarise (snapflow info FILE)");
  MPI_Comm comm = MPI_COMM_WORLD;
  SnapshotReader reader(comm, path);
  const SnapshotMeta& meta = reader.meta();
  const Grid& g = meta.grid;
  const auto mask = reader.read_mask();
  const auto zones = reader.read_zones();
  const auto density = reader.read_density();
  const DensityStats stats = compute_density_stats(comm, meta, reader.rows(), density, mask);
  const ZoneSummary zone_summary = summarise_zones(comm, mask, zones);
  const double fastest =
      meta.has_truth_velocity ? max_speed(comm, reader.read_truth_velocity()) : 0.0;
  if (comm_rank(comm) != 0) return 0;

  const long T = meta.snapshots();
  double min_step = meta.time[1] - meta.time[0], max_step = min_step, max_jump = 0.0;
  for (long t = 1; t < T; ++t) {
    const double step = meta.time[t] - meta.time[t - 1];
    min_step = std::min(min_step, step);
    max_step = std::max(max_step, step);
    if (stats.mass[t - 1] != 0.0)
      max_jump = std::max(max_jump, std::fabs(stats.mass[t] / stats.mass[t - 1] - 1.0));
  }
  const bool uniform = max_step - min_step <= 1e-6 * max_step;
  std::printf("file            %s\n", path.c_str());
  std::printf(
      "grid            nx = %d, ny = %d (%ld cells), dx = %g, dy = %g, origin (%g, %g),"
      " extent %g x %g\n",
      g.nx, g.ny, g.cells(), g.dx, g.dy, g.x0, g.y0, g.width(), g.height());
  std::printf("density         %s, units: %s\n", meta.density_type.c_str(),
              meta.units.empty() ? "(not given)" : meta.units.c_str());
  if (!meta.crs.empty()) std::printf("crs             %s\n", meta.crs.c_str());
  std::printf("snapshots       %ld, t = %.6g .. %.6g s%s\n", T, meta.time.front(), meta.time.back(),
              meta.time_units.empty() ? "" : (" (" + meta.time_units + ")").c_str());
  if (uniform)
    std::printf("spacing         %.6g s (uniform)\n", min_step);
  else
    std::printf("spacing         %.6g .. %.6g s (NOT uniform: DMD will refuse this file)\n",
                min_step, max_step);
  std::printf("mass            min %.10g, max %.10g, first %.10g, last %.10g\n", stats.min_mass(),
              stats.max_mass(), stats.mass.front(), stats.mass.back());
  std::printf("mass drift      %.3e (last / first - 1), largest step change %.3e\n", stats.drift(),
              max_jump);
  std::printf("negatives       %s\n",
              stats.negative_count ? describe_negatives(stats).c_str() : "none");
  if (stats.nonfinite_count) {
    const long plane = g.cells(), k = stats.first_nonfinite;
    std::printf(
        "non-finite      %ld NaN/Inf value(s), first at [t=%ld, j=%ld, i=%ld]"
        " (the pipeline will refuse this file)\n",
        stats.nonfinite_count, k / plane, (k % plane) / g.nx, k % g.nx);
  } else {
    std::printf("non-finite      none\n");
  }
  if (meta.has_mask)
    std::printf("mask            %ld of %ld cells in the domain; largest |mass| outside: %g\n",
                zone_summary.domain_cells, g.cells(), stats.mass_outside_mask);
  else
    std::printf("mask            none (every cell is in the domain)\n");
  if (meta.has_zones)
    std::printf("zones           %ld zone(s), ids up to %ld; %ld domain cell(s) in no zone\n",
                zone_summary.zones, zone_summary.max_id, zone_summary.unzoned_in_mask);
  else
    std::printf("zones           none\n");
  if (meta.has_truth_velocity)
    std::printf("truth velocity  present, max speed %.6g length units/s\n", fastest);
  else
    std::printf("truth velocity  none\n");
  return 0;
}

}  // namespace snapflow
