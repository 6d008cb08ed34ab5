// Rasters (DESIGN.md section 2.3, `-format geotiff`): any raster GDAL reads, one raster per
// time or one band per time of a single raster. North-up rasters are flipped to rows from
// south to north; nodata pixels are missing (NaN).
#pragma once

#include <string>
#include <vector>

#include "snapflow/ingest/ingested_series.hpp"

namespace snapflow {

// `times`: one per raster (or band); empty: read from the file names (a date and time such as
// 2013-11-01T08:15, 20131101_0815 or 20131101T081500 in each name, taken as UTC).
IngestedSeries read_rasters(const std::vector<std::string>& files, std::vector<double> times);

// Epoch seconds of the first date and time found in a file name, or NaN.
double time_from_file_name(const std::string& path);

}  // namespace snapflow
