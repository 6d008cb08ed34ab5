#include "snapflow/geo/cell_grid.hpp"

#include <cpl_conv.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "snapflow/core/error.hpp"
#include "snapflow/geo/crs.hpp"
#include "snapflow/geo/gdal_session.hpp"

namespace snapflow {

long CellGrid::cell_of_id(int64_t id) const {
  if (!lookup_.empty()) {
    const int64_t k = id - lookup_base_;
    return k >= 0 && k < static_cast<int64_t>(lookup_.size()) ? lookup_[static_cast<size_t>(k)]
                                                              : -1;
  }
  const auto it = std::lower_bound(sorted_ids_.begin(), sorted_ids_.end(),
                                   std::make_pair(id, std::numeric_limits<long>::min()));
  return it != sorted_ids_.end() && it->first == id ? it->second : -1;
}

long CellGrid::cell_of_point(double x, double y) const {
  const double fi = std::floor((x - grid.x0) / grid.dx), fj = std::floor((y - grid.y0) / grid.dy);
  if (!(fi >= 0 && fi < grid.nx && fj >= 0 && fj < grid.ny)) return -1;
  return grid.index(static_cast<int>(fj), static_cast<int>(fi));
}

std::vector<uint8_t> CellGrid::mask() const {
  std::vector<uint8_t> m(static_cast<size_t>(grid.cells()), 1);
  if (!has_ids()) return m;
  for (size_t c = 0; c < m.size(); ++c) m[c] = cell_id[c] >= 0;
  return m;
}

void CellGrid::index_ids() {
  lookup_.clear();
  sorted_ids_.clear();
  int64_t low = std::numeric_limits<int64_t>::max(), high = std::numeric_limits<int64_t>::min();
  long count = 0;
  for (int64_t id : cell_id)
    if (id >= 0) {
      low = std::min(low, id);
      high = std::max(high, id);
      ++count;
    }
  if (count == 0) return;
  if (high - low < 8 * static_cast<int64_t>(cell_id.size()) + 1024) {
    lookup_base_ = low;
    lookup_.assign(static_cast<size_t>(high - low + 1), -1);
    for (size_t c = 0; c < cell_id.size(); ++c)
      if (cell_id[c] >= 0) lookup_[static_cast<size_t>(cell_id[c] - low)] = static_cast<long>(c);
    return;
  }
  for (size_t c = 0; c < cell_id.size(); ++c)
    if (cell_id[c] >= 0) sorted_ids_.emplace_back(cell_id[c], static_cast<long>(c));
  std::sort(sorted_ids_.begin(), sorted_ids_.end());
}

namespace {

struct Cell {
  int64_t id;
  double xmin, xmax, ymin, ymax;
};

// Appends the vertices of every ring of a (multi)polygon.
void collect_vertices(OGRGeometryH geometry, std::vector<double>& x, std::vector<double>& y) {
  const int parts = OGR_G_GetGeometryCount(geometry);
  if (parts == 0) {
    const int points = OGR_G_GetPointCount(geometry);
    for (int p = 0; p < points; ++p) {
      x.push_back(OGR_G_GetX(geometry, p));
      y.push_back(OGR_G_GetY(geometry, p));
    }
    return;
  }
  for (int k = 0; k < parts; ++k) collect_vertices(OGR_G_GetGeometryRef(geometry, k), x, y);
}

std::string layer_crs_wkt(OGRLayerH layer) {
  OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
  if (!srs) return "";
  char* wkt = nullptr;
  const char* options[] = {"FORMAT=WKT2_2019", nullptr};
  OSRExportToWktEx(srs, &wkt, options);
  std::string text = wkt ? wkt : "";
  CPLFree(wkt);
  return text;
}

double median(std::vector<double> values) {
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

}  // namespace

CellGrid read_vector_grid(const std::string& path, const VectorGridOptions& options) {
  const std::string what = "grid file";
  const VectorLayer grid_file = open_first_layer(path, what);
  OGRLayerH layer = grid_file.layer;
  OGRFeatureDefnH definition = OGR_L_GetLayerDefn(layer);

  int id_field = -1;
  std::string id_name = options.id_field;
  if (!id_name.empty()) {
    id_field = OGR_FD_GetFieldIndex(definition, id_name.c_str());
    SNAPFLOW_VERIFY(id_field >= 0, what << " " << quoted(path) << " has no attribute "
                                        << quoted(id_name) << " (-grid_id)");
  } else {
    for (const char* candidate : {"cellId", "cell_id", "id", "tile_ID", "ID"}) {
      id_field = OGR_FD_GetFieldIndex(definition, candidate);
      if (id_field >= 0) {
        id_name = candidate;
        break;
      }
    }
  }

  CellGrid result;
  const std::string source_crs = layer_crs_wkt(layer);
  SNAPFLOW_VERIFY(
      !source_crs.empty() || !options.crs.empty(),
      what << " " << quoted(path) << " has no CRS; give the CRS its coordinates are in with -crs");
  std::vector<Cell> cells;
  std::vector<double> x, y;
  std::vector<size_t> first_vertex;
  OGR_L_ResetReading(layer);
  for (OGRFeatureH feature; (feature = OGR_L_GetNextFeature(layer)) != nullptr;) {
    OGRGeometryH geometry = OGR_F_GetGeometryRef(feature);
    const int64_t id =
        id_field >= 0 ? OGR_F_GetFieldAsInteger64(feature, id_field) : OGR_F_GetFID(feature);
    const bool usable = geometry && !OGR_G_IsEmpty(geometry);
    const long fid = static_cast<long>(OGR_F_GetFID(feature));
    first_vertex.push_back(x.size());
    if (usable) collect_vertices(geometry, x, y);
    OGR_F_Destroy(feature);
    SNAPFLOW_VERIFY(usable,
                    what << " " << quoted(path) << ": feature " << fid << " has no geometry");
    SNAPFLOW_VERIFY(
        id >= 0, what << " " << quoted(path) << ": feature " << fid << " has a negative id " << id);
    cells.push_back({id, 0, 0, 0, 0});
  }
  SNAPFLOW_VERIFY(!cells.empty(), what << " " << quoted(path) << " holds no cells");
  first_vertex.push_back(x.size());

  // The target CRS: as asked, else the layer's own if projected, else its UTM zone.
  std::string target = options.crs;
  const std::string source = source_crs.empty() ? options.crs : source_crs;
  if (target.empty()) {
    if (is_geographic_crs(source)) {
      double sx = 0, sy = 0;
      for (size_t k = 0; k < x.size(); ++k) {
        sx += x[k];
        sy += y[k];
      }
      // Geographic coordinates as read by OGR follow the CRS's axis order; OGR's GeoJSON
      // reader gives longitude first (traditional GIS order).
      target = utm_crs(sx / x.size(), sy / y.size());
      result.notes.push_back("placed in " + describe_crs(target) +
                             ", the UTM zone of the grid's centre (-crs to choose another)");
    } else {
      target = source;
    }
  }
  if (target != source) {
    CrsTransform transform(source, target);
    transform.apply(x, y);
  }
  for (size_t c = 0; c < cells.size(); ++c) {
    Cell& cell = cells[c];
    cell.xmin = cell.ymin = std::numeric_limits<double>::max();
    cell.xmax = cell.ymax = std::numeric_limits<double>::lowest();
    for (size_t k = first_vertex[c]; k < first_vertex[c + 1]; ++k) {
      SNAPFLOW_VERIFY(std::isfinite(x[k]) && std::isfinite(y[k]),
                      what << " " << quoted(path) << ": cell " << cell.id
                           << " has a vertex that cannot be placed in " << describe_crs(target));
      cell.xmin = std::min(cell.xmin, x[k]);
      cell.xmax = std::max(cell.xmax, x[k]);
      cell.ymin = std::min(cell.ymin, y[k]);
      cell.ymax = std::max(cell.ymax, y[k]);
    }
  }

  std::vector<double> widths, heights;
  double xmin = std::numeric_limits<double>::max(), ymin = xmin;
  for (const Cell& c : cells) {
    widths.push_back(c.xmax - c.xmin);
    heights.push_back(c.ymax - c.ymin);
    xmin = std::min(xmin, c.xmin);
    ymin = std::min(ymin, c.ymin);
  }
  Grid& g = result.grid;
  g.dx = median(widths);
  g.dy = median(heights);
  SNAPFLOW_VERIFY(g.dx > 0 && g.dy > 0,
                  what << " " << quoted(path) << ": the cells have no extent in " << target);
  g.x0 = xmin;
  g.y0 = ymin;
  long nx = 0, ny = 0;
  double worst = 0.0;
  int64_t worst_id = -1;
  std::vector<std::pair<long, long>> position(cells.size());
  for (size_t c = 0; c < cells.size(); ++c) {
    const Cell& cell = cells[c];
    const double fi = (0.5 * (cell.xmin + cell.xmax) - g.x0) / g.dx - 0.5;
    const double fj = (0.5 * (cell.ymin + cell.ymax) - g.y0) / g.dy - 0.5;
    const long i = std::lround(fi), j = std::lround(fj);
    const double off = std::max({std::fabs(fi - i), std::fabs(fj - j),
                                 std::fabs(cell.xmax - cell.xmin - g.dx) / g.dx,
                                 std::fabs(cell.ymax - cell.ymin - g.dy) / g.dy});
    if (off > worst) {
      worst = off;
      worst_id = cell.id;
    }
    position[c] = {j, i};
    nx = std::max(nx, i + 1);
    ny = std::max(ny, j + 1);
  }
  SNAPFLOW_VERIFY(worst <= 0.05, what << " " << quoted(path) << ": the cells are not one regular "
                                      << "grid in " << describe_crs(target) << ": cell " << worst_id
                                      << " is " << 100.0 * worst
                                      << "% of a cell off the lattice of " << g.dx << " x " << g.dy
                                      << " cells (give -crs of the grid's own projection)");
  SNAPFLOW_VERIFY(nx * ny <= 100000000L, what << " " << quoted(path) << ": the grid would have "
                                              << nx << " x " << ny << " cells");
  g.nx = static_cast<int>(nx);
  g.ny = static_cast<int>(ny);
  result.crs = target;
  result.cell_id.assign(static_cast<size_t>(g.cells()), -1);
  for (size_t c = 0; c < cells.size(); ++c) {
    int64_t& slot = result.cell_id[static_cast<size_t>(
        g.index(static_cast<int>(position[c].first), static_cast<int>(position[c].second)))];
    SNAPFLOW_VERIFY(slot < 0, what << " " << quoted(path) << ": cells " << slot << " and "
                                   << cells[c].id << " cover the same square");
    slot = cells[c].id;
  }
  std::vector<int64_t> ids;
  for (const Cell& c : cells) ids.push_back(c.id);
  std::sort(ids.begin(), ids.end());
  const auto repeated = std::adjacent_find(ids.begin(), ids.end());
  SNAPFLOW_VERIFY(repeated == ids.end(),
                  what << " " << quoted(path) << ": id " << *repeated << " names two cells");
  result.index_ids();
  std::ostringstream note;
  note << "grid " << quoted(path) << ": " << cells.size() << " cells (ids from "
       << (id_field >= 0 ? "attribute " + quoted(id_name) : std::string("the feature ids"))
       << ") on " << g.nx << " x " << g.ny << " squares of " << g.dx << " x " << g.dy << " in "
       << describe_crs(target) << "; largest offset from the lattice "
       << static_cast<float>(100.0 * worst) << "%";
  result.notes.push_back(note.str());
  return result;
}

CellGrid grid_over_extent(double xmin, double xmax, double ymin, double ymax, double cell_size,
                          const std::string& crs, bool snap) {
  SNAPFLOW_VERIFY(cell_size > 0 && std::isfinite(cell_size),
                  "option -cell_size: want a positive cell size, got " << cell_size);
  SNAPFLOW_VERIFY(std::isfinite(xmin) && std::isfinite(xmax) && std::isfinite(ymin) &&
                      std::isfinite(ymax) && xmin <= xmax && ymin <= ymax,
                  "the data have no finite extent to lay a grid over");
  CellGrid result;
  Grid& g = result.grid;
  g.dx = g.dy = cell_size;
  g.x0 = snap ? std::floor(xmin / cell_size) * cell_size : xmin;
  g.y0 = snap ? std::floor(ymin / cell_size) * cell_size : ymin;
  // Snapped: a point on the upper edge still needs its cell.
  const auto count = [&](double extent) {
    return snap ? std::floor(extent / cell_size) + 1 : std::max(1.0, std::ceil(extent / cell_size));
  };
  const double nx = count(xmax - g.x0), ny = count(ymax - g.y0);
  SNAPFLOW_VERIFY(nx * ny <= 1e8, "a grid of cells of " << cell_size << " over the data would have "
                                                        << nx << " x " << ny
                                                        << " cells; give a larger -cell_size");
  g.nx = static_cast<int>(nx);
  g.ny = static_cast<int>(ny);
  result.crs = crs;
  result.cell_id.assign(static_cast<size_t>(g.cells()), -1);
  return result;
}

}  // namespace snapflow
