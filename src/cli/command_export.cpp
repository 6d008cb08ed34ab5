#include <mpi.h>

#include <cstdio>

#include "snapflow/cli/commands.hpp"
#include "snapflow/cli/options.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/parallel/mpi_context.hpp"
#include "snapflow/pipeline/export.hpp"

namespace snapflow {

namespace {

const OptionGroup kExportGeneral = {
    "Input and output",
    {{"i", "RUN", "a finished run output (snapflow run -o)"},
     {"format", "skmob|flowmap|geojson",
      "skmob: flows.csv + tessellation.geojson (scikit-mobility FlowDataFrame);\n"
      "flowmap: locations.csv + flows.csv (flowmap.blue); geojson: arrows.geojson\n"
      "(velocity arrows per frame)"},
     {"o", "DIR", "the directory the files go to (created if missing)"},
     {"crs", "CRS", "the CRS of the run's x, y when its input named none"}}};

const OptionGroup kExportZones = {
    "Zones (skmob, flowmap)",
    {{"zones", "FILE",
      "zone polygons (any vector format OGR reads), rasterised onto the grid\n"
      "(a cell belongs to the polygon holding its centre); default: the run's\n"
      "/od/zones and its zone flows"},
     {"zone_field", "FIELD", "the integer attribute of the zone ids (default: the feature id)"},
     {"zone_cells", "N", "zones are square tiles of N x N cells"},
     {"min_share", "F",
      "leave out flows (arrows) below F times the window's largest flow (block\n"
      "mass); default 0 for flows, 0.01 for arrows"}}};

const OptionGroup kExportArrows = {
    "Arrows (geojson)",
    {{"arrow_cells", "N", "one arrow per block of N x N cells (default: about 60 blocks across)"}}};

OptionGroups export_options(const std::string&) {
  return {&kExportGeneral, &kExportZones, &kExportArrows};
}

int run_export_command(const CommandLine&) {
  ExportOptions o;
  const auto input = option_string("i");
  if (!input) throw UsageError("give the run output with -i RUN");
  o.input = *input;
  if (!option_string("format"))
    throw UsageError("give the export format with -format skmob|flowmap|geojson");
  o.format = option_choice("format", "", {"skmob", "flowmap", "geojson"});
  const auto directory = option_string("o");
  if (!directory) throw UsageError("give the output directory with -o DIR");
  o.directory = *directory;
  o.crs = option_string("crs", "");
  o.zones_file = option_string("zones", "");
  o.zone_field = option_string("zone_field", "");
  o.zone_cells = static_cast<int>(option_long("zone_cells", 0, 0, 1 << 20));
  if (!o.zones_file.empty() && o.zone_cells > 0)
    throw UsageError("give either -zones FILE or -zone_cells N, not both");
  o.min_share = option_double("min_share", -1.0, 0.0, 1.0);
  o.arrow_cells = static_cast<int>(option_long("arrow_cells", 0, 0, 1 << 20));
  const ExportReport report = run_export(MPI_COMM_WORLD, o);
  if (comm_rank(MPI_COMM_WORLD) == 0)
    std::printf("export: %ld %s, total %.6g, in %s\n", report.rows,
                o.format == "geojson" ? "arrows" : "flows", report.total, report.files.c_str());
  return 0;
}

}  // namespace

const CommandSpec kExportCommand = {
    "export",
    "export -i RUN -format F -o DIR   flows for scikit-mobility, flowmap.blue, GeoJSON",
    "snapflow export -i RUN -format skmob|flowmap|geojson -o DIR: write a finished run's\n"
    "flows in the formats analysts load elsewhere (DESIGN.md section 2.4), in longitude and\n"
    "latitude. Zone flows are the run's trips (/od/trips) when it has them, else the mass\n"
    "crossing zone borders per frame.\n",
    export_options,
    "Runs on rank 0 (the others wait). Each file is written under FILE.partial and renamed\n"
    "into place once complete. A run output that is not complete is refused.\n",
    run_export_command};

}  // namespace snapflow
