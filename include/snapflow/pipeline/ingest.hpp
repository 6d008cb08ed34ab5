// `snapflow ingest`: real formats in (DESIGN.md section 2.3). The formats are read by the
// ingest layer (GDAL/OGR/PROJ, plain C++); this stage splits the work over the ranks where
// the format allows it (Milan activity files: byte ranges of every file over ranks x
// threads), gathers the bad-row log, and writes one input file through parallel HDF5.
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

#include "snapflow/ingest/bad_rows.hpp"
#include "snapflow/ingest/milano_format.hpp"

namespace snapflow {

struct IngestOptions {
  std::string format;  // milano | csv | geotiff | points
  std::vector<std::string> files;
  std::string output;
  BadRowPolicy bad_rows = BadRowPolicy::kRefuse;
  std::string units;  // overrides the format's own
  // Grid: a vector file of cells (-grid, -grid_id), or a cell size in a CRS.
  std::string grid, grid_id, crs;
  double cell_size = 0.0;
  // Times.
  double interval = 0.0;      // seconds per output snapshot; 0: the format's default
  std::vector<double> times;  // -times (geotiff, points): one per raster, band or frame
  double start = 0.0;         // -start: time of the first snapshot (points)
  // milano
  MilanoVariable variable = MilanoVariable::kInternet;
  // csv: "id=COL,time=COL,value=COL" or x=/y= or lon=/lat= instead of id=
  std::string columns;
  // points
  long nx = 0;                  // cells along the wider side
  double margin = 0.1;          // of the points' extent, on every side
  std::string deposit = "cic";  // ngp | cic
};

struct IngestSummary {
  long rows = 0, bad_rows = 0, snapshots = 0;
  double seconds = 0.0;
};

// Collective. Throws snapflow::Error (on every rank) naming the file, row or option at fault.
IngestSummary run_ingest(MPI_Comm comm, const IngestOptions& options);

}  // namespace snapflow
