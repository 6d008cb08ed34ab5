#include "snapflow/geo/geojson_writer.hpp"

#include <cpl_error.h>
#include <ogr_api.h>

#include <ogr_srs_api.h>
#include <cstdio>

#include "snapflow/core/error.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/geo/gdal_session.hpp"

namespace snapflow {

struct GeoJsonWriter::State {
  GdalDataset dataset;
  OGRLayerH layer = nullptr;
  std::string partial;
};

GeoJsonWriter::GeoJsonWriter(const std::string& path, const std::string& source_crs,
                             const std::vector<GeoField>& fields)
    : state_(std::make_unique<State>()), path_(path), fields_(fields) {
  ensure_gdal();
  GDALDriverH driver = GDALGetDriverByName("GeoJSON");
  SNAPFLOW_VERIFY(driver, "GDAL has no GeoJSON driver");
  state_->partial = partial_path(path);
  std::remove(state_->partial.c_str());
  state_->dataset.reset(GDALCreate(driver, state_->partial.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  SNAPFLOW_VERIFY(state_->dataset,
                  "cannot create " << quoted(state_->partial) << ": " << last_gdal_message());
  OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
  const bool known = OSRSetFromUserInput(srs, source_crs.c_str()) == OGRERR_NONE;
  if (known) OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
  // RFC 7946: the driver reprojects to WGS 84 longitude/latitude.
  const char* options[] = {"RFC7946=YES", "WRITE_NAME=NO", nullptr};
  state_->layer = known ? GDALDatasetCreateLayer(state_->dataset.get(), "features", srs, wkbUnknown,
                                                 const_cast<char**>(options))
                        : nullptr;
  OSRDestroySpatialReference(srs);
  SNAPFLOW_VERIFY(known, "GDAL cannot read the CRS " << quoted(source_crs));
  SNAPFLOW_VERIFY(state_->layer, "cannot create the layer of " << quoted(state_->partial) << ": "
                                                               << last_gdal_message());
  for (const GeoField& field : fields) {
    const OGRFieldType type = field.type == GeoField::Type::kInteger ? OFTInteger64
                              : field.type == GeoField::Type::kReal  ? OFTReal
                                                                     : OFTString;
    OGRFieldDefnH definition = OGR_Fld_Create(field.name.c_str(), type);
    const OGRErr status = OGR_L_CreateField(state_->layer, definition, TRUE);
    OGR_Fld_Destroy(definition);
    SNAPFLOW_VERIFY(status == OGRERR_NONE, "cannot add the field " << quoted(field.name) << " to "
                                                                   << quoted(state_->partial));
  }
}

GeoJsonWriter::~GeoJsonWriter() {
  if (state_->dataset) {
    state_->dataset.reset();
    std::remove(state_->partial.c_str());
  }
}

void GeoJsonWriter::add(const std::string& wkt, const std::vector<GeoValue>& values) {
  SNAPFLOW_VERIFY(
      values.size() == fields_.size(),
      "GeoJsonWriter: " << values.size() << " values for " << fields_.size() << " fields");
  OGRGeometryH geometry = nullptr;
  char* text = const_cast<char*>(wkt.c_str());
  SNAPFLOW_VERIFY(OGR_G_CreateFromWkt(&text, nullptr, &geometry) == OGRERR_NONE,
                  "GeoJsonWriter: GDAL cannot read the geometry " << quoted(wkt.substr(0, 60)));
  OGRFeatureH feature = OGR_F_Create(OGR_L_GetLayerDefn(state_->layer));
  OGR_F_SetGeometryDirectly(feature, geometry);
  for (size_t k = 0; k < values.size(); ++k) {
    const int index = static_cast<int>(k);
    if (const long* v = std::get_if<long>(&values[k]))
      OGR_F_SetFieldInteger64(feature, index, *v);
    else if (const double* d = std::get_if<double>(&values[k]))
      OGR_F_SetFieldDouble(feature, index, *d);
    else
      OGR_F_SetFieldString(feature, index, std::get<std::string>(values[k]).c_str());
  }
  const OGRErr status = OGR_L_CreateFeature(state_->layer, feature);
  OGR_F_Destroy(feature);
  SNAPFLOW_VERIFY(status == OGRERR_NONE, "cannot write a feature to " << quoted(state_->partial)
                                                                      << ": "
                                                                      << last_gdal_message());
  ++features_;
}

void GeoJsonWriter::commit() {
  CPLErrorReset();
  state_->dataset.reset();  // GDAL writes the file on closing
  SNAPFLOW_VERIFY(CPLGetLastErrorType() < CE_Failure,
                  "cannot write " << quoted(state_->partial) << ": " << last_gdal_message()
                                  << full_disk_note(state_->partial));
  commit_partial(state_->partial, path_);
}

}  // namespace snapflow
