// The regular grid an ingested file is placed on, with the source's own cell ids: read from
// a vector file of square cells (the Milan grid GeoJSON, any layer OGR reads) and placed in a
// projected CRS, or laid out from a cell size over an extent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "snapflow/core/grid.hpp"

namespace snapflow {

class CellGrid {
 public:
  Grid grid;
  std::string crs;               // "EPSG:32632", WKT, ...; empty when unknown
  std::vector<int64_t> cell_id;  // [ny][nx]; -1 where the source has no cell (or no ids)
  std::vector<std::string> notes;

  // Index j * nx + i of the cell with source id `id`, or -1.
  long cell_of_id(int64_t id) const;
  // Index of the cell holding point (x, y) of the grid's CRS, or -1 outside the grid.
  long cell_of_point(double x, double y) const;
  bool has_ids() const { return !lookup_.empty() || !sorted_ids_.empty(); }
  // /mask: 1 where a source cell is (every cell when the grid has no ids).
  std::vector<uint8_t> mask() const;

  // Builds the id lookup from cell_id (called once the ids are set).
  void index_ids();

 private:
  int64_t lookup_base_ = 0;
  std::vector<long> lookup_;                          // dense: cell of id lookup_base_ + k
  std::vector<std::pair<int64_t, long>> sorted_ids_;  // sparse ids
};

struct VectorGridOptions {
  std::string id_field;  // the attribute holding the cell id; empty: the first of cellId,
                         // cell_id, id, tile_ID, or the feature id
  std::string crs;       // target CRS; empty: the layer's own if projected, else its UTM zone
};

// Reads the polygons of `path` (first layer), transforms them to the target CRS and places
// them on the regular grid their bounding boxes form. Throws snapflow::Error naming the file
// when the cells are not one regular lattice (more than 5% of a cell off), overlap, or repeat
// an id.
CellGrid read_vector_grid(const std::string& path, const VectorGridOptions& options);

// A grid of square cells of side `cell_size` covering [xmin, xmax] x [ymin, ymax], from
// (xmin, ymin) or, with `snap`, from the multiples of cell_size below them; without ids.
CellGrid grid_over_extent(double xmin, double xmax, double ymin, double ymax, double cell_size,
                          const std::string& crs, bool snap = true);

}  // namespace snapflow
