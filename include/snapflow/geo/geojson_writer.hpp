// GeoJSON (RFC 7946: longitude/latitude, WGS 84) written by OGR's GeoJSON driver from
// geometries in the grid's CRS, under "<path>.partial" until commit().
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace snapflow {

struct GeoField {
  enum class Type { kInteger, kReal, kText };
  std::string name;
  Type type;
};
using GeoValue = std::variant<long, double, std::string>;

class GeoJsonWriter {
 public:
  // Throws snapflow::Error naming `path` or the CRS GDAL cannot use.
  GeoJsonWriter(const std::string& path, const std::string& source_crs,
                const std::vector<GeoField>& fields);
  ~GeoJsonWriter();
  GeoJsonWriter(const GeoJsonWriter&) = delete;
  GeoJsonWriter& operator=(const GeoJsonWriter&) = delete;

  // One feature: a WKT geometry in the source CRS and one value per field.
  void add(const std::string& wkt, const std::vector<GeoValue>& values);
  long features() const { return features_; }
  // Closes the file and renames it into place.
  void commit();

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::string path_;
  std::vector<GeoField> fields_;
  long features_ = 0;
};

}  // namespace snapflow
