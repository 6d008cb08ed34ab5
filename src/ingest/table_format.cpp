#include "snapflow/ingest/table_format.hpp"

#include <cpl_time.h>
#include <ogr_api.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <sstream>

#include "snapflow/core/error.hpp"
#include "snapflow/core/utc_time.hpp"
#include "snapflow/geo/crs.hpp"
#include "snapflow/geo/gdal_session.hpp"

namespace snapflow {

TableColumns parse_table_columns(const std::string& spec, const TableColumns& defaults) {
  TableColumns c = defaults;
  std::istringstream parts(spec);
  std::string item;
  while (std::getline(parts, item, ',')) {
    if (item.empty()) continue;
    const auto eq = item.find('=');
    SNAPFLOW_VERIFY(eq != std::string::npos && eq > 0 && eq + 1 < item.size(),
                    "option -columns: " << quoted(item) << " is not KEY=COLUMN");
    const std::string key = item.substr(0, eq), column = item.substr(eq + 1);
    std::string* slot = key == "id"       ? &c.id
                        : key == "x"      ? &c.x
                        : key == "y"      ? &c.y
                        : key == "lon"    ? &c.lon
                        : key == "lat"    ? &c.lat
                        : key == "time"   ? &c.time
                        : key == "value"  ? &c.value
                        : key == "weight" ? &c.weight
                                          : nullptr;
    SNAPFLOW_VERIFY(slot, "option -columns: unknown key " << quoted(key)
                                                          << " (keys: id, x, y, lon, lat, time, "
                                                             "value, weight)");
    *slot = column;
  }
  return c;
}

namespace {

bool parse_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  while (end && (*end == ' ' || *end == '\t')) ++end;
  return errno == 0 && end && *end == '\0' && std::isfinite(value);
}

}  // namespace

double parse_time_text(const std::string& text) {
  double value = 0.0;
  if (parse_number(text, value)) return value;
  OGRField field{};
  if (!OGRParseDate(text.c_str(), &field, 0)) return std::numeric_limits<double>::quiet_NaN();
  std::tm parts{};
  parts.tm_year = field.Date.Year - 1900;
  parts.tm_mon = field.Date.Month - 1;
  parts.tm_mday = field.Date.Day;
  parts.tm_hour = field.Date.Hour;
  parts.tm_min = field.Date.Minute;
  parts.tm_sec = 0;
  double seconds = static_cast<double>(CPLYMDHMSToUnixTime(&parts)) + field.Date.Second;
  // OGR's time zone flag: 100 = UTC, 100 +/- k = k quarter hours east/west; 0, 1: unknown or
  // local time, taken as UTC.
  if (field.Date.TZFlag > 1) seconds -= (field.Date.TZFlag - 100) * 15 * 60.0;
  return seconds;
}

namespace {

// Opens a table through OGR's CSV driver (any extension), all columns as text.
GdalDataset open_table(const std::string& path) {
  const std::string extension = std::filesystem::path(path).extension().string();
  const std::string name = extension == ".csv" || extension == ".CSV" ? path : "CSV:" + path;
  const char* const open_options[] = {"AUTODETECT_TYPE=NO", "EMPTY_STRING_AS_NULL=YES",
                                      "HEADERS=YES", nullptr};
  return open_gdal(name, GDAL_OF_VECTOR, "table", open_options);
}

int column_index(OGRFeatureDefnH definition, const std::string& name, const std::string& path,
                 const std::string& role) {
  if (name.empty()) return -1;
  int index = OGR_FD_GetFieldIndex(definition, name.c_str());
  if (index < 0) {
    std::string names;
    for (int k = 0; k < OGR_FD_GetFieldCount(definition); ++k)
      names +=
          (k ? ", " : "") + std::string(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(definition, k)));
    throw_error("table " + quoted(path) + " has no column " + quoted(name) + " (the " + role +
                " column; -columns) among " + names);
  }
  return index;
}

}  // namespace

