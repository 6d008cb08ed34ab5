// Parallel reader of the input snapshot schema (DESIGN.md section 2.1).
//
// Opening validates every piece of metadata and refuses a bad file with a snapflow::Error
// that names the file and the dataset, attribute or value at fault (identically on every
// rank). Each rank then reads only its own block of grid rows, for all times, with
// collective hyperslab reads: no rank ever holds the whole snapshot cube.
//
// Files from h5py, netCDF-4 / xarray and MATLAB v7.3 are read through their conventions
// (input_conventions.hpp): every array comes back in the schema's order [T][j][i], j from
// south to north, with missing values (NaN, _FillValue, missing_value) as NaN.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "snapflow/core/grid.hpp"
#include "snapflow/io/hdf5_handle.hpp"
#include "snapflow/parallel/mpi_context.hpp"

namespace snapflow {

struct SnapshotMeta {
  std::string path;
  Grid grid;
  std::vector<double> time;        // seconds, strictly increasing
  std::string density_type;        // e.g. "float32", "int16 (big-endian)"
  std::string writer;              // "HDF5", "netCDF-4", "MATLAB v7.3"
  std::vector<std::string> notes;  // how the file's conventions were read
  bool time_is_epoch = false;      // /time counts seconds since 1970-01-01T00:00:00Z
  bool has_mask = false;
  bool has_zones = false;
  bool has_truth_velocity = false;
  bool has_cell_id = false;
  std::string crs, units, time_units;  // empty when absent
  double vmax = 0.0;  // attribute vmax: the largest speed (length/s) of the data; 0 if absent

  long snapshots() const { return static_cast<long>(time.size()); }
};

// The fewest snapshots a file may hold: one transport problem needs two; DMD needs two
// snapshot pairs (dmd, run: see require_snapshots).
constexpr long kMinSnapshots = 2;
constexpr long kMinDmdSnapshots = 3;

class SnapshotReader {
 public:
  // Collective over `comm`. Throws snapflow::Error on every rank if the file is refused.
  SnapshotReader(MPI_Comm comm, const std::string& path);
  ~SnapshotReader();

  const SnapshotMeta& meta() const { return meta_; }
  // Reads only snapshots FIRST..LAST of the file (inclusive): meta().time and every time
  // index below then count from FIRST. Throws naming `option` when the range is not in the
  // file. Call before any read.
  void select_snapshots(long first, long last, const std::string& option);
  // The file's index of snapshot 0 of the selection.
  long first_snapshot() const { return first_snapshot_; }
  const Grid& grid() const { return meta_.grid; }
  // Grid rows [begin, end) owned by this rank (block partition of ny over the ranks).
  Range rows() const { return rows_; }
  long local_cells() const { return rows_.size() * meta_.grid.nx; }

  // Collective. Density of this rank's rows, [T][rows][nx] (time-major: snapshot t is the
  // contiguous column t of the row-distributed snapshot matrix). Missing values are NaN.
  std::vector<double> read_density() const;
  // Collective. Mask of this rank's rows, [rows][nx]; all ones when the file has no /mask.
  std::vector<uint8_t> read_mask() const;
  // Collective. Zones of this rank's rows, [rows][nx]; all -1 when the file has no /zones.
  std::vector<int32_t> read_zones() const;
  // Collective. /truth/velocity of this rank's rows, [T][rows][nx][2]; requires it exists.
  std::vector<double> read_truth_velocity() const;
  // Collective. Throws (on every rank) naming the first NaN or Inf of /truth/velocity, read
  // in slabs of a few snapshots; nothing without the dataset.
  void check_truth_velocity() const;
  // Collective. Whole-grid snapshot t, [ny][nx], read by the ranks that pass `wanted`
  // (others get an empty vector). Throws if t is out of range or holds Inf; missing values
  // are refused, or read as 0 with `missing_as_zero`.
  std::vector<double> read_whole_snapshot(long t, bool wanted, bool missing_as_zero = false) const;
  // Collective. Whole-grid mask [ny][nx] (all ones without /mask) for the ranks that want it.
  std::vector<uint8_t> read_whole_mask(bool wanted) const;
  // Collective. Whole-grid zones [ny][nx] (all -1 without /zones) for the ranks that want it.
  std::vector<int32_t> read_whole_zones(bool wanted) const;
  // Collective. /truth/velocity of snapshot t [ny][nx][2]; each rank names its own t, or -1
  // for nothing (it then gets an empty vector). Requires the dataset exists.
  std::vector<double> read_whole_truth_velocity(long t) const;
  // Collective. Whole-grid /cell_id [ny][nx] (all -1 without it) for the ranks that want it.
  std::vector<int64_t> read_whole_cell_id(bool wanted) const;

 private:
  struct Layout;
  // Collective read of the schema rows `rows` (south to north) of the selected snapshots
  // [first, first + count) of `dataset` (`snapshot_planes` false: a single 2-D plane), with
  // `trailing` values per cell, in the schema's order [plane][row][i][trailing] whatever the
  // file's own order.
  template <typename T>
  std::vector<T> read_planes(const std::string& dataset, hid_t mem_type, bool snapshot_planes,
                             hsize_t first, hsize_t count, Range rows, hsize_t trailing,
                             const std::string& what) const;
  // Density planes [first, first + count) of `rows`, decoded (fill values -> NaN, scale,
  // offset), in slabs of a few snapshots.
  std::vector<double> read_density_planes(long first, long count, Range rows) const;
  // Integer plane datasets read as int64 (so no value is clamped by a conversion).
  std::vector<int64_t> read_integer_plane(const std::string& dataset, Range rows,
                                          const std::string& what) const;
  // Collective: refuses mask values other than 0 and 1 and zone ids outside [-1, 2^31).
  std::vector<uint8_t> checked_mask(const std::vector<int64_t>& mask, long first_row) const;
  std::vector<int32_t> checked_zones(const std::vector<int64_t>& zones, long first_row) const;
  Range whole_rows(bool wanted) const;

  MPI_Comm comm_;
  Hid file_;
  SnapshotMeta meta_;
  Range rows_;
  hsize_t stored_snapshots_ = 0;  // in the file
  long first_snapshot_ = 0;       // the file's index of the selection's first
  std::unique_ptr<Layout> layout_;
};

// Throws unless the file holds at least `count` snapshots (`purpose` says why, e.g. "DMD").
void require_snapshots(const SnapshotMeta& meta, long count, const std::string& purpose);

// Throws unless consecutive snapshot times are equally spaced to `relative_tolerance`
// (DMD requires uniform spacing).
void require_uniform_spacing(const SnapshotMeta& meta, double relative_tolerance = 1e-6);

}  // namespace snapflow
