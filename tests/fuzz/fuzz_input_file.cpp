// libFuzzer target: input files as odd writers could make them. The fuzz bytes choose the
// shapes, types, byte orders and values of /density, /time, the cell size (attributes,
// MATLAB-style datasets or coordinates), CF coding attributes, masks, zones and a truth
// velocity; the file is written with HDF5 and read the way the pipeline reads it. Every
// outcome must be a result or a snapflow::Error: no crash, no undefined behaviour, no read
// beyond a buffer. (HDF5's own parser is not fuzzed: the files are always well-formed HDF5.)
#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>
#include <mpi.h>
#include <unistd.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "snapflow/core/error.hpp"
#include "snapflow/io/density_stats.hpp"
#include "snapflow/io/snapshot_reader.hpp"

namespace {

hid_t pick_number_type(FuzzedDataProvider& in) {
  const hid_t types[] = {H5T_IEEE_F64LE, H5T_IEEE_F32LE, H5T_IEEE_F64BE, H5T_STD_I16BE,
                         H5T_STD_U8LE,   H5T_STD_I64LE,  H5T_STD_U32LE,  H5T_STD_I8LE};
  return types[in.ConsumeIntegralInRange<int>(0, 7)];
}

double pick_value(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 9)) {
    case 0:
      return std::numeric_limits<double>::quiet_NaN();
    case 1:
      return std::numeric_limits<double>::infinity();
    case 2:
      return -in.ConsumeFloatingPointInRange<double>(0, 1e6);
    case 3:
      return in.ConsumeFloatingPoint<double>();
    default:
      return in.ConsumeFloatingPointInRange<double>(0, 1000);
  }
}

void dataset(hid_t file, const char* name, hid_t type, const std::vector<hsize_t>& dims,
             const std::vector<double>& values) {
  hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t set = H5Dcreate2(file, name, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  // Out-of-range conversions (NaN to integers, 1e300 to int16) are HDF5's to clamp.
  if (set >= 0 && !values.empty())
    H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  if (set >= 0) H5Dclose(set);
  H5Pclose(lcpl);
  H5Sclose(space);
}

void number_attribute(hid_t object, const char* name, double value, bool as_array) {
  const hsize_t one = 1;
  hid_t space = as_array ? H5Screate_simple(1, &one, nullptr) : H5Screate(H5S_SCALAR);
  hid_t attr = H5Acreate2(object, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(attr, H5T_NATIVE_DOUBLE, &value);
  H5Aclose(attr);
  H5Sclose(space);
}

void text_attribute(hid_t object, const char* name, const std::string& text, bool utf8) {
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  if (utf8) H5Tset_cset(type, H5T_CSET_UTF8);
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr = H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  const char* pointer = text.c_str();
  H5Awrite(attr, type, &pointer);
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
}

std::vector<double> values(FuzzedDataProvider& in, size_t count) {
  std::vector<double> v(count);
  for (double& x : v) x = pick_value(in);
  return v;
}

void write_file(const std::string& path, FuzzedDataProvider& in) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hsize_t T = in.ConsumeIntegralInRange<hsize_t>(0, 5);
  const hsize_t a = in.ConsumeIntegralInRange<hsize_t>(0, 4);
  const hsize_t b = in.ConsumeIntegralInRange<hsize_t>(0, 4);
  dataset(file, "/density", pick_number_type(in), {T, a, b}, values(in, T * a * b));
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      dataset(file, "/time", pick_number_type(in), {T}, values(in, T));
      break;
    case 1:
      dataset(file, "/time", H5T_IEEE_F64LE, {1, T}, values(in, T));
      break;
    case 2:
      dataset(file, "/time", H5T_STD_I64LE, {T, in.ConsumeIntegralInRange<hsize_t>(1, 2)},
              values(in, 2 * T));
      break;
    default:
      break;
  }
  hid_t density = H5Dopen2(file, "/density", H5P_DEFAULT);
  hid_t time = H5Dopen2(file, "/time", H5P_DEFAULT);
  if (time >= 0 && in.ConsumeBool())
    text_attribute(time, "units", in.ConsumeRandomLengthString(40), in.ConsumeBool());
  if (density >= 0) {
    if (in.ConsumeBool()) number_attribute(density, "_FillValue", pick_value(in), in.ConsumeBool());
    if (in.ConsumeBool()) number_attribute(density, "scale_factor", pick_value(in), false);
    if (in.ConsumeBool()) number_attribute(density, "add_offset", pick_value(in), false);
    if (in.ConsumeBool()) text_attribute(density, "MATLAB_class", "double", false);
  }
  if (time >= 0) H5Dclose(time);
  if (density >= 0) H5Dclose(density);
  for (const char* name : {"dx", "dy", "x0", "y0", "vmax"}) {
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
      case 0:
        number_attribute(file, name, pick_value(in), in.ConsumeBool());
        break;
      case 1:
        dataset(file, (std::string("/") + name).c_str(), H5T_IEEE_F64LE, {1, 1}, values(in, 1));
        break;
      case 2:
        text_attribute(file, name, in.ConsumeRandomLengthString(8), in.ConsumeBool());
        break;
      default:
        break;
    }
  }
  if (in.ConsumeBool()) dataset(file, "/x", pick_number_type(in), {b}, values(in, b));
  if (in.ConsumeBool()) dataset(file, "/y", pick_number_type(in), {a}, values(in, a));
  if (in.ConsumeBool()) dataset(file, "/mask", pick_number_type(in), {a, b}, values(in, a * b));
  if (in.ConsumeBool()) dataset(file, "/zones", pick_number_type(in), {a, b}, values(in, a * b));
  if (in.ConsumeBool())
    dataset(file, "/truth/velocity", H5T_IEEE_F64LE, {T, a, b, 2}, values(in, T * a * b * 2));
  for (const char* name : {"crs", "units", "time_units"})
    if (in.ConsumeBool())
      text_attribute(file, name, in.ConsumeRandomLengthString(30), in.ConsumeBool());
  H5Fclose(file);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  MPI_Init(argc, argv);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/snapflow_fuzz_input_" + std::to_string(getpid()) + ".h5";
  FuzzedDataProvider in(data, size);
  write_file(path, in);
  try {
    snapflow::SnapshotReader reader(MPI_COMM_SELF, path);
    const auto& meta = reader.meta();
    auto density = reader.read_density();
    const auto mask = reader.read_mask();
    (void)reader.read_zones();
    const auto stats =
        snapflow::compute_density_stats(MPI_COMM_SELF, meta, reader.rows(), density, mask);
    reader.check_truth_velocity();
    (void)reader.read_whole_snapshot(0, true, true);
    for (auto policy : {snapflow::MissingPolicy::kInterpolate, snapflow::MissingPolicy::kRefuse}) {
      auto copy = density;
      snapflow::resolve_missing_values(meta, reader.rows(), copy, stats, policy);
      snapflow::require_usable_magnitudes(meta, stats);
    }
    snapflow::require_uniform_spacing(meta);
  } catch (const snapflow::Error&) {
  }
  return 0;
}
