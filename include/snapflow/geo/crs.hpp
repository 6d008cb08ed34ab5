// Coordinate reference systems through PROJ: naming a CRS for messages, choosing a UTM zone,
// and transforming coordinates between two CRSs (always x = easting/longitude first).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace snapflow {

// "WGS 84 / UTM zone 32N (EPSG:32632)" for any CRS text PROJ reads (EPSG code, WKT, PROJ
// string, URN); the text itself, shortened, when PROJ cannot read it.
std::string describe_crs(const std::string& crs);

// True for a geographic (longitude/latitude) CRS. Throws snapflow::Error naming `crs` when
// PROJ cannot read it.
bool is_geographic_crs(const std::string& crs);

// What an output needs to describe coordinates in `crs` (CF grid mapping, units).
struct CrsFacts {
  std::string wkt;          // WKT2 (2019) as PROJ writes it
  bool geographic = false;  // longitude/latitude axes
  std::string axis_unit;    // unit of the first axis: "metre", "degree", "US survey foot", ...
};
// Throws snapflow::Error naming `crs` when PROJ cannot read it.
CrsFacts crs_facts(const std::string& crs);

// "EPSG:326zz" / "EPSG:327zz": the UTM zone of a longitude and latitude (WGS 84).
std::string utm_crs(double longitude, double latitude);

class CrsTransform {
 public:
  // Throws snapflow::Error naming the CRS PROJ cannot read or the pair it cannot relate.
  CrsTransform(const std::string& from, const std::string& to);
  ~CrsTransform();
  CrsTransform(const CrsTransform&) = delete;
  CrsTransform& operator=(const CrsTransform&) = delete;

  // In place; a point PROJ cannot transform becomes Inf.
  void apply(std::vector<double>& x, std::vector<double>& y) const;
  void apply(double& x, double& y) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace snapflow
