#include "bad_inputs.hpp"

#include <hdf5.h>

#include <cstdint>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <stdexcept>

namespace snapflow::test {

const std::vector<BadInput>& bad_inputs() {
  static const std::vector<BadInput> cases = {
      {"missing", "no such file", Stage::kOpen},
      {"not_hdf5", "not an HDF5 file", Stage::kOpen},
      {"empty_file", "file is empty", Stage::kOpen},
      {"truncated", "truncated", Stage::kOpen},
      {"no_density", "dataset /density is missing", Stage::kOpen},
      {"density_is_group", "/density is not a dataset", Stage::kOpen},
      {"no_time", "dataset /time is missing", Stage::kOpen},
      {"density_rank2", "/density has rank 2", Stage::kOpen},
      {"density_string", "/density has type string, expected numbers", Stage::kOpen},
      {"time_length", "/time has 4 entries but /density holds 5 snapshots", Stage::kOpen},
      {"time_2d", "/time has shape [5, 2]", Stage::kOpen},
      {"time_not_increasing", "/time is not strictly increasing: entry 3", Stage::kOpen},
      {"time_nan", "/time entry 2 is nan", Stage::kOpen},
      {"too_few_snapshots", "holds 1 snapshot(s); at least 2 are needed", Stage::kOpen},
      {"dx_missing", "attribute 'dx' (cell size) is missing", Stage::kOpen},
      {"dy_missing", "attribute 'dy' (cell size) is missing", Stage::kOpen},
      {"dx_negative", "attribute 'dx' must be a finite positive cell size, found -2", Stage::kOpen},
      {"dy_zero", "attribute 'dy' must be a finite positive cell size, found 0", Stage::kOpen},
      {"dx_nan", "attribute 'dx' must be a finite positive cell size, found nan", Stage::kOpen},
      {"dx_string", "attribute 'dx' must be a single number", Stage::kOpen},
      {"x0_inf", "attribute 'x0' must be finite", Stage::kOpen},
      {"mask_shape", "/mask has shape [6, 4], expected [4, 6]", Stage::kOpen},
      {"zones_shape", "/zones has shape [4], expected [4, 6]", Stage::kOpen},
      {"truth_shape", "/truth/velocity has shape [5, 4, 6], expected [5, 4, 6, 2]", Stage::kOpen},
      {"density_nan",
       "/density holds 1 missing value(s) (NaN, _FillValue or missing_value) in cells that have "
       "values at other times, the first at [t=2, j=3, i=1]",
       Stage::kData},
      {"density_inf", "/density holds 2 Inf value(s), the first at [t=0, j=0, i=5]", Stage::kData},
      {"time_nonuniform",
       "/time is not uniformly spaced: step 2 -> 3 is 15 s but step 0 -> 1 is 10 s",
       Stage::kUniform},
      {"mask_values", "/mask must hold 0 or 1, found 7 at [j=2, i=3]", Stage::kMask},
      {"zones_values",
       "/zones must hold ids >= 0 or -1 (none), up to 2147483647, found -5 at [j=1, i=0]",
       Stage::kMask},
      {"mask_wide_values", "/mask must hold 0 or 1, found 256 at [j=0, i=2]", Stage::kMask},
      {"zones_too_large", "found 2147483648 at [j=3, i=5]", Stage::kMask},
  };
  return cases;
}

namespace {

constexpr hsize_t T = 5, NY = 4, NX = 6;

void dataset(hid_t file, const char* name, hid_t type, std::vector<hsize_t> dims, const void* data,
             hid_t mem_type) {
  hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t set = H5Dcreate2(file, name, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(set, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose(set);
  H5Pclose(lcpl);
  H5Sclose(space);
}

void attribute(hid_t file, const char* name, double value) {
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr = H5Acreate2(file, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(attr, H5T_NATIVE_DOUBLE, &value);
  H5Aclose(attr);
  H5Sclose(space);
}

// A valid file, with `defect` applied before the parts it replaces are written.
struct Content {
  hsize_t snapshots = T;
  std::vector<double> density = std::vector<double>(T * NY * NX, 1.0);
  std::vector<double> time = {0, 10, 20, 30, 40};
  bool write_density = true, write_time = true, write_dx = true, write_dy = true;
  double dx = 2.0, dy = 3.0, x0 = 0.0;
};

void write_file(const std::string& path, const Content& c,
                const std::function<void(hid_t)>& extra = {}) {
  hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (c.write_density)
    dataset(file, "/density", H5T_IEEE_F64LE, {c.snapshots, NY, NX}, c.density.data(),
            H5T_NATIVE_DOUBLE);
  if (c.write_time)
    dataset(file, "/time", H5T_IEEE_F64LE, {c.time.size()}, c.time.data(), H5T_NATIVE_DOUBLE);
  if (c.write_dx) attribute(file, "dx", c.dx);
  if (c.write_dy) attribute(file, "dy", c.dy);
  attribute(file, "x0", c.x0);
  if (extra) extra(file);
  H5Fclose(file);
}

}  // namespace

void write_bad_input(const std::string& name, const std::string& path) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  Content c;
  if (name == "missing") {
    std::filesystem::remove(path);
  } else if (name == "not_hdf5") {
    std::ofstream(path) << "cell,people\n1,2\n";
  } else if (name == "empty_file") {
    std::ofstream{path};
  } else if (name == "truncated") {
    write_file(path, c);
    std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  } else if (name == "no_density") {
    c.write_density = false;
    write_file(path, c);
  } else if (name == "density_is_group") {
    c.write_density = false;
    write_file(path, c, [](hid_t f) {
      H5Gclose(H5Gcreate2(f, "/density", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    });
  } else if (name == "no_time") {
    c.write_time = false;
    write_file(path, c);
  } else if (name == "density_rank2") {
    c.write_density = false;
    write_file(path, c, [&](hid_t f) {
      dataset(f, "/density", H5T_IEEE_F64LE, {T, NY * NX}, c.density.data(), H5T_NATIVE_DOUBLE);
    });
  } else if (name == "density_string") {
    c.write_density = false;
    std::vector<char> text(T * NY * NX * 4, 'a');
    write_file(path, c, [&](hid_t f) {
      hid_t type = H5Tcopy(H5T_C_S1);
      H5Tset_size(type, 4);
      dataset(f, "/density", type, {T, NY, NX}, text.data(), type);
      H5Tclose(type);
    });
  } else if (name == "time_length") {
    c.time.pop_back();
    write_file(path, c);
  } else if (name == "time_2d") {
    c.write_time = false;
    write_file(path, c, [&](hid_t f) {
      std::vector<double> twice(2 * T, 0.0);
      dataset(f, "/time", H5T_IEEE_F64LE, {T, 2}, twice.data(), H5T_NATIVE_DOUBLE);
    });
  } else if (name == "time_not_increasing") {
    c.time = {0, 10, 20, 20, 40};
    write_file(path, c);
  } else if (name == "time_nan") {
    c.time[2] = nan;
    write_file(path, c);
  } else if (name == "too_few_snapshots") {
    c.snapshots = 1;
    c.density.resize(NY * NX);
    c.time.resize(1);
    write_file(path, c);
  } else if (name == "two_snapshots") {
    c.snapshots = 2;
    c.density.resize(2 * NY * NX);
    c.time.resize(2);
    write_file(path, c);
  } else if (name == "dx_missing") {
    c.write_dx = false;
    write_file(path, c);
  } else if (name == "dy_missing") {
    c.write_dy = false;
    write_file(path, c);
  } else if (name == "dx_negative") {
    c.dx = -2.0;
    write_file(path, c);
  } else if (name == "dy_zero") {
    c.dy = 0.0;
    write_file(path, c);
  } else if (name == "dx_nan") {
    c.dx = nan;
    write_file(path, c);
  } else if (name == "dx_string") {
    c.write_dx = false;
    write_file(path, c, [](hid_t f) {
      hid_t type = H5Tcopy(H5T_C_S1);
      H5Tset_size(type, 3);
      hid_t space = H5Screate(H5S_SCALAR);
      hid_t attr = H5Acreate2(f, "dx", type, space, H5P_DEFAULT, H5P_DEFAULT);
      H5Awrite(attr, type, "140");
      H5Aclose(attr);
      H5Sclose(space);
      H5Tclose(type);
    });
  } else if (name == "x0_inf") {
    c.x0 = inf;
    write_file(path, c);
  } else if (name == "mask_shape") {
    std::vector<unsigned char> mask(NY * NX, 1);
    write_file(path, c, [&](hid_t f) {
      dataset(f, "/mask", H5T_STD_U8LE, {NX, NY}, mask.data(), H5T_NATIVE_UCHAR);
    });
  } else if (name == "zones_shape") {
    std::vector<int> zones(NY, 0);
    write_file(path, c, [&](hid_t f) {
      dataset(f, "/zones", H5T_STD_I32LE, {NY}, zones.data(), H5T_NATIVE_INT);
    });
  } else if (name == "truth_shape") {
    write_file(path, c, [&](hid_t f) {
      dataset(f, "/truth/velocity", H5T_IEEE_F64LE, {T, NY, NX}, c.density.data(),
              H5T_NATIVE_DOUBLE);
    });
  } else if (name == "density_nan") {
    c.density[(2 * NY + 3) * NX + 1] = nan;
    write_file(path, c);
  } else if (name == "density_inf") {
    c.density[5] = inf;
    c.density[(4 * NY + 3) * NX + 5] = -inf;
    write_file(path, c);
  } else if (name == "time_nonuniform") {
    c.time = {0, 10, 20, 35, 45};
    write_file(path, c);
  } else if (name == "mask_values") {
    std::vector<unsigned char> mask(NY * NX, 1);
    mask[2 * NX + 3] = 7;
    write_file(path, c, [&](hid_t f) {
      dataset(f, "/mask", H5T_STD_U8LE, {NY, NX}, mask.data(), H5T_NATIVE_UCHAR);
    });
  } else if (name == "zones_values") {
    std::vector<int> zones(NY * NX, 0);
    zones[1 * NX + 0] = -5;
    write_file(path, c, [&](hid_t f) {
      dataset(f, "/zones", H5T_STD_I32LE, {NY, NX}, zones.data(), H5T_NATIVE_INT);
    });
  } else if (name == "mask_wide_values") {
    std::vector<uint16_t> mask(NY * NX, 1);
    mask[2] = 256;
    write_file(path, c, [&](hid_t f) {
      dataset(f, "/mask", H5T_STD_U16LE, {NY, NX}, mask.data(), H5T_NATIVE_UINT16);
    });
  } else if (name == "zones_too_large") {
    std::vector<int64_t> zones(NY * NX, 0);
    zones[3 * NX + 5] = 2147483648LL;
    write_file(path, c, [&](hid_t f) {
      dataset(f, "/zones", H5T_STD_I64LE, {NY, NX}, zones.data(), H5T_NATIVE_INT64);
    });
  } else {
    throw std::invalid_argument("unknown bad input " + name);
  }
}

}  // namespace snapflow::test
