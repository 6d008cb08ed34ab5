// Parallel reader of the input snapshot schema (DESIGN.md section 2.1).
//
// Opening validates every piece of metadata and refuses a bad file with a snapflow::Error
// that names the file and the dataset, attribute or value at fault (identically on every
// rank). Each rank then reads only its own block of grid rows, for all times, with
// collective hyperslab reads: no rank ever holds the whole snapshot cube.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "snapflow/core/grid.hpp"
#include "snapflow/core/mpi_context.hpp"
#include "snapflow/io/hdf5_handle.hpp"

namespace snapflow {

struct SnapshotMeta {
  std::string path;
  Grid grid;
  std::vector<double> time;  // seconds, strictly increasing
  std::string density_type;  // "float32" or "float64"
  bool has_mask = false;
  bool has_zones = false;
  bool has_truth_velocity = false;
  std::string crs, units, time_units;  // empty when absent
  double vmax = 0.0;  // attribute vmax: the largest speed (length/s) of the data; 0 if absent

  long snapshots() const { return static_cast<long>(time.size()); }
};

// The fewest snapshots a file may hold: DMD needs at least two snapshot pairs.
constexpr long kMinSnapshots = 3;

class SnapshotReader {
 public:
  // Collective over `comm`. Throws snapflow::Error on every rank if the file is refused.
  SnapshotReader(MPI_Comm comm, const std::string& path);

  const SnapshotMeta& meta() const { return meta_; }
  const Grid& grid() const { return meta_.grid; }
  // Grid rows [begin, end) owned by this rank (block partition of ny over the ranks).
  Range rows() const { return rows_; }
  long local_cells() const { return rows_.size() * meta_.grid.nx; }

  // Collective. Density of this rank's rows, [T][rows][nx] (time-major: snapshot t is the
  // contiguous column t of the row-distributed snapshot matrix).
  std::vector<double> read_density() const;
  // Collective. Mask of this rank's rows, [rows][nx]; all ones when the file has no /mask.
  std::vector<uint8_t> read_mask() const;
  // Collective. Zones of this rank's rows, [rows][nx]; all -1 when the file has no /zones.
  std::vector<int32_t> read_zones() const;
  // Collective. /truth/velocity of this rank's rows, [T][rows][nx][2]; requires it exists.
  std::vector<double> read_truth_velocity() const;
  // Collective. Whole-grid snapshot t, [ny][nx], read by the ranks that pass `wanted`
  // (others get an empty vector). Throws if t is out of range or holds NaN/Inf.
  std::vector<double> read_whole_snapshot(long t, bool wanted) const;
  // Collective. Whole-grid mask [ny][nx] (all ones without /mask) for the ranks that want it.
  std::vector<uint8_t> read_whole_mask(bool wanted) const;
  // Collective. Whole-grid zones [ny][nx] (all -1 without /zones) for the ranks that want it.
  std::vector<int32_t> read_whole_zones(bool wanted) const;
  // Collective. /truth/velocity of snapshot t [ny][nx][2]; each rank names its own t, or -1
  // for nothing (it then gets an empty vector). Requires the dataset exists.
  std::vector<double> read_whole_truth_velocity(long t) const;

 private:
  // Collective read of the box [start, start + count) of a dataset with shape `dims`.
  template <typename T>
  std::vector<T> read_box(const std::string& dataset, hid_t mem_type,
                          const std::vector<hsize_t>& dims, const std::vector<hsize_t>& start,
                          const std::vector<hsize_t>& count, const std::string& what) const;
  // This rank's rows, with optional leading (time) and trailing (component) dimensions.
  template <typename T>
  std::vector<T> read_row_block(const std::string& dataset, hid_t mem_type, hsize_t leading,
                                hsize_t trailing) const;
  // Collective: refuses mask values other than 0 and 1 (rows from `first_row`).
  void check_mask(const std::vector<uint8_t>& mask, long first_row) const;

  MPI_Comm comm_;
  Hid file_;
  SnapshotMeta meta_;
  Range rows_;
};

// Throws unless consecutive snapshot times are equally spaced to `relative_tolerance`
// (DMD requires uniform spacing).
void require_uniform_spacing(const SnapshotMeta& meta, double relative_tolerance = 1e-6);

}  // namespace snapflow
