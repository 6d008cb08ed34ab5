// Zones on the grid through GDAL: a vector file of zone polygons rasterised onto the grid (a
// cell belongs to the polygon holding its centre), and the zones of a raster turned back
// into polygons (GDALPolygonize) for tessellations and flow-map locations.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "snapflow/core/grid.hpp"

namespace snapflow {

// The zone id of every cell ([ny][nx], j from south to north; -1 outside every polygon) from
// the first layer of `path` (any vector format OGR reads), taken from the integer attribute
// `field` (empty: the feature id). Polygons in another CRS are transformed to `grid_crs`
// (a file without a CRS is taken to be in it). Throws snapflow::Error naming the file.
std::vector<int32_t> rasterize_zones(const std::string& path, const std::string& field,
                                     const Grid& grid, const std::string& grid_crs);

struct ZoneShape {
  int32_t id = -1;
  std::string wkt;          // (multi)polygon in the grid's CRS, along the cell edges
  double lon = 0, lat = 0;  // centroid in longitude/latitude (WGS 84)
  long cells = 0;
};

// One shape per zone id >= 0 of `zones` ([ny][nx]), in ascending id order.
std::vector<ZoneShape> polygonize_zones(const std::vector<int32_t>& zones, const Grid& grid,
                                        const std::string& grid_crs);

}  // namespace snapflow
