#include "snapflow/ingest/raster_format.hpp"

#include <gdal.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <regex>

#include "snapflow/core/error.hpp"
#include "snapflow/core/utc_time.hpp"
#include "snapflow/geo/gdal_session.hpp"

namespace snapflow {

double time_from_file_name(const std::string& path) {
  const std::string name = std::filesystem::path(path).stem().string();
  static const std::regex pattern(
      R"((\d{4})-?(\d{2})-?(\d{2})[T_ -]?(\d{2})[:h-]?(\d{2})(?:[:-]?(\d{2}))?)");
  std::smatch m;
  if (!std::regex_search(name, m, pattern)) return std::numeric_limits<double>::quiet_NaN();
  const int month = std::stoi(m[2]), day = std::stoi(m[3]), hour = std::stoi(m[4]);
  const int minute = std::stoi(m[5]), second = m[6].matched ? std::stoi(m[6]) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::numeric_limits<double>::quiet_NaN();
  return epoch_seconds(std::stol(m[1]), month, day, hour, minute, second);
}

namespace {

struct RasterGeometry {
  int width = 0, height = 0;
  double transform[6] = {0, 1, 0, 0, 0, -1};
  std::string crs;
};

RasterGeometry geometry_of(GDALDatasetH dataset, const std::string& path) {
  RasterGeometry g;
  g.width = GDALGetRasterXSize(dataset);
  g.height = GDALGetRasterYSize(dataset);
  SNAPFLOW_VERIFY(GDALGetGeoTransform(dataset, g.transform) == CE_None,
                  "raster " << quoted(path) << " has no geotransform (cell size and origin)");
  SNAPFLOW_VERIFY(g.transform[2] == 0.0 && g.transform[4] == 0.0,
                  "raster " << quoted(path)
                            << " is rotated (geotransform terms 2 and 4 are not 0); warp it to a "
                               "north-up grid first (gdalwarp)");
  SNAPFLOW_VERIFY(g.transform[1] > 0.0, "raster " << quoted(path)
                                                  << " has a non-positive pixel width "
                                                  << g.transform[1]);
  const char* wkt = GDALGetProjectionRef(dataset);
  g.crs = wkt ? wkt : "";
  if (!g.crs.empty()) {
    // Prefer the short name of a registered CRS ("EPSG:32632") when GDAL can tell.
    OGRSpatialReferenceH srs = OSRNewSpatialReference(g.crs.c_str());
    if (srs && OSRAutoIdentifyEPSG(srs) == OGRERR_NONE) {
      const char* authority = OSRGetAuthorityName(srs, nullptr);
      const char* code = OSRGetAuthorityCode(srs, nullptr);
      if (authority && code) g.crs = std::string(authority) + ":" + code;
    }
    if (srs) OSRDestroySpatialReference(srs);
  }
  return g;
}

bool same_geometry(const RasterGeometry& a, const RasterGeometry& b) {
  if (a.width != b.width || a.height != b.height || a.crs != b.crs) return false;
  for (int k = 0; k < 6; ++k)
    if (std::fabs(a.transform[k] - b.transform[k]) > 1e-9 * (1.0 + std::fabs(a.transform[k])))
      return false;
  return true;
}

// Band `band` of `dataset` as [ny][nx] rows from south to north, nodata as NaN.
void read_band(GDALDatasetH dataset, int band, const RasterGeometry& g, const std::string& path,
               double* plane) {
  GDALRasterBandH handle = GDALGetRasterBand(dataset, band);
  std::vector<double> rows(static_cast<size_t>(g.width) * g.height);
  SNAPFLOW_VERIFY(
      GDALRasterIO(handle, GF_Read, 0, 0, g.width, g.height, rows.data(), g.width, g.height,
                   GDT_Float64, 0, 0) == CE_None,
      "raster " << quoted(path) << ": cannot read band " << band << ": " << last_gdal_message());
  int has_nodata = 0;
  const double nodata = GDALGetRasterNoDataValue(handle, &has_nodata);
  const bool north_up = g.transform[5] < 0.0;
  for (int r = 0; r < g.height; ++r) {
    const int j = north_up ? g.height - 1 - r : r;
    for (int i = 0; i < g.width; ++i) {
      double v = rows[static_cast<size_t>(r) * g.width + i];
      if ((has_nodata && (v == nodata || (std::isnan(nodata) && std::isnan(v)))))
        v = std::numeric_limits<double>::quiet_NaN();
      plane[static_cast<size_t>(j) * g.width + i] = v;
    }
  }
}

}  // namespace

IngestedSeries read_rasters(const std::vector<std::string>& files, std::vector<double> times) {
  IngestedSeries series;
  std::vector<GdalDataset> datasets;
  for (const std::string& f : files) datasets.push_back(open_gdal(f, GDAL_OF_RASTER, "raster"));
  const RasterGeometry geometry = geometry_of(datasets[0].get(), files[0]);
  const int bands = GDALGetRasterCount(datasets[0].get());
  SNAPFLOW_VERIFY(bands > 0, "raster " << quoted(files[0]) << " has no band");
  const bool bands_are_times = files.size() == 1 && bands > 1;
  const size_t snapshots = bands_are_times ? static_cast<size_t>(bands) : files.size();
  for (size_t f = 1; f < files.size(); ++f)
    SNAPFLOW_VERIFY(same_geometry(geometry, geometry_of(datasets[f].get(), files[f])),
                    "raster " << quoted(files[f]) << " is not on the grid of " << quoted(files[0])
                              << " (size, geotransform and CRS must agree)");
  if (times.empty()) {
    SNAPFLOW_VERIFY(!bands_are_times, "raster " << quoted(files[0]) << " holds " << bands
                                                << " bands: give their times with -times");
    for (const std::string& f : files) {
      const double t = time_from_file_name(f);
      SNAPFLOW_VERIFY(std::isfinite(t), "raster "
                                            << quoted(f)
                                            << ": no date and time in its name (such as "
                                               "2013-11-01T0815); give the times with -times");
      times.push_back(t);
    }
    series.notes.push_back("times read from the file names (UTC)");
  }
  SNAPFLOW_VERIFY(times.size() == snapshots, "option -times gives "
                                                 << times.size() << " time(s) for " << snapshots
                                                 << (bands_are_times ? " bands" : " rasters"));
  std::vector<size_t> order(snapshots);
  for (size_t k = 0; k < snapshots; ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return times[a] < times[b]; });
  for (size_t k = 1; k < snapshots; ++k)
    SNAPFLOW_VERIFY(times[order[k]] > times[order[k - 1]],
                    "two rasters have the same time " << format_utc(times[order[k]]));

