// `snapflow export` (DESIGN.md section 2.4): a finished run's flows in the formats analysts
// load elsewhere.
//   skmob    flows.csv (origin,destination,flow,datetime: a scikit-mobility FlowDataFrame)
//            and tessellation.geojson (tile_ID + polygon in lon/lat)
//   flowmap  locations.csv (id,name,lat,lon) and flows.csv (origin,dest,count,time) for
//            flowmap.blue
//   geojson  arrows.geojson: per frame, one LineString per block of cells from its centre to
//            where its mass moves during the frame, with mass, moved mass and speed
// Zone flows come from the trip OD (/od/trips) when the run has it, else from the border
// crossings of /od/flow; zones from the run's /od/zones, from a zone vector file
// rasterised onto the grid (GDAL), or square tiles of the grid.
#pragma once

#include <mpi.h>

#include <string>

namespace snapflow {

struct ExportOptions {
  std::string input;        // the run output
  std::string format;       // skmob, flowmap, geojson
  std::string directory;    // where the files go (created if missing)
  std::string zones_file;   // zone polygons (any vector format OGR reads); "" for none
  std::string zone_field;   // the integer attribute of the zone ids; "" for the feature id
  int zone_cells = 0;       // > 0: zones are tiles of zone_cells x zone_cells cells
  std::string crs;          // the CRS of the run's grid when the run does not name one
  int arrow_cells = 0;      // geojson: block side in cells (0: about 60 blocks across)
  double min_share = 0.01;  // flows / arrows below this share of the frame's largest are left out
};

struct ExportReport {
  std::string files;  // the files written, comma-separated
  long rows = 0;      // flows or features written
  double total = 0;   // their total (flows: mass; arrows: mass of the blocks drawn)
};

// Collective (rank 0 does the work). Throws snapflow::Error naming the file or option.
ExportReport run_export(MPI_Comm comm, const ExportOptions& options);

}  // namespace snapflow
