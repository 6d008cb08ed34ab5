#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "snapflow/cli/commands.hpp"
#include "snapflow/cli/options.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/core/utc_time.hpp"
#include "snapflow/geo/crs.hpp"
#include "snapflow/io/density_stats.hpp"
#include "snapflow/io/snapshot_reader.hpp"

namespace snapflow {

namespace {

const OptionGroup kInfoOptions = {"Input", {{"i", "FILE", "the file, when not given as ARG"}}};

OptionGroups info_options(const std::string&) {
  return {&kInfoOptions};
}

struct ZoneSummary {
  long zones = 0, max_id = -1, unzoned_in_mask = 0, domain_cells = 0;
};

// Distinct zone ids over all ranks (memory in proportion to the ids used, not to the largest).
ZoneSummary summarise_zones(MPI_Comm comm, const std::vector<uint8_t>& mask,
                            const std::vector<int32_t>& zones) {
  long local[2] = {0, 0};  // unzoned domain cells, domain cells
  std::vector<int32_t> ids;
  for (size_t k = 0; k < mask.size(); ++k) {
    local[0] += mask[k] && zones[k] < 0;
    local[1] += mask[k];
    if (zones[k] >= 0) ids.push_back(zones[k]);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  const int size = comm_size(comm);
  int count = static_cast<int>(ids.size());
  std::vector<int> counts(size), offsets(size, 0);
  MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm);
  for (int p = 1; p < size; ++p) offsets[p] = offsets[p - 1] + counts[p - 1];
  std::vector<int32_t> all(static_cast<size_t>(offsets.back() + counts.back()));
  MPI_Allgatherv(ids.data(), count, MPI_INT32_T, all.data(), counts.data(), offsets.data(),
                 MPI_INT32_T, comm);
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  ZoneSummary s;
  MPI_Allreduce(local, &s.unzoned_in_mask, 1, MPI_LONG, MPI_SUM, comm);
  MPI_Allreduce(local + 1, &s.domain_cells, 1, MPI_LONG, MPI_SUM, comm);
  s.zones = static_cast<long>(all.size());
  s.max_id = all.empty() ? -1 : all.back();
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

// Epoch seconds (UTC) are shown as dates when the file says so, or when the values could
// only be epoch seconds (1973 .. 2096).
bool looks_like_epoch(const SnapshotMeta& meta) {
  return meta.time_is_epoch || (meta.time.front() >= 1e8 && meta.time.back() <= 4e9);
}

int run_info(const CommandLine& line) {
  const std::string path = line.positional.empty() ? option_string("i", "") : line.positional;
  if (path.empty()) throw UsageError("name the file to summarise (snapflow info FILE)");
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
  std::printf("file            %s (%s)\n", path.c_str(), meta.writer.c_str());
  for (const std::string& note : meta.notes) std::printf("read            %s\n", note.c_str());
  std::printf(
      "grid            nx = %d, ny = %d (%ld cells), dx = %g, dy = %g, origin (%g, %g),"
      " extent %g x %g\n",
      g.nx, g.ny, g.cells(), g.dx, g.dy, g.x0, g.y0, g.width(), g.height());
  std::printf("crs             %s\n",
              meta.crs.empty() ? "(not given)" : describe_crs(meta.crs).c_str());
  std::printf("density         %s, units: %s\n", meta.density_type.c_str(),
              meta.units.empty() ? "(not given)" : meta.units.c_str());
  std::printf("snapshots       %ld, t = %.6f .. %.6f s%s\n", T, meta.time.front(), meta.time.back(),
              meta.time_units.empty() ? "" : (" (" + meta.time_units + ")").c_str());
  if (looks_like_epoch(meta))
    std::printf("dates (UTC)     %s .. %s%s\n", format_utc(meta.time.front()).c_str(),
                format_utc(meta.time.back()).c_str(),
                meta.time_is_epoch ? "" : " (the values look like seconds since 1970)");
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
  if (stats.missing_count)
    std::printf(
        "missing         %ld value(s) (NaN, _FillValue, missing_value), first at %s; %ld "
        "cell(s) have no value at any time (read as empty)\n",
        stats.missing_count, describe_position(g, stats.first_missing).c_str(), stats.empty_cells);
  else
    std::printf("missing         none\n");
  if (stats.infinite_count)
    std::printf(
        "infinite        %ld Inf value(s), first at %s (the pipeline will refuse this file)\n",
        stats.infinite_count, describe_position(g, stats.first_infinite).c_str());
  else
    std::printf("infinite        none\n");
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
  std::printf("cell ids        %s\n", meta.has_cell_id ? "present (/cell_id)" : "none");
  if (meta.has_truth_velocity)
    std::printf("truth velocity  present, max speed %.6g length units/s\n", fastest);
  else
    std::printf("truth velocity  none\n");
  return 0;
}

}  // namespace

const CommandSpec kInfoCommand = {
    "info",
    "info FILE            summarise an input file",
    "snapflow info FILE: summarise an input snapshot file (DESIGN.md section 2.1):\n"
    "how it was written, grid, CRS, snapshot times (as UTC dates for epoch times) and spacing,\n"
    "total mass per snapshot, negative, missing and infinite values, mask, zones.\n",
    info_options,
    "Runs under mpirun: each rank reads only its block of rows.\n",
    run_info};

}  // namespace snapflow
