#include "snapflow/io/run_reader.hpp"

#include <cmath>

#include "snapflow/core/error.hpp"

namespace snapflow {

namespace {

double required_number(hid_t file, const std::string& name, const std::string& where) {
  const auto value = read_double_attribute(file, name, where);
  SNAPFLOW_VERIFY(value.has_value(), where << " has no root attribute '" << name
                                           << "': it is not a snapflow run output");
  return *value;
}

}  // namespace

RunReader::RunReader(const std::string& path) : path_(path) {
  silence_hdf5_error_printing();
  const std::string where = "run output " + quoted(path);
  SNAPFLOW_VERIFY(H5Fis_hdf5(path.c_str()) > 0, where << " is not an HDF5 file (or is missing)");
  file_ = Hid(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  SNAPFLOW_VERIFY(file_.valid(), "cannot open " << where << ": " << hdf5_error_detail());
  SNAPFLOW_VERIFY(required_number(file_, "complete", where) == 1.0,
                  where << " is not complete (attribute complete = 0): the run was interrupted; "
                           "finish it with the same command plus -resume");
  grid_.nx = static_cast<int>(required_number(file_, "nx", where));
  grid_.ny = static_cast<int>(required_number(file_, "ny", where));
  grid_.dx = required_number(file_, "dx", where);
  grid_.dy = required_number(file_, "dy", where);
  grid_.x0 = required_number(file_, "x0", where);
  grid_.y0 = required_number(file_, "y0", where);
  crs_ = read_string_attribute(file_, "crs", where).value_or("");
  units_ = read_string_attribute(file_, "units", where).value_or("");
  const std::string time_units = read_string_attribute(file_, "time_units", where).value_or("");
  time_is_epoch_ = time_units.rfind("seconds since 1970-01-01", 0) == 0;
  frame_time_ = doubles("/frames/time");
  SNAPFLOW_VERIFY(frame_time_.size() >= 2, where << ": /frames/time holds no frame");
}

bool RunReader::has(const std::string& dataset) const {
  return path_exists(file_, dataset);
}

std::optional<double> RunReader::number(const std::string& attribute) const {
  return read_double_attribute(file_, attribute, "run output " + quoted(path_));
}

std::string RunReader::text(const std::string& attribute) const {
  return read_string_attribute(file_, attribute, "run output " + quoted(path_)).value_or("");
}

std::map<std::string, double> RunReader::numbers(const std::string& prefix) const {
  std::map<std::string, double> values;
  for (const std::string& name : attribute_names(file_)) {
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    Hid attribute(H5Aopen(file_, name.c_str(), H5P_DEFAULT), H5Aclose);
    Hid type(H5Aget_type(attribute), H5Tclose);
    if (H5Tget_class(type) == H5T_STRING) continue;
    if (const auto value = number(name)) values[name] = *value;
  }
  return values;
}

std::vector<double> RunReader::doubles(const std::string& name) const {
  return read_whole_doubles(file_, name, "run output " + quoted(path_));
}

std::vector<int32_t> RunReader::ints(const std::string& name) const {
  return read_whole_ints(file_, name, "run output " + quoted(path_));
}

std::vector<float> RunReader::frame(const std::string& name, long f) const {
  SNAPFLOW_VERIFY(has(name), "run output " << quoted(path_) << " has no " << name);
  Hid set(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), H5Dclose);
  const DatasetInfo info = dataset_info(set);
  SNAPFLOW_VERIFY(f >= 0 && static_cast<hsize_t>(f) < info.dims.at(0),
                  name << " of " << quoted(path_) << " has no frame " << f);
  std::vector<hsize_t> start(info.dims.size(), 0), count = info.dims;
  start[0] = static_cast<hsize_t>(f);
  count[0] = 1;
  size_t size = 1;
  for (hsize_t c : count) size *= c;
  std::vector<float> values(size);
  Hid file_space = box_selection(info.dims, start, count);
  Hid memory = memory_space(count);
  SNAPFLOW_VERIFY(
      H5Dread(set, H5T_NATIVE_FLOAT, memory, file_space, H5P_DEFAULT, values.data()) >= 0,
      "cannot read frame " << f << " of " << name << " in " << quoted(path_) << ": "
                           << hdf5_error_detail());
  return values;
}

}  // namespace snapflow
