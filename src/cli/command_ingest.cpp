#include <mpi.h>

#include <cmath>
#include <sstream>

#include "snapflow/cli/commands.hpp"
#include "snapflow/cli/options.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/ingest/table_format.hpp"
#include "snapflow/pipeline/ingest.hpp"

namespace snapflow {

namespace {

const OptionGroup kIngestGeneral = {
    "Output and checks",
    {{"format", "milano|csv|geotiff|points", "the format of the files (required)"},
     {"o", "FILE", "the input file to write (DESIGN.md section 2.1)"},
     {"bad_rows", "refuse|skip",
      "rows that cannot be read (wrong field count, not a number, bad time,\n"
      "negative value, unknown cell) stop the ingest with a report naming file\n"
      "and line (default), or are left out and reported"},
     {"units", "TEXT", "the units of the values (default: the format's own)"}}};

const OptionGroup kIngestGrid = {
    "Grid",
    {{"grid", "FILE",
      "a vector file of square cells (any format OGR reads; milano: the\n"
      "Telecom Italia grid GeoJSON), placed on a regular grid in -crs"},
     {"grid_id", "FIELD", "the attribute of the cell ids (default: cellId, cell_id, id, tile_ID)"},
     {"crs", "CRS",
      "the projected CRS of the output grid (milano: EPSG:32632, UTM 32N; a\n"
      "geographic grid file otherwise goes to its UTM zone); for -cell_size,\n"
      "the CRS of x/y columns"},
     {"cell_size", "S",
      "cells of side S (in -crs units) over the data's extent, instead of -grid"}}};

const OptionGroup kIngestTimes = {
    "Times",
    {{"interval", "S",
      "seconds per output snapshot: source slots are averaged into bins of S\n"
      "aligned to the epoch (milano: 600, a multiple of 600; csv: every distinct\n"
      "time by default; points: frame spacing, 1)"},
     {"times", "LIST",
      "comma-separated times, one per raster, band or point frame (epoch\n"
      "seconds or ISO 8601 dates in UTC); geotiff default: from the file names"},
     {"start", "T", "points: time of the first frame (0)"}}};

const OptionGroup kIngestFormats = {
    "Formats",
    {{"variable", "internet|sms_in|sms_out|call_in|call_out|all",
      "milano: the activity summed over country codes (internet)"},
     {"columns", "SPEC",
      "csv and points: named columns, e.g. time=ts,id=square,value=people or\n"
      "time=t,lon=lon,lat=lat,value=n (keys id, x, y, lon, lat, time, value,\n"
      "weight; defaults time, value; points: time, x, y, weight)"},
     {"nx", "N", "points: cells along the wider side of the points' extent"},
     {"margin", "F", "points: fraction of the extent added on every side (0.1)"},
     {"deposit", "cic|ngp", "points: cloud-in-cell (bilinear, default) or nearest cell"}}};

OptionGroups ingest_options(const std::string&) {
  return {&kIngestGeneral, &kIngestGrid, &kIngestTimes, &kIngestFormats};
}

std::vector<double> parse_times(const std::string& list) {
  std::vector<double> times;
  std::istringstream parts(list);
  std::string item;
  while (std::getline(parts, item, ',')) {
    const double t = parse_time_text(item);
    SNAPFLOW_VERIFY(std::isfinite(t), "option -times: " << quoted(item)
                                                        << " is neither epoch seconds nor an "
                                                           "ISO 8601 date and time");
    times.push_back(t);
  }
  return times;
}

int run_ingest_command(const CommandLine& line) {
  IngestOptions o;
  if (!option_string("format"))
    throw UsageError("give the format of the files with -format milano|csv|geotiff|points");
  o.format = option_choice("format", "", {"milano", "csv", "geotiff", "points"});
  const auto output = option_string("o");
  if (!output) throw UsageError("give the output file with -o FILE");
  o.output = *output;
  o.files = line.files;
  if (o.files.empty()) throw UsageError("give the files to ingest after the options");
  o.bad_rows = parse_bad_row_policy(option_string("bad_rows", "refuse"));
  o.units = option_string("units", "");
  o.grid = option_string("grid", "");
  o.grid_id = option_string("grid_id", "");
  o.crs = option_string("crs", "");
  o.cell_size = option_double("cell_size", 0.0, 0.0, 1e12);
  o.interval = option_double("interval", 0.0, 0.0, 1e12);
  if (const auto times = option_string("times")) o.times = parse_times(*times);
  o.start = option_double("start", 0.0, -1e18, 1e18);
  o.variable = parse_milano_variable(option_string("variable", "internet"));
  o.columns = option_string("columns", "");
  o.nx = option_long("nx", 0, 0, 1L << 20);
  o.margin = option_double("margin", 0.1, 0.0, 10.0);
  o.deposit = option_choice("deposit", "cic", {"cic", "ngp"});
  if (o.format == "csv" && o.grid.empty() && o.cell_size <= 0.0)
    throw UsageError("-format csv needs a grid: -grid FILE, or -cell_size S (with -crs)");
  if (o.format == "points" && o.nx <= 0 && o.cell_size <= 0.0)
    throw UsageError("-format points needs the grid's resolution: -nx N or -cell_size S");
  run_ingest(MPI_COMM_WORLD, o);
  return 0;
}

}  // namespace

const CommandSpec kIngestCommand = {
    "ingest",
    "ingest -format F -o OUT FILE...   real formats in (milano, csv, geotiff, points)",
    "snapflow ingest -format F -o OUT [options] FILE...: write an input file (DESIGN.md\n"
    "section 2.1) from the files analysts receive (DESIGN.md section 2.3):\n"
    "  milano   Telecom Italia activity TSV files, with -grid milano-grid.geojson\n"
    "  csv      a long table (time, value, and a cell id, x/y or lon/lat per row)\n"
    "  geotiff  one raster per time, or one band per time of a single raster\n"
    "  points   particles or events (.npz positions[T, N, 2], or CSV time,x,y[,weight])\n",
    ingest_options,
    "Runs under mpirun: Milan files are split over ranks x threads; other formats are read by\n"
    "rank 0. Missing source slots are reported and written as missing values (NaN), which\n"
    "'snapflow run -missing interpolate' fills.\n",
    run_ingest_command,
    true};

}  // namespace snapflow
