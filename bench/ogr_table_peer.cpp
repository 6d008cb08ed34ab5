// The peer of the Milan ingest benchmark: the same activity file read through OGR's CSV
// driver (tab separator, no header, every field as text), each row's internet field summed
// per square and slot, as an OGR-based reader would do it. Prints rows, seconds, peak memory.
#include <ogr_api.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "bench_util.hpp"
#include "snapflow/geo/gdal_session.hpp"

int main(int argc, char** argv) {
  const char usage[] =
      "ogr_table_peer -file FILE.txt: read a Milan activity file with OGR's CSV driver and sum\n"
      "its internet field per square and slot; prints rows, seconds and peak memory.\n";
  if (snapflow::bench::print_usage_if_asked(argc, argv, usage)) return 0;
  const std::string file = snapflow::bench::arg(argc, argv, "-file", "");
  if (file.empty()) {
    std::fputs(usage, stderr);
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  const char* const options[] = {"SEPARATOR=TAB", "HEADERS=NO", "AUTODETECT_TYPE=NO", nullptr};
  snapflow::GdalDataset dataset =
      snapflow::open_gdal("CSV:" + file, GDAL_OF_VECTOR, "table", options);
  OGRLayerH layer = GDALDatasetGetLayer(dataset.get(), 0);
  std::map<std::pair<long long, long long>, double> sums;
  long rows = 0;
  for (OGRFeatureH f; (f = OGR_L_GetNextFeature(layer)) != nullptr; ++rows) {
    const long long square = std::atoll(OGR_F_GetFieldAsString(f, 0));
    const long long slot = std::atoll(OGR_F_GetFieldAsString(f, 1));
    double value = 0.0;
    if (OGR_F_GetFieldCount(f) > 7 && OGR_F_IsFieldSetAndNotNull(f, 7))
      value = std::atof(OGR_F_GetFieldAsString(f, 7));
    sums[{slot, square}] += value;
    OGR_F_Destroy(f);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "{\"peer\": \"OGR CSV driver\", \"rows\": %ld, \"cells_x_slots\": %zu, "
      "\"seconds\": %.3f, \"peak_mb\": %.0f}\n",
      rows, sums.size(), seconds, snapflow::bench::peak_rss_mb());
  return 0;
}
