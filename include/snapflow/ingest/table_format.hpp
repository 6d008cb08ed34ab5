// Long tables (DESIGN.md section 2.3, `-format csv`): one row per cell and time, read through
// OGR's CSV driver (separator, quoting and header detected by GDAL). Columns are named by
// -columns: a time column (ISO 8601 or epoch seconds), a value column, and the place as a
// cell id (on a grid from a vector file), x/y in the grid's CRS, or lon/lat.
#pragma once

#include <string>
#include <vector>

#include "snapflow/geo/cell_grid.hpp"
#include "snapflow/ingest/bad_rows.hpp"
#include "snapflow/ingest/ingested_series.hpp"

namespace snapflow {

struct TableColumns {
  std::string id, x, y, lon, lat, time, value, weight;
};

// "time=ts,id=cell,value=people" (keys id, x, y, lon, lat, time, value, weight). Unnamed keys
// keep `defaults`.
TableColumns parse_table_columns(const std::string& spec, const TableColumns& defaults);

// Where table rows go: the cells of a vector grid (ids or points inside it), or a grid of
// `cell_size` in `crs` laid over the rows' extent.
struct TableGrid {
  const CellGrid* cells = nullptr;
  double cell_size = 0.0;
  std::string crs;
};

// Epoch seconds of a time given as a number (epoch seconds) or as an ISO 8601 date and time
// (read by OGR; no time zone means UTC); NaN when it is neither.
double parse_time_text(const std::string& text);

// One table row, resolved: epoch milliseconds, a position or an id, the value.
struct TableRow {
  int64_t time_ms = 0;
  double x = 0, y = 0;
  int64_t id = -1;
  double value = 0;
  int file = 0;
  long line = 0;
};

// Reads every row of `files` (bad rows go to `log`), with x/y already in the grid's CRS (lon/
// lat transformed). `need_value`: the value column is required (points make it optional).
std::vector<TableRow> read_table_rows(const std::vector<std::string>& files,
                                      const TableColumns& columns, const std::string& grid_crs,
                                      bool need_value, BadRowLog& log,
                                      std::vector<std::string>& notes);

// The whole csv ingest: rows summed per cell and time bin (interval_ms = 0: every distinct
// time is a snapshot).
IngestedSeries read_tables(const std::vector<std::string>& files, const TableColumns& columns,
                           const TableGrid& grid, int64_t interval_ms, BadRowLog& log);

}  // namespace snapflow
