#include "snapflow/geo/zone_geometry.hpp"

#include <cpl_conv.h>
#include <gdal_alg.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <map>
#include <memory>

#include "snapflow/core/error.hpp"
#include "snapflow/geo/crs.hpp"
#include "snapflow/geo/gdal_session.hpp"

namespace snapflow {

namespace {

struct SrsDeleter {
  void operator()(OGRSpatialReferenceH srs) const { OSRDestroySpatialReference(srs); }
};
using Srs = std::unique_ptr<std::remove_pointer_t<OGRSpatialReferenceH>, SrsDeleter>;
struct GeometryDeleter {
  void operator()(OGRGeometryH g) const { OGR_G_DestroyGeometry(g); }
};
using Geometry = std::unique_ptr<std::remove_pointer_t<OGRGeometryH>, GeometryDeleter>;

Srs srs_of(const std::string& crs) {
  if (crs.empty()) return nullptr;
  Srs srs(OSRNewSpatialReference(nullptr));
  SNAPFLOW_VERIFY(OSRSetFromUserInput(srs.get(), crs.c_str()) == OGRERR_NONE,
                  "GDAL cannot read the CRS " << quoted(crs));
  OSRSetAxisMappingStrategy(srs.get(), OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

// An in-memory north-up raster of the grid (band 1 Int32), row 0 at the northern edge.
GdalDataset grid_raster(const Grid& grid, const std::string& crs, int bands) {
  ensure_gdal();
  GDALDriverH memory = GDALGetDriverByName("MEM");
  SNAPFLOW_VERIFY(memory, "GDAL has no MEM driver");
  GdalDataset raster(GDALCreate(memory, "", grid.nx, grid.ny, bands, GDT_Int32, nullptr));
  SNAPFLOW_VERIFY(raster, "GDAL cannot create a " << grid.ny << " x " << grid.nx
                                                  << " raster: " << last_gdal_message());
  double transform[6] = {grid.x0, grid.dx, 0.0, grid.y0 + grid.ny * grid.dy, 0.0, -grid.dy};
  GDALSetGeoTransform(raster.get(), transform);
  if (Srs srs = srs_of(crs)) GDALSetSpatialRef(raster.get(), srs.get());
  return raster;
}

// Moves the grid's [ny][nx] (south row first) into or out of a north-up band.
void band_rows(GDALRasterBandH band, const Grid& grid, int32_t* values, GDALRWFlag direction) {
  for (int j = 0; j < grid.ny; ++j) {
    int32_t* row = values + static_cast<long>(j) * grid.nx;
    SNAPFLOW_VERIFY(GDALRasterIO(band, direction, 0, grid.ny - 1 - j, grid.nx, 1, row, grid.nx, 1,
                                 GDT_Int32, 0, 0) == CE_None,
                    "GDAL raster I/O failed: " << last_gdal_message());
  }
}

}  // namespace

std::vector<int32_t> rasterize_zones(const std::string& path, const std::string& field,
                                     const Grid& grid, const std::string& grid_crs) {
  const std::string what = "zone file";
  const VectorLayer zone_file = open_first_layer(path, what);
  OGRLayerH layer = zone_file.layer;
  OGRFeatureDefnH definition = OGR_L_GetLayerDefn(layer);
  int field_index = -1;
  if (!field.empty()) {
    field_index = OGR_FD_GetFieldIndex(definition, field.c_str());
    SNAPFLOW_VERIFY(field_index >= 0, what << " " << quoted(path) << " has no attribute "
                                           << quoted(field) << " (-zone_field)");
    const OGRFieldType type = OGR_Fld_GetType(OGR_FD_GetFieldDefn(definition, field_index));
    SNAPFLOW_VERIFY(type == OFTInteger || type == OFTInteger64,
                    what << " " << quoted(path) << ": attribute " << quoted(field)
                         << " is not an integer zone id (-zone_field)");
  }
  Srs grid_srs = srs_of(grid_crs);
  OGRSpatialReferenceH layer_srs = OGR_L_GetSpatialRef(layer);
  OGRCoordinateTransformationH to_grid = nullptr;
  if (layer_srs && grid_srs && !OSRIsSame(layer_srs, grid_srs.get())) {
    Srs source(OSRClone(layer_srs));
    OSRSetAxisMappingStrategy(source.get(), OAMS_TRADITIONAL_GIS_ORDER);
    to_grid = OCTNewCoordinateTransformation(source.get(), grid_srs.get());
    SNAPFLOW_VERIFY(to_grid, what << " " << quoted(path)
                                  << ": GDAL cannot transform its CRS to the run's "
                                  << quoted(describe_crs(grid_crs)));
  }
  std::vector<Geometry> owned;
  std::vector<OGRGeometryH> geometries;
  std::vector<double> burn;
  OGR_L_ResetReading(layer);
  for (OGRFeatureH feature; (feature = OGR_L_GetNextFeature(layer)) != nullptr;) {
    OGRGeometryH geometry = OGR_F_GetGeometryRef(feature);
    const GIntBig id =
        field_index >= 0 ? OGR_F_GetFieldAsInteger64(feature, field_index) : OGR_F_GetFID(feature);
    if (geometry && id >= 0 && id <= INT32_MAX) {
      Geometry copy(OGR_G_Clone(geometry));
      if (to_grid) OGR_G_Transform(copy.get(), to_grid);
      geometries.push_back(copy.get());
      owned.push_back(std::move(copy));
      burn.push_back(static_cast<double>(id));
    }
    OGR_F_Destroy(feature);
  }
  if (to_grid) OCTDestroyCoordinateTransformation(to_grid);
  SNAPFLOW_VERIFY(!geometries.empty(),
                  what << " " << quoted(path) << " holds no polygon with a zone id >= 0");
  GdalDataset raster = grid_raster(grid, grid_crs, 1);
  GDALRasterBandH band = GDALGetRasterBand(raster.get(), 1);
  GDALFillRaster(band, -1.0, 0.0);
  int band_list[1] = {1};
  SNAPFLOW_VERIFY(
      GDALRasterizeGeometries(raster.get(), 1, band_list, static_cast<int>(geometries.size()),
                              geometries.data(), nullptr, nullptr, burn.data(), nullptr, nullptr,
                              nullptr) == CE_None,
      what << " " << quoted(path) << ": GDAL cannot rasterise it (" << last_gdal_message() << ")");
  std::vector<int32_t> zones(static_cast<size_t>(grid.cells()));
  band_rows(band, grid, zones.data(), GF_Read);
  return zones;
}

std::vector<ZoneShape> polygonize_zones(const std::vector<int32_t>& zones, const Grid& grid,
                                        const std::string& grid_crs) {
  SNAPFLOW_VERIFY(
      static_cast<long>(zones.size()) == grid.cells(),
      "polygonize_zones: " << zones.size() << " zone values for " << grid.cells() << " cells");
  GdalDataset raster = grid_raster(grid, grid_crs, 2);
  std::vector<int32_t> values = zones, inside(zones.size());
  for (size_t c = 0; c < zones.size(); ++c) inside[c] = zones[c] >= 0;
  GDALRasterBandH band = GDALGetRasterBand(raster.get(), 1);
  GDALRasterBandH mask = GDALGetRasterBand(raster.get(), 2);
  band_rows(band, grid, values.data(), GF_Write);
  band_rows(mask, grid, inside.data(), GF_Write);

  GDALDriverH memory = GDALGetDriverByName("Memory");
  SNAPFLOW_VERIFY(memory, "GDAL has no Memory vector driver");
  GdalDataset store(GDALCreate(memory, "zones", 0, 0, 0, GDT_Unknown, nullptr));
  Srs srs = srs_of(grid_crs);
  OGRLayerH layer = GDALDatasetCreateLayer(store.get(), "zones", srs.get(), wkbPolygon, nullptr);
  OGRFieldDefnH id_field = OGR_Fld_Create("id", OFTInteger);
  OGR_L_CreateField(layer, id_field, TRUE);
  OGR_Fld_Destroy(id_field);
  SNAPFLOW_VERIFY(GDALPolygonize(band, mask, layer, 0, nullptr, nullptr, nullptr) == CE_None,
                  "GDAL cannot turn the zones into polygons: " << last_gdal_message());

  std::map<int32_t, ZoneShape> shapes;
  std::map<int32_t, Geometry> parts;
  for (int32_t z : zones)
    if (z >= 0) ++shapes[z].cells;
  OGR_L_ResetReading(layer);
  for (OGRFeatureH feature; (feature = OGR_L_GetNextFeature(layer)) != nullptr;) {
    const int32_t id = OGR_F_GetFieldAsInteger(feature, 0);
    Geometry& whole = parts[id];
    if (!whole) whole.reset(OGR_G_CreateGeometry(wkbMultiPolygon));
    OGR_G_AddGeometry(whole.get(), OGR_F_GetGeometryRef(feature));
    OGR_F_Destroy(feature);
  }
  std::unique_ptr<CrsTransform> to_lon_lat;
  if (!grid_crs.empty()) to_lon_lat = std::make_unique<CrsTransform>(grid_crs, "OGC:CRS84");
  std::vector<ZoneShape> result;
  for (auto& [id, shape] : shapes) {
    shape.id = id;
    Geometry& whole = parts.at(id);
    char* wkt = nullptr;
    OGR_G_ExportToWkt(whole.get(), &wkt);
    shape.wkt = wkt ? wkt : "";
    CPLFree(wkt);
    Geometry centre(OGR_G_CreateGeometry(wkbPoint));
    OGR_G_Centroid(whole.get(), centre.get());
    shape.lon = OGR_G_GetX(centre.get(), 0);
    shape.lat = OGR_G_GetY(centre.get(), 0);
    if (to_lon_lat) to_lon_lat->apply(shape.lon, shape.lat);
    result.push_back(shape);
  }
  return result;
}

}  // namespace snapflow
