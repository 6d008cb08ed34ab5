#include "snapflow/geo/gdal_session.hpp"

#include <cpl_error.h>

#include <filesystem>
#include <mutex>

#include "snapflow/core/error.hpp"

namespace snapflow {

namespace {
thread_local std::string last_message;

void CPL_STDCALL remember_message(CPLErr level, CPLErrorNum, const char* message) {
  if (level >= CE_Warning && message) last_message = message;
}
}  // namespace

void ensure_gdal() {
  static std::once_flag once;
  std::call_once(once, [] {
    GDALAllRegister();
    CPLSetErrorHandler(remember_message);
  });
}

std::string last_gdal_message() {
  return last_message;
}

GdalDataset open_gdal(const std::string& path, unsigned flags, const std::string& what,
                      const char* const* open_options) {
  ensure_gdal();
  last_message.clear();
  GdalDataset dataset(
      GDALOpenEx(path.c_str(), flags | GDAL_OF_READONLY, nullptr, open_options, nullptr));
  SNAPFLOW_VERIFY(dataset, what << " " << quoted(path) << ": GDAL cannot open it"
                                << (last_message.empty() ? "" : " (" + last_message + ")"));
  return dataset;
}

VectorLayer open_first_layer(const std::string& path, const std::string& what) {
  VectorLayer opened;
  opened.dataset = open_gdal(path, GDAL_OF_VECTOR, what);
  SNAPFLOW_VERIFY(GDALDatasetGetLayerCount(opened.dataset.get()) > 0,
                  what << " " << quoted(path) << " holds no vector layer");
  opened.layer = GDALDatasetGetLayer(opened.dataset.get(), 0);
  return opened;
}

}  // namespace snapflow
