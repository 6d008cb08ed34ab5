// GDAL/OGR set up once per process: drivers registered, messages captured instead of
// printed, so that snapflow's own error names the file and what GDAL said about it.
#pragma once

#include <gdal.h>

#include <memory>
#include <string>

namespace snapflow {

// Registers the drivers (once) and routes GDAL's messages to last_gdal_message().
void ensure_gdal();

// The last error or warning GDAL reported on this thread, or "".
std::string last_gdal_message();

struct DatasetCloser {
  void operator()(GDALDatasetH dataset) const { GDALClose(dataset); }
};
using GdalDataset = std::unique_ptr<void, DatasetCloser>;

// Opens `path` read-only with GDALOpenEx (`flags`: GDAL_OF_VECTOR or GDAL_OF_RASTER), with
// driver open options (e.g. "AUTODETECT_TYPE=NO"); throws snapflow::Error naming `what` and
// the file when GDAL cannot.
GdalDataset open_gdal(const std::string& path, unsigned flags, const std::string& what,
                      const char* const* open_options = nullptr);

// The first vector layer of `path`, owned by its open dataset; throws snapflow::Error naming
// `what` and the file when GDAL cannot open it or it holds no vector layer.
struct VectorLayer {
  GdalDataset dataset;
  OGRLayerH layer = nullptr;
};
VectorLayer open_first_layer(const std::string& path, const std::string& what);

}  // namespace snapflow
