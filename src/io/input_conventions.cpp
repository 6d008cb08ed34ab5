#include "snapflow/io/input_conventions.hpp"

#include <H5DSpublic.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "snapflow/core/error.hpp"
#include "snapflow/core/utc_time.hpp"
#include "snapflow/io/hdf5_handle.hpp"

namespace snapflow {

namespace {

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

bool is_dataset(hid_t file, const std::string& name) {
  if (!path_exists(file, name)) return false;
  Hid object(H5Oopen(file, name.c_str(), H5P_DEFAULT), H5Oclose);
  return object.valid() && H5Iget_type(object) == H5I_DATASET;
}

long element_count(const std::vector<hsize_t>& dims) {
  long n = 1;
  for (hsize_t d : dims) n *= static_cast<long>(d);
  return n;
}

// Reads every value of a numeric dataset as double (HDF5 converts any integer or float type
// of either byte order).
std::vector<double> read_all_doubles(hid_t dataset, const std::string& what) {
  const DatasetInfo info = dataset_info(dataset);
  std::vector<double> values(static_cast<size_t>(element_count(info.dims)));
  SNAPFLOW_VERIFY(info.type_class == H5T_INTEGER || info.type_class == H5T_FLOAT,
                  what << " has type " << describe_type(info) << ", expected numbers");
  if (!values.empty())
    SNAPFLOW_VERIFY(
        H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0,
        "cannot read " << what << ": " << hdf5_error_detail());
  return values;
}

// All values of a numeric attribute as double; empty when absent.
std::vector<double> numeric_attribute(hid_t object, const char* name, const std::string& what) {
  if (H5Aexists(object, name) <= 0) return {};
  Hid attr(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
  Hid type(H5Aget_type(attr), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type);
  SNAPFLOW_VERIFY(cls == H5T_INTEGER || cls == H5T_FLOAT,
                  what << ": attribute " << quoted(name) << " must be numeric");
  Hid space(H5Aget_space(attr), H5Sclose);
  std::vector<double> values(
      static_cast<size_t>(std::max<hssize_t>(H5Sget_simple_extent_npoints(space), 0)));
  if (!values.empty())
    SNAPFLOW_VERIFY(H5Aread(attr, H5T_NATIVE_DOUBLE, values.data()) >= 0,
                    what << ": cannot read attribute " << quoted(name));
  return values;
}

// UTF-16 code units (MATLAB char arrays) to UTF-8.
std::string utf8_from_utf16(const std::vector<uint16_t>& units) {
  std::string text;
  for (size_t k = 0; k < units.size(); ++k) {
    uint32_t c = units[k];
    if (c >= 0xD800 && c < 0xDC00 && k + 1 < units.size()) {
      c = 0x10000 + ((c - 0xD800) << 10) + (units[++k] - 0xDC00);
    }
    if (c < 0x80) {
      text += static_cast<char>(c);
    } else if (c < 0x800) {
      text += static_cast<char>(0xC0 | (c >> 6));
      text += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      text += static_cast<char>(0xE0 | (c >> 12));
      text += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      text += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      text += static_cast<char>(0xF0 | (c >> 18));
      text += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      text += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      text += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return text;
}

// A dataset holding text: a string dataset (h5py) or a MATLAB char array (uint16 codes).
std::optional<std::string> text_dataset(hid_t file, const std::string& path,
                                        const std::string& what) {
  if (!is_dataset(file, path)) return std::nullopt;
  Hid dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  Hid type(H5Dget_type(dataset), H5Tclose);
  Hid space(H5Dget_space(dataset), H5Sclose);
  if (H5Tget_class(type) == H5T_STRING)
    return read_string_dataset(dataset, what + ": dataset " + path);
  const auto matlab_class = read_string_attribute(dataset, "MATLAB_class", what);
  if (!matlab_class || *matlab_class != "char" || H5Tget_class(type) != H5T_INTEGER)
    return std::nullopt;
  std::vector<uint16_t> units(static_cast<size_t>(H5Sget_simple_extent_npoints(space)));
  if (H5Aexists(dataset, "MATLAB_empty") > 0) return std::string();
  if (!units.empty())
    SNAPFLOW_VERIFY(
        H5Dread(dataset, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, units.data()) >= 0,
        "cannot read " << what << ": dataset " << path);
  return utf8_from_utf16(units);
}

bool is_matlab_file(hid_t file) {
  if (!is_dataset(file, "/density")) return false;
  Hid dataset(H5Dopen2(file, "/density", H5P_DEFAULT), H5Dclose);
  return H5Aexists(dataset, "MATLAB_class") > 0;
}

// Which way a coordinate variable points, from its name or its CF attributes.
enum class Axis { kUnknown, kX, kY };

Axis classify_axis(hid_t file, const std::string& path, const std::string& where) {
  std::string base = lower(path.substr(path.find_last_of('/') + 1));
  if (is_dataset(file, path)) {
    Hid dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
    const std::string axis = lower(read_string_attribute(dataset, "axis", where).value_or(""));
    if (axis == "x") return Axis::kX;
    if (axis == "y") return Axis::kY;
    const std::string standard =
        lower(read_string_attribute(dataset, "standard_name", where).value_or(""));
    if (standard == "projection_x_coordinate" || standard == "longitude" ||
        standard == "grid_longitude")
      return Axis::kX;
    if (standard == "projection_y_coordinate" || standard == "latitude" ||
        standard == "grid_latitude")
      return Axis::kY;
  }
  for (const char* name : {"x", "lon", "long", "longitude", "easting", "xc", "x_coordinate"})
    if (base == name) return Axis::kX;
  for (const char* name : {"y", "lat", "latitude", "northing", "yc", "y_coordinate"})
    if (base == name) return Axis::kY;
  return Axis::kUnknown;
}

herr_t remember_scale(hid_t, unsigned, hid_t scale, void* data) {
  char name[512] = {0};
  H5Iget_name(scale, name, sizeof(name));
  *static_cast<std::string*>(data) = name;
  return 1;  // the first scale is enough
}

// The dimension scale attached to dimension `dim` of /density (netCDF-4 coordinate
// variables), or an empty string.
std::string attached_scale(hid_t density, unsigned dim) {
  if (H5DSget_num_scales(density, dim) <= 0) return "";
  std::string name;
  int index = 0;
  H5DSiterate_scales(density, dim, &index, remember_scale, &name);
  return name;
}

// The first of `candidates` that is a 1-D dataset of `length` values.
std::string conventional_coordinate(hid_t file, const std::vector<std::string>& candidates,
                                    hsize_t length) {
  for (const std::string& name : candidates) {
    if (!is_dataset(file, name)) continue;
    Hid dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
    const DatasetInfo info = dataset_info(dataset);
    if (info.dims.size() == 1 && info.dims[0] == length &&
        (info.type_class == H5T_FLOAT || info.type_class == H5T_INTEGER))
      return name;
  }
  return "";
}

// Cell centres along one axis: spacing, origin edge and direction. Refuses irregular ones.
struct AxisCoordinates {
  double spacing = 0.0;   // > 0
  double low_edge = 0.0;  // the smaller coordinate minus half a cell
  bool descending = false;
};

AxisCoordinates read_axis(hid_t file, const std::string& path, const std::string& where) {
  Hid dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  const std::vector<double> c = read_all_doubles(dataset, where + ": coordinate " + path);
  AxisCoordinates axis;
  if (c.size() < 2) {
    axis.spacing = 0.0;
    return axis;
  }
  const double step = (c.back() - c.front()) / static_cast<double>(c.size() - 1);
  SNAPFLOW_VERIFY(std::isfinite(step) && step != 0.0,
                  where << ": coordinate " << path << " does not advance (first " << c.front()
                        << ", last " << c.back() << ")");
  for (size_t k = 1; k < c.size(); ++k) {
    const double d = c[k] - c[k - 1];
    // float32 coordinates of projected grids carry ~1e-7 relative error of their magnitude.
    const double tolerance =
        1e-3 * std::fabs(step) + 1e-6 * std::max(std::fabs(c[k]), std::fabs(c[k - 1]));
    SNAPFLOW_VERIFY(std::fabs(d - step) <= tolerance,
                    where << ": coordinate " << path << " is not uniformly spaced: entries "
                          << k - 1 << " -> " << k << " differ by " << d << ", the mean step is "
                          << step << " (snapflow needs a regular grid)");
  }
  axis.spacing = std::fabs(step);
  axis.descending = step < 0.0;
  axis.low_edge = std::min(c.front(), c.back()) - 0.5 * axis.spacing;
  return axis;
}

// The CRS from a CF grid mapping variable (crs_wkt or GDAL's spatial_ref attribute).
std::optional<std::string> grid_mapping_crs(hid_t file, hid_t density, const std::string& where) {
  const auto mapping = read_string_attribute(density, "grid_mapping", where);
  std::vector<std::string> candidates;
  if (mapping) candidates.push_back("/" + trim(*mapping));
  candidates.push_back("/crs");
  candidates.push_back("/spatial_ref");
  for (const std::string& name : candidates) {
    if (!is_dataset(file, name)) continue;
    Hid variable(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
    for (const char* attr : {"crs_wkt", "spatial_ref"})
      if (auto wkt = read_string_attribute(variable, attr, where)) return wkt;
  }
  return std::nullopt;
}

// Time values in seconds: the CF units of /time decoded, or plain seconds.
void decode_time(hid_t file, const std::string& time_path, const std::string& where,
                 InputConventions& conventions) {
  Hid dataset(H5Dopen2(file, time_path.c_str(), H5P_DEFAULT), H5Dclose);
  std::vector<double> values = read_all_doubles(dataset, where + ": dataset " + time_path);
  const std::string units = trim(read_string_attribute(dataset, "units", where).value_or(""));
  const std::string calendar =
      lower(trim(read_string_attribute(dataset, "calendar", where).value_or("standard")));
  if (units.empty()) {
    conventions.time = std::move(values);
    return;
  }
  if (const auto cf = parse_cf_time_units(units)) {
    SNAPFLOW_VERIFY(
        calendar == "standard" || calendar == "gregorian" || calendar == "proleptic_gregorian",
        where << ": dataset " << time_path << " uses calendar " << quoted(calendar)
              << "; snapflow reads the standard (Gregorian) calendar only");
    for (double& v : values) v = cf->origin_epoch_seconds + v * cf->seconds_per_unit;
    conventions.time = std::move(values);
    conventions.time_units = "seconds since 1970-01-01T00:00:00Z";
    conventions.time_is_epoch = true;
    conventions.notes.push_back("times decoded from " + time_path + " units " + quoted(units));
    return;
  }
  const std::string u = lower(units);
  double scale = 0.0;
  if (u == "s" || u == "sec" || u == "second" || u == "seconds") scale = 1.0;
  if (u == "min" || u == "minute" || u == "minutes") scale = 60.0;
  if (u == "h" || u == "hour" || u == "hours") scale = 3600.0;
  if (u == "d" || u == "day" || u == "days") scale = 86400.0;
  SNAPFLOW_VERIFY(scale > 0.0, where << ": dataset " << time_path << " has units " << quoted(units)
                                     << ", which is neither a time unit nor CF 'UNIT since DATE'");
  for (double& v : values) v *= scale;
  conventions.time = std::move(values);
}

}  // namespace

std::optional<CfTimeUnits> parse_cf_time_units(const std::string& units) {
  const std::string text = lower(trim(units));
  const auto since = text.find(" since ");
  if (since == std::string::npos) return std::nullopt;
  const std::string unit = trim(text.substr(0, since));
  CfTimeUnits cf;
  if (unit == "seconds" || unit == "second" || unit == "s" || unit == "sec" || unit == "secs")
    cf.seconds_per_unit = 1.0;
  else if (unit == "milliseconds" || unit == "millisecond" || unit == "ms")
    cf.seconds_per_unit = 1e-3;
  else if (unit == "minutes" || unit == "minute" || unit == "min" || unit == "mins")
    cf.seconds_per_unit = 60.0;
  else if (unit == "hours" || unit == "hour" || unit == "h" || unit == "hr" || unit == "hrs")
    cf.seconds_per_unit = 3600.0;
  else if (unit == "days" || unit == "day" || unit == "d")
    cf.seconds_per_unit = 86400.0;
  else
    return std::nullopt;
  std::string date = trim(text.substr(since + 7));
  for (char& c : date)
    if (c == 't') c = ' ';
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, consumed = 0;
  double second = 0.0;
  if (std::sscanf(date.c_str(), "%d-%d-%d%n", &year, &month, &day, &consumed) != 3)
    return std::nullopt;
  std::string rest = date.substr(static_cast<size_t>(consumed));
  int more = 0;
  if (std::sscanf(rest.c_str(), " %d:%d%n", &hour, &minute, &more) == 2) {
    rest = rest.substr(static_cast<size_t>(more));
    if (!rest.empty() && rest[0] == ':') {
      int seconds_length = 0;
      if (std::sscanf(rest.c_str(), ":%lf%n", &second, &seconds_length) != 1) return std::nullopt;
      rest = rest.substr(static_cast<size_t>(seconds_length));
    }
  }
  rest = trim(rest);
  double offset = 0.0;
  if (!rest.empty() && rest != "z" && rest != "utc" && rest != "gmt") {
    int oh = 0, om = 0;
    char sign = '+';
    if (std::sscanf(rest.c_str(), "%c%d:%d", &sign, &oh, &om) < 2 || (sign != '+' && sign != '-'))
      return std::nullopt;
    offset = (sign == '-' ? -1.0 : 1.0) * (oh * 3600.0 + om * 60.0);
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second >= 61)
    return std::nullopt;
  cf.origin_epoch_seconds = epoch_seconds(year, month, day, hour, minute, second) - offset;
  return cf;
}

std::optional<double> read_root_number(hid_t file, const std::string& name,
                                       const std::string& where) {
  if (H5Aexists(file, name.c_str()) > 0) return read_double_attribute(file, name, where);
  const std::string path = "/" + name;
  if (!is_dataset(file, path)) return std::nullopt;
  Hid dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  const DatasetInfo info = dataset_info(dataset);
  SNAPFLOW_VERIFY((info.type_class == H5T_FLOAT || info.type_class == H5T_INTEGER) &&
                      element_count(info.dims) == 1,
                  where << ": dataset " << path << " must be a single number, found "
                        << describe_type(info) << " of shape " << describe_shape(info.dims));
  return read_all_doubles(dataset, where + ": dataset " + path).front();
}

std::optional<std::string> read_root_text(hid_t file, const std::string& name,
                                          const std::string& where) {
  if (H5Aexists(file, name.c_str()) > 0) return read_string_attribute(file, name, where);
  return text_dataset(file, "/" + name, where);
}

InputConventions detect_conventions(hid_t file, const std::vector<hsize_t>& dims,
                                    const std::string& where) {
  InputConventions c;
  const bool matlab = is_matlab_file(file);
  c.writer = matlab ? "MATLAB v7.3" : "HDF5";
  Hid density(H5Dopen2(file, "/density", H5P_DEFAULT), H5Dclose);
  if (H5Aexists(file, "_NCProperties") > 0) c.writer = "netCDF-4";

  // Axis order and coordinates of the two plane dimensions.
  std::string coordinate[3];
  for (unsigned d = 1; d <= 2; ++d) coordinate[d] = attached_scale(density, d);
  Axis axis[3] = {Axis::kUnknown, Axis::kUnknown, Axis::kUnknown};
  for (unsigned d = 1; d <= 2; ++d)
    if (!coordinate[d].empty()) axis[d] = classify_axis(file, coordinate[d], where);
  if (axis[1] == Axis::kX && axis[2] == Axis::kY) {
    c.order.transposed = true;
  } else if (axis[1] == Axis::kUnknown && axis[2] == Axis::kUnknown) {
    // No named dimensions: MATLAB's column-major density(j, i, t) is stored [T, nx, ny].
    c.order.transposed = matlab;
    coordinate[1] = coordinate[2] = "";
  } else {
    SNAPFLOW_VERIFY(axis[1] != Axis::kX && axis[2] != Axis::kY,
                    where << ": the dimensions of /density are attached to coordinates "
                          << coordinate[1] << " and " << coordinate[2]
                          << ", which do not name one y and one x axis");
  }
  const hsize_t ny = c.order.transposed ? dims[2] : dims[1];
  const hsize_t nx = c.order.transposed ? dims[1] : dims[2];
  const unsigned y_dim = c.order.transposed ? 2 : 1, x_dim = c.order.transposed ? 1 : 2;
  std::string x_path = coordinate[x_dim], y_path = coordinate[y_dim];
  if (x_path.empty())
    x_path = conventional_coordinate(file, {"/x", "/lon", "/longitude", "/easting"}, nx);
  if (y_path.empty())
    y_path = conventional_coordinate(file, {"/y", "/lat", "/latitude", "/northing"}, ny);
  if (c.order.transposed) c.notes.push_back("/density stored [T, nx, ny] (transposed on reading)");

  c.grid.nx = static_cast<int>(nx);
  c.grid.ny = static_cast<int>(ny);
  std::optional<AxisCoordinates> x_axis, y_axis;
  if (!x_path.empty()) x_axis = read_axis(file, x_path, where);
  if (!y_path.empty()) y_axis = read_axis(file, y_path, where);
  if (x_axis && x_axis->spacing == 0.0) x_axis.reset();
  if (y_axis && y_axis->spacing == 0.0) y_axis.reset();
  SNAPFLOW_VERIFY(!x_axis || !x_axis->descending,
                  where << ": coordinate " << x_path
                        << " decreases (columns run east to west); store x increasing");
  if (y_axis && y_axis->descending) {
    c.order.rows_descending = true;
    c.notes.push_back("coordinate " + y_path + " decreases: rows flipped to run south to north");
  }

  const auto cell_size = [&](const char* name, const std::optional<AxisCoordinates>& coords,
                             const std::string& coords_path) {
    const auto value = read_root_number(file, name, where);
    if (value) {
      SNAPFLOW_VERIFY(std::isfinite(*value) && *value > 0.0,
                      where << ": root attribute " << quoted(name)
                            << " must be a finite positive cell size, found " << *value);
      SNAPFLOW_VERIFY(!coords || std::fabs(coords->spacing - *value) <= 1e-3 * *value,
                      where << ": root attribute " << quoted(name) << " = " << *value
                            << " disagrees with the spacing " << coords->spacing
                            << " of coordinate " << coords_path);
      return *value;
    }
    SNAPFLOW_VERIFY(coords.has_value(),
                    where << ": root attribute " << quoted(name)
                          << " (cell size) is missing, and /density has no coordinate variable "
                             "for that axis to derive it from");
    return coords->spacing;
  };
  c.grid.dx = cell_size("dx", x_axis, x_path);
  c.grid.dy = cell_size("dy", y_axis, y_path);
  // Sizes far outside any grid give velocities and costs that overflow or vanish.
  for (const auto& [name, size] :
       {std::make_pair("dx", c.grid.dx), std::make_pair("dy", c.grid.dy)})
    SNAPFLOW_VERIFY(size >= 1e-9 && size <= 1e12,
                    where << ": cell size " << name << " = " << size
                          << " is not a plausible cell size (1e-9 .. 1e12 length units)");
  const bool sizes_from_attributes = H5Aexists(file, "dx") > 0 || is_dataset(file, "/dx");
  c.grid_source =
      sizes_from_attributes ? "attributes dx, dy" : "coordinates " + x_path + ", " + y_path;
  const auto origin = [&](const char* name, const std::optional<AxisCoordinates>& coords) {
    const auto value = read_root_number(file, name, where);
    if (value) {
      SNAPFLOW_VERIFY(std::isfinite(*value), where << ": root attribute " << quoted(name)
                                                   << " must be finite, found " << *value);
      return *value;
    }
    return coords ? coords->low_edge : 0.0;
  };
  c.grid.x0 = origin("x0", x_axis);
  c.grid.y0 = origin("y0", y_axis);

  // Times.
  std::string time_path = "/time";
  if (!is_dataset(file, time_path)) {
    const std::string scale = attached_scale(density, 0);
    if (!scale.empty()) time_path = scale;
  }
  SNAPFLOW_VERIFY(path_exists(file, time_path), where << ": dataset /time is missing");
  SNAPFLOW_VERIFY(is_dataset(file, time_path), where << ": " << time_path << " is not a dataset");
  {
    Hid time_set(H5Dopen2(file, time_path.c_str(), H5P_DEFAULT), H5Dclose);
    const DatasetInfo info = dataset_info(time_set);
    SNAPFLOW_VERIFY(info.type_class == H5T_FLOAT || info.type_class == H5T_INTEGER,
                    where << ": dataset " << time_path << " has type " << describe_type(info)
                          << ", expected numbers (seconds)");
    long non_unit = 0;
    for (hsize_t d : info.dims) non_unit += d != 1;
    const bool vector_shape = info.dims.size() == 1 || (info.dims.size() == 2 && non_unit <= 1);
    SNAPFLOW_VERIFY(vector_shape, where << ": dataset " << time_path << " has shape "
                                        << describe_shape(info.dims)
                                        << ", expected [T] with T = " << dims[0]);
    SNAPFLOW_VERIFY(element_count(info.dims) == static_cast<long>(dims[0]),
                    where << ": dataset " << time_path << " has " << element_count(info.dims)
                          << " entries but /density holds " << dims[0] << " snapshots");
  }
  decode_time(file, time_path, where, c);
  if (c.time_units.empty()) c.time_units = read_root_text(file, "time_units", where).value_or("");
  if (!c.time_is_epoch && !c.time_units.empty()) {
    const auto cf = parse_cf_time_units(c.time_units);
    c.time_is_epoch = cf && cf->seconds_per_unit == 1.0 && cf->origin_epoch_seconds == 0.0;
  }

  // Value coding of /density (netCDF / CF).
  const std::string density_where = where + ": dataset /density";
  for (const char* name : {"_FillValue", "missing_value"})
    for (double v : numeric_attribute(density, name, density_where))
      if (!std::isnan(v)) c.density_coding.fill_values.push_back(v);
  if (const auto s = numeric_attribute(density, "scale_factor", density_where); s.size() == 1)
    c.density_coding.scale = s.front();
  if (const auto o = numeric_attribute(density, "add_offset", density_where); o.size() == 1)
    c.density_coding.offset = o.front();
  SNAPFLOW_VERIFY(std::isfinite(c.density_coding.scale) && std::isfinite(c.density_coding.offset),
                  density_where << ": scale_factor and add_offset must be finite");
  if (!c.density_coding.identity())
    c.notes.push_back(
        "/density decoded with its _FillValue / missing_value / scale_factor / "
        "add_offset attributes");

  c.crs = read_root_text(file, "crs", where).value_or("");
  if (c.crs.empty()) c.crs = grid_mapping_crs(file, density, where).value_or("");
  c.units = read_root_text(file, "units", where).value_or("");
  if (c.units.empty()) c.units = read_string_attribute(density, "units", where).value_or("");
  return c;
}

}  // namespace snapflow