std::vector<TableRow> read_table_rows(const std::vector<std::string>& files,
                                      const TableColumns& columns, const std::string& grid_crs,
                                      bool need_value, BadRowLog& log,
                                      std::vector<std::string>& notes) {
  const bool by_id = !columns.id.empty();
  const bool geographic = !columns.lon.empty() || !columns.lat.empty();
  SNAPFLOW_VERIFY(by_id || geographic || (!columns.x.empty() && !columns.y.empty()),
                  "option -columns: name where each row is: id=COLUMN, x=...,y=... or "
                  "lon=...,lat=...");
  SNAPFLOW_VERIFY(!geographic || (!columns.lon.empty() && !columns.lat.empty()),
                  "option -columns: give both lon= and lat=");
  std::vector<TableRow> rows;
  std::vector<size_t> geographic_rows;
  bool zone_note = false;
  for (size_t f = 0; f < files.size(); ++f) {
    GdalDataset dataset = open_table(files[f]);
    OGRLayerH layer = GDALDatasetGetLayer(dataset.get(), 0);
    OGRFeatureDefnH definition = OGR_L_GetLayerDefn(layer);
    const int time = column_index(definition, columns.time, files[f], "time");
    const int value = column_index(definition, need_value ? columns.value : columns.weight,
                                   files[f], need_value ? "value" : "weight");
    const int id = column_index(definition, columns.id, files[f], "id");
    const int x = column_index(definition, geographic ? columns.lon : columns.x, files[f],
                               geographic ? "lon" : "x");
    const int y = column_index(definition, geographic ? columns.lat : columns.y, files[f],
                               geographic ? "lat" : "y");
    SNAPFLOW_VERIFY(time >= 0,
                    "table " << quoted(files[f]) << ": name the time column (-columns time=...)");
    OGR_L_ResetReading(layer);
    for (OGRFeatureH feature; (feature = OGR_L_GetNextFeature(layer)) != nullptr;) {
      // The CSV driver numbers data rows from 1; the header is line 1.
      const long line = static_cast<long>(OGR_F_GetFID(feature)) + 1;
      const auto text = [&](int field) {
        return field >= 0 && OGR_F_IsFieldSetAndNotNull(feature, field)
                   ? std::string(OGR_F_GetFieldAsString(feature, field))
                   : std::string();
      };
      TableRow row;
      row.file = static_cast<int>(f);
      row.line = line;
      const std::string time_text = text(time);
      const double seconds = parse_time_text(time_text);
      std::string problem;
      BadRowKind kind = BadRowKind::kNotNumeric;
      if (!std::isfinite(seconds)) {
        kind = BadRowKind::kTime;
        problem = "time " + quoted(time_text) + " is neither epoch seconds nor ISO 8601";
      } else {
        row.time_ms = std::llround(seconds * 1000.0);
        if (!zone_note && time_text.find('-') != std::string::npos &&
            time_text.find('Z') == std::string::npos && time_text.find('+') == std::string::npos) {
          zone_note = true;
          notes.push_back("times without a time zone are taken as UTC");
        }
      }
      if (problem.empty()) {
        const std::string v = text(value);
        if (value < 0) {
          row.value = 1.0;
        } else if (!parse_number(v, row.value)) {
          problem = (v.empty() ? "empty " : quoted(v) + " in ") + std::string("column ") +
                    quoted(need_value ? columns.value : columns.weight) + " is not a number";
        } else if (row.value < 0.0) {
          kind = BadRowKind::kNegative;
          problem = "negative value " + v;
        }
      }
      if (problem.empty()) {
        if (by_id) {
          double number = 0.0;
          const std::string t = text(id);
          if (!parse_number(t, number) || number != std::floor(number))
            problem = "cell id " + quoted(t) + " is not an integer";
          row.id = static_cast<int64_t>(number);
        } else {
          const std::string tx = text(x), ty = text(y);
          if (!parse_number(tx, row.x) || !parse_number(ty, row.y))
            problem = "position (" + tx + ", " + ty + ") is not two numbers";
        }
      }
      OGR_F_Destroy(feature);
      if (!problem.empty()) {
        log.add(kind, row.file, line, problem);
        continue;
      }
      if (geographic) geographic_rows.push_back(rows.size());
      rows.push_back(row);
    }
  }
  if (!geographic_rows.empty()) {
    std::vector<double> xs, ys;
    for (size_t k : geographic_rows) {
      xs.push_back(rows[k].x);
      ys.push_back(rows[k].y);
    }
    CrsTransform("EPSG:4326", grid_crs).apply(xs, ys);
    for (size_t n = 0; n < geographic_rows.size(); ++n) {
      rows[geographic_rows[n]].x = xs[n];
      rows[geographic_rows[n]].y = ys[n];
    }
  }
  return rows;
}