  Grid& g = series.grid.grid;
  g.nx = geometry.width;
  g.ny = geometry.height;
  g.dx = geometry.transform[1];
  g.dy = std::fabs(geometry.transform[5]);
  g.x0 = geometry.transform[0];
  g.y0 = geometry.transform[5] < 0 ? geometry.transform[3] + geometry.height * geometry.transform[5]
                                   : geometry.transform[3];
  series.grid.crs = geometry.crs;
  series.grid.cell_id.assign(static_cast<size_t>(g.cells()), -1);
  const long cells = g.cells();
  series.density.resize(snapshots * static_cast<size_t>(cells));
  for (size_t k = 0; k < snapshots; ++k) {
    const size_t source = order[k];
    series.time.push_back(times[source]);
    GDALDatasetH dataset = datasets[bands_are_times ? 0 : source].get();
    read_band(dataset, bands_are_times ? static_cast<int>(source) + 1 : 1, geometry,
              files[bands_are_times ? 0 : source], series.density.data() + k * cells);
  }
  const char* unit = GDALGetRasterUnitType(GDALGetRasterBand(datasets[0].get(), 1));
  series.units = unit ? unit : "";
  series.rows = static_cast<long>(snapshots) * cells;
  if (!bands_are_times && bands > 1)
    series.notes.push_back("each raster's first band is read (" + std::to_string(bands) +
                           " bands in " + quoted(files[0]) + ")");
  return series;
}

}  // namespace snapflow
