// Parallel writer of the input snapshot schema (DESIGN.md section 2.1).
//
// The file is built under "<path>.partial" and renamed to <path> by commit(), so a reader
// never sees a half-written file under the final name.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "snapflow/core/grid.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/io/hdf5_handle.hpp"
#include "snapflow/parallel/mpi_context.hpp"

namespace snapflow {

struct SnapshotLayout {
  Grid grid;
  std::vector<double> time;
  bool with_truth_velocity = false;
  bool with_mask = false;
  bool with_zones = false;
  bool with_cell_id = false;
  std::string crs, units, time_units;  // written only when not empty
  std::string description;             // root attribute "description" when not empty
  // Further root string attributes (provenance: source format, files, variable).
  std::vector<std::pair<std::string, std::string>> attributes;
};

class SnapshotWriter {
 public:
  // Collective: takes the output's lock, creates the partial file, every dataset and the
  // root attributes.
  SnapshotWriter(MPI_Comm comm, const std::string& path, const SnapshotLayout& layout);
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;
  // Without commit(), the partial file is removed.
  ~SnapshotWriter();

  // Collective round in which each rank writes one whole snapshot (time_index >= 0) or
  // nothing (time_index < 0). `density` is [ny][nx]; `velocity` is [ny][nx][2] and is used
  // only when the layout has a truth velocity.
  void write_snapshot(long time_index, const double* density, const double* velocity);
  // Collective: each rank writes the grid rows `rows` for every time; `density` is
  // [T][rows][nx] and `velocity` (may be null) [T][rows][nx][2].
  void write_rows(Range rows, const std::vector<double>& density,
                  const std::vector<double>* velocity);
  // Collective: each rank writes the mask / zones of its rows, [rows][nx].
  void write_mask(Range rows, const std::vector<uint8_t>& mask);
  void write_zones(Range rows, const std::vector<int32_t>& zones);
  // Collective: each rank writes the source cell ids of its rows, [rows][nx].
  void write_cell_id(Range rows, const std::vector<int64_t>& ids);

  // Collective: the known trips /truth/od [W][Z][Z] with window boundaries /truth/od_time
  // [W + 1] and the zone ids /truth/od_zone_ids [Z] of its rows and columns; rank 0's values
  // are written (the others pass empty vectors with the same sizes given).
  void write_truth_od(long windows, long zones, const std::vector<double>& window_time,
                      const std::vector<double>& od, const std::vector<int32_t>& zone_ids);

  // Collective: a root attribute (same value on every rank).
  void write_attribute(const std::string& name, double value);

  // Collective: closes the file and atomically renames it to its final path.
  void commit();

 private:
  void write_box(const std::string& name, hid_t mem_type, const std::vector<hsize_t>& dims,
                 const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
                 const void* data);

  MPI_Comm comm_;
  std::string path_;
  std::string partial_path_;
  SnapshotLayout layout_;
  std::unique_ptr<OutputLock> lock_;  // rank 0
  Hid file_;
  bool committed_ = false;
};

}  // namespace snapflow