IngestedSeries read_tables(const std::vector<std::string>& files, const TableColumns& columns,
                           const TableGrid& grid_spec, int64_t interval_ms, BadRowLog& log) {
  std::vector<std::string> notes;
  std::string grid_crs = grid_spec.cells ? grid_spec.cells->crs : grid_spec.crs;
  const bool geographic = !columns.lon.empty();
  if (grid_crs.empty() && geographic) grid_crs = "";  // chosen below from the data
  SNAPFLOW_VERIFY(!grid_crs.empty() || !geographic || !grid_spec.cells,
                  "the grid file has no CRS to place lon/lat rows in");
  std::vector<TableRow> rows;
  if (geographic && grid_crs.empty()) {
    // A cell size without -crs: the UTM zone of the data, found from a first look at them.
    std::vector<TableRow> lonlat = read_table_rows(files, columns, "EPSG:4326", true, log, notes);
    SNAPFLOW_VERIFY(!lonlat.empty(), "no valid row in the table(s)");
    double lon = 0, lat = 0;
    for (const TableRow& r : lonlat) {
      lon += r.x;
      lat += r.y;
    }
    grid_crs = utm_crs(lon / lonlat.size(), lat / lonlat.size());
    notes.push_back("grid placed in " + describe_crs(grid_crs) +
                    ", the UTM zone of the data (-crs to choose another)");
    BadRowLog again;
    rows = read_table_rows(files, columns, grid_crs, true, again, notes);
  } else {
    rows = read_table_rows(files, columns, grid_crs.empty() ? "EPSG:4326" : grid_crs, true, log,
                           notes);
  }
  SNAPFLOW_VERIFY(!rows.empty(), "no valid row in the table(s)" +
                                     (log.total() ? ": " + log.report(files) : std::string()));

  CellGrid grid;
  if (grid_spec.cells) {
    grid = *grid_spec.cells;
  } else {
    SNAPFLOW_VERIFY(columns.id.empty(), "rows placed by cell id need the grid file (-grid)");
    double xmin = rows[0].x, xmax = xmin, ymin = rows[0].y, ymax = ymin;
    for (const TableRow& r : rows) {
      xmin = std::min(xmin, r.x);
      xmax = std::max(xmax, r.x);
      ymin = std::min(ymin, r.y);
      ymax = std::max(ymax, r.y);
    }
    grid = grid_over_extent(xmin, xmax, ymin, ymax, grid_spec.cell_size, grid_crs);
  }
  BinnedSums sums(grid.grid.cells(), interval_ms);
  for (const TableRow& r : rows) {
    const long cell = columns.id.empty() ? grid.cell_of_point(r.x, r.y) : grid.cell_of_id(r.id);
    if (cell < 0) {
      log.add(BadRowKind::kUnknownCell, r.file, r.line,
              columns.id.empty() ? "position (" + std::to_string(r.x) + ", " + std::to_string(r.y) +
                                       ") is outside the grid"
                                 : "cell id " + std::to_string(r.id) + " is not in the grid");
      continue;
    }
    sums.sums_at(r.time_ms)[cell] += r.value;
  }
  IngestedSeries series = series_from_bins(sums, grid, 0);
  series.rows = static_cast<long>(rows.size()) + log.total();
  series.notes.insert(series.notes.begin(), notes.begin(), notes.end());
  return series;
}

}  // namespace snapflow
