#include "snapflow/io/snapshot_reader.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "snapflow/core/error.hpp"

namespace snapflow {

namespace {

std::string prefix(const std::string& path) {
  return "input " + quoted(path);
}

Hid open_input_file(MPI_Comm comm, const std::string& path) {
  collectively(comm, [&] {
    struct stat info {};
    SNAPFLOW_VERIFY(stat(path.c_str(), &info) == 0, prefix(path) << ": no such file");
    SNAPFLOW_VERIFY(S_ISREG(info.st_mode), prefix(path) << ": not a regular file");
    SNAPFLOW_VERIFY(info.st_size > 0, prefix(path) << ": file is empty");
    SNAPFLOW_VERIFY(H5Fis_hdf5(path.c_str()) > 0, prefix(path)
                                                      << ": not an HDF5 file (no HDF5 signature)");
  });
  Hid fapl = mpio_file_access(comm);
  Hid file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl), H5Fclose);
  const std::string detail = file.valid() ? std::string() : hdf5_error_detail();
  agree(comm, file.valid(),
        prefix(path) + ": cannot open as HDF5 (truncated or corrupt file" +
            (detail.empty() ? "" : ": " + detail) + ")");
  return file;
}

// Opens `name` and checks it is a dataset of a numeric class with the expected rank.
Hid open_dataset(hid_t file, const std::string& path, const std::string& name, DatasetInfo& info) {
  SNAPFLOW_VERIFY(path_exists(file, name), prefix(path) << ": dataset " << name << " is missing");
  {
    Hid object(H5Oopen(file, name.c_str(), H5P_DEFAULT), H5Oclose);
    SNAPFLOW_VERIFY(object.valid() && H5Iget_type(object) == H5I_DATASET,
                    prefix(path) << ": " << name << " is not a dataset");
  }
  Hid dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
  SNAPFLOW_VERIFY(dataset.valid(),
                  prefix(path) << ": cannot open dataset " << name << ": " << hdf5_error_detail());
  info = dataset_info(dataset);
  return dataset;
}

void require_shape(const std::string& path, const std::string& name, const DatasetInfo& info,
                   const std::vector<hsize_t>& expected, const std::string& layout) {
  SNAPFLOW_VERIFY(info.dims == expected, prefix(path) << ": dataset " << name << " has shape "
                                                      << describe_shape(info.dims) << ", expected "
                                                      << describe_shape(expected) << " " << layout);
}

void require_class(const std::string& path, const std::string& name, const DatasetInfo& info,
                   H5T_class_t expected, const std::string& expected_text) {
  SNAPFLOW_VERIFY(info.type_class == expected, prefix(path) << ": dataset " << name << " has type "
                                                            << describe_type(info) << ", expected "
                                                            << expected_text);
}

double positive_length(hid_t file, const std::string& path, const std::string& name) {
  const auto value = read_double_attribute(file, name, prefix(path));
  SNAPFLOW_VERIFY(value.has_value(),
                  prefix(path) << ": root attribute " << quoted(name) << " (cell size) is missing");
  SNAPFLOW_VERIFY(std::isfinite(*value) && *value > 0.0,
                  prefix(path) << ": root attribute " << quoted(name)
                               << " must be a finite positive cell size, found " << *value);
  return *value;
}

double finite_origin(hid_t file, const std::string& path, const std::string& name) {
  const auto value = read_double_attribute(file, name, prefix(path));
  if (!value) return 0.0;
  SNAPFLOW_VERIFY(std::isfinite(*value), prefix(path) << ": root attribute " << quoted(name)
                                                      << " must be finite, found " << *value);
  return *value;
}

}  // namespace

SnapshotReader::SnapshotReader(MPI_Comm comm, const std::string& path) : comm_(comm) {
  silence_hdf5_error_printing();
  file_ = open_input_file(comm, path);
  meta_.path = path;

  // Every rank reads the same metadata (collective metadata operations), so each check below
  // fails identically everywhere and needs no extra agreement.
  DatasetInfo density{};
  open_dataset(file_, path, "/density", density);
  SNAPFLOW_VERIFY(density.dims.size() == 3, prefix(path) << ": dataset /density has rank "
                                                         << density.dims.size() << " (shape "
                                                         << describe_shape(density.dims)
                                                         << "), expected rank 3 [T, ny, nx]");
  require_class(path, "/density", density, H5T_FLOAT, "float32 or float64");
  meta_.density_type = describe_type(density);
  const hsize_t snapshots = density.dims[0];
  SNAPFLOW_VERIFY(
      density.dims[1] > 0 && density.dims[2] > 0,
      prefix(path) << ": dataset /density has an empty grid " << describe_shape(density.dims));
  SNAPFLOW_VERIFY(density.dims[1] <= static_cast<hsize_t>(std::numeric_limits<int>::max()) &&
                      density.dims[2] <= static_cast<hsize_t>(std::numeric_limits<int>::max()),
                  prefix(path) << ": dataset /density grid is too large");
  SNAPFLOW_VERIFY(static_cast<long>(snapshots) >= kMinSnapshots,
                  prefix(path) << ": dataset /density holds " << snapshots
                               << " snapshot(s); at least " << kMinSnapshots << " are needed");

  Grid& grid = meta_.grid;
  grid.ny = static_cast<int>(density.dims[1]);
  grid.nx = static_cast<int>(density.dims[2]);
  grid.dx = positive_length(file_, path, "dx");
  grid.dy = positive_length(file_, path, "dy");
  grid.x0 = finite_origin(file_, path, "x0");
  grid.y0 = finite_origin(file_, path, "y0");

  DatasetInfo time{};
  Hid time_set = open_dataset(file_, path, "/time", time);
  require_class(path, "/time", time, H5T_FLOAT, "float64");
  SNAPFLOW_VERIFY(time.dims.size() == 1, prefix(path) << ": dataset /time has shape "
                                                      << describe_shape(time.dims)
                                                      << ", expected [T] with T = " << snapshots);
  SNAPFLOW_VERIFY(time.dims[0] == snapshots, prefix(path) << ": dataset /time has " << time.dims[0]
                                                          << " entries but /density holds "
                                                          << snapshots << " snapshots");
  meta_.time.resize(snapshots);
  SNAPFLOW_VERIFY(
      H5Dread(time_set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, meta_.time.data()) >= 0,
      prefix(path) << ": cannot read dataset /time: " << hdf5_error_detail());
  for (hsize_t t = 0; t < snapshots; ++t) {
    SNAPFLOW_VERIFY(std::isfinite(meta_.time[t]),
                    prefix(path) << ": dataset /time entry " << t << " is " << meta_.time[t]);
    SNAPFLOW_VERIFY(t == 0 || meta_.time[t] > meta_.time[t - 1],
                    prefix(path) << ": dataset /time is not strictly increasing: entry " << t
                                 << " (" << meta_.time[t] << ") follows " << meta_.time[t - 1]);
  }

  const std::vector<hsize_t> plane = {density.dims[1], density.dims[2]};
  if ((meta_.has_mask = path_exists(file_, "/mask"))) {
    DatasetInfo mask{};
    open_dataset(file_, path, "/mask", mask);
    require_class(path, "/mask", mask, H5T_INTEGER, "uint8");
    require_shape(path, "/mask", mask, plane, "[ny, nx] (as /density)");
  }
  if ((meta_.has_zones = path_exists(file_, "/zones"))) {
    DatasetInfo zones{};
    open_dataset(file_, path, "/zones", zones);
    require_class(path, "/zones", zones, H5T_INTEGER, "int32");
    require_shape(path, "/zones", zones, plane, "[ny, nx] (as /density)");
  }
  if ((meta_.has_truth_velocity = path_exists(file_, "/truth/velocity"))) {
    DatasetInfo truth{};
    open_dataset(file_, path, "/truth/velocity", truth);
    require_class(path, "/truth/velocity", truth, H5T_FLOAT, "float64");
    require_shape(path, "/truth/velocity", truth, {snapshots, plane[0], plane[1], 2},
                  "[T, ny, nx, 2]");
  }
  meta_.crs = read_string_attribute(file_, "crs", prefix(path)).value_or("");
  meta_.units = read_string_attribute(file_, "units", prefix(path)).value_or("");
  meta_.time_units = read_string_attribute(file_, "time_units", prefix(path)).value_or("");
  const auto vmax = read_double_attribute(file_, "vmax", prefix(path));
  SNAPFLOW_VERIFY(!vmax || (std::isfinite(*vmax) && *vmax >= 0.0),
                  prefix(path) << "attribute vmax is " << *vmax << ": want a speed >= 0");
  meta_.vmax = vmax.value_or(0.0);

  rows_ = block_range(grid.ny, comm_size(comm), comm_rank(comm));
}

template <typename T>
std::vector<T> SnapshotReader::read_box(const std::string& name, hid_t mem_type,
                                        const std::vector<hsize_t>& dims,
                                        const std::vector<hsize_t>& start,
                                        const std::vector<hsize_t>& count,
                                        const std::string& what) const {
  Hid dataset(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), H5Dclose);
  size_t elements = 1;
  for (hsize_t c : count) elements *= c;
  std::vector<T> block(elements);
  Hid file_space = box_selection(dims, start, count);
  Hid mem_space = memory_space(count);
  Hid transfer = collective_transfer();
  T dummy{};
  const herr_t status = H5Dread(dataset, mem_type, mem_space, file_space, transfer,
                                block.empty() ? &dummy : block.data());
  agree(comm_, status >= 0,
        prefix(meta_.path) + ": cannot read dataset " + name + " (" + what +
            "): " + hdf5_error_detail());
  return block;
}

template <typename T>
std::vector<T> SnapshotReader::read_row_block(const std::string& name, hid_t mem_type,
                                              hsize_t leading, hsize_t trailing) const {
  const hsize_t nx = static_cast<hsize_t>(meta_.grid.nx);
  std::vector<hsize_t> dims, start, count;
  if (leading > 0) {
    dims.push_back(leading);
    start.push_back(0);
    count.push_back(leading);
  }
  dims.insert(dims.end(), {static_cast<hsize_t>(meta_.grid.ny), nx});
  start.insert(start.end(), {static_cast<hsize_t>(rows_.begin), 0});
  count.insert(count.end(), {static_cast<hsize_t>(rows_.size()), nx});
  if (trailing > 0) {
    dims.push_back(trailing);
    start.push_back(0);
    count.push_back(trailing);
  }
  return read_box<T>(name, mem_type, dims, start, count,
                     "rows " + std::to_string(rows_.begin) + ".." + std::to_string(rows_.end - 1));
}

void SnapshotReader::check_mask(const std::vector<uint8_t>& mask, long first_row) const {
  collectively(comm_, [&] {
    for (size_t k = 0; k < mask.size(); ++k)
      SNAPFLOW_VERIFY(mask[k] <= 1, prefix(meta_.path) << ": dataset /mask must hold 0 or 1, found "
                                                       << int(mask[k]) << " at [j="
                                                       << first_row + long(k) / meta_.grid.nx
                                                       << ", i=" << long(k) % meta_.grid.nx << "]");
  });
}

std::vector<double> SnapshotReader::read_density() const {
  // Slabs of a few snapshots: parallel HDF5's collective reads of compressed chunks hold
  // buffers in proportion to what one call reads, so one call for the whole cube would need
  // several times the block's own memory.
  constexpr hsize_t kSlab = 8;
  const hsize_t T = static_cast<hsize_t>(meta_.snapshots());
  const hsize_t ny = static_cast<hsize_t>(meta_.grid.ny), nx = static_cast<hsize_t>(meta_.grid.nx);
  const hsize_t rows = static_cast<hsize_t>(rows_.size());
  std::vector<double> block;
  block.reserve(T * rows * nx);
  for (hsize_t first = 0; first < T; first += kSlab) {
    const hsize_t count = std::min(kSlab, T - first);
    const auto slab = read_box<double>(
        "/density", H5T_NATIVE_DOUBLE, {T, ny, nx}, {first, static_cast<hsize_t>(rows_.begin), 0},
        {count, rows, nx},
        "snapshots " + std::to_string(first) + ".." + std::to_string(first + count - 1));
    block.insert(block.end(), slab.begin(), slab.end());
  }
  return block;
}

std::vector<uint8_t> SnapshotReader::read_mask() const {
  if (!meta_.has_mask) return std::vector<uint8_t>(static_cast<size_t>(local_cells()), 1);
  auto mask = read_row_block<uint8_t>("/mask", H5T_NATIVE_UINT8, 0, 0);
  check_mask(mask, rows_.begin);
  return mask;
}

std::vector<int32_t> SnapshotReader::read_zones() const {
  if (!meta_.has_zones) return std::vector<int32_t>(static_cast<size_t>(local_cells()), -1);
  auto zones = read_row_block<int32_t>("/zones", H5T_NATIVE_INT32, 0, 0);
  collectively(comm_, [&] {
    for (size_t k = 0; k < zones.size(); ++k)
      SNAPFLOW_VERIFY(zones[k] >= -1, prefix(meta_.path)
                                          << ": dataset /zones must hold ids >= 0 or -1 (none), "
                                          << "found " << zones[k]
                                          << " at [j=" << rows_.begin + long(k) / meta_.grid.nx
                                          << ", i=" << long(k) % meta_.grid.nx << "]");
  });
  return zones;
}

std::vector<double> SnapshotReader::read_truth_velocity() const {
  SNAPFLOW_VERIFY(meta_.has_truth_velocity, prefix(meta_.path)
                                                << ": dataset /truth/velocity is missing");
  return read_row_block<double>("/truth/velocity", H5T_NATIVE_DOUBLE,
                                static_cast<hsize_t>(meta_.snapshots()), 2);
}

std::vector<double> SnapshotReader::read_whole_snapshot(long t, bool wanted) const {
  SNAPFLOW_VERIFY(t >= 0 && t < meta_.snapshots(),
                  prefix(meta_.path)
                      << ": snapshot " << t << " does not exist (the file holds "
                      << meta_.snapshots() << ", numbered 0.." << meta_.snapshots() - 1 << ")");
  const hsize_t ny = static_cast<hsize_t>(meta_.grid.ny), nx = static_cast<hsize_t>(meta_.grid.nx);
  const auto slice = read_box<double>(
      "/density", H5T_NATIVE_DOUBLE, {static_cast<hsize_t>(meta_.snapshots()), ny, nx},
      {static_cast<hsize_t>(t), 0, 0}, {wanted ? 1u : 0u, ny, nx}, "snapshot " + std::to_string(t));
  collectively(comm_, [&] {
    for (size_t k = 0; k < slice.size(); ++k)
      SNAPFLOW_VERIFY(std::isfinite(slice[k]),
                      prefix(meta_.path) << ": dataset /density holds " << slice[k] << " at [t="
                                         << t << ", j=" << k / nx << ", i=" << k % nx << "]");
  });
  return slice;
}

std::vector<int32_t> SnapshotReader::read_whole_zones(bool wanted) const {
  if (!meta_.has_zones)
    return std::vector<int32_t>(wanted ? static_cast<size_t>(meta_.grid.cells()) : 0, -1);
  const hsize_t ny = static_cast<hsize_t>(meta_.grid.ny), nx = static_cast<hsize_t>(meta_.grid.nx);
  return read_box<int32_t>("/zones", H5T_NATIVE_INT32, {ny, nx}, {0, 0}, {wanted ? ny : 0u, nx},
                           "whole grid");
}

std::vector<double> SnapshotReader::read_whole_truth_velocity(long t) const {
  SNAPFLOW_VERIFY(meta_.has_truth_velocity, prefix(meta_.path)
                                                << ": dataset /truth/velocity is missing");
  const hsize_t T = static_cast<hsize_t>(meta_.snapshots());
  const hsize_t ny = static_cast<hsize_t>(meta_.grid.ny), nx = static_cast<hsize_t>(meta_.grid.nx);
  const bool wanted = t >= 0;
  return read_box<double>("/truth/velocity", H5T_NATIVE_DOUBLE, {T, ny, nx, 2},
                          {wanted ? static_cast<hsize_t>(t) : 0u, 0, 0, 0},
                          {wanted ? 1u : 0u, ny, nx, 2}, "truth velocity");
}

std::vector<uint8_t> SnapshotReader::read_whole_mask(bool wanted) const {
  if (!meta_.has_mask)
    return std::vector<uint8_t>(wanted ? static_cast<size_t>(meta_.grid.cells()) : 0, 1);
  const hsize_t ny = static_cast<hsize_t>(meta_.grid.ny), nx = static_cast<hsize_t>(meta_.grid.nx);
  const auto mask = read_box<uint8_t>("/mask", H5T_NATIVE_UINT8, {ny, nx}, {0, 0},
                                      {wanted ? ny : 0u, nx}, "whole grid");
  check_mask(mask, 0);
  return mask;
}

void require_uniform_spacing(const SnapshotMeta& meta, double relative_tolerance) {
  const double first = meta.time[1] - meta.time[0];
  for (long t = 2; t < meta.snapshots(); ++t) {
    const double step = meta.time[t] - meta.time[t - 1];
    SNAPFLOW_VERIFY(std::fabs(step - first) <= relative_tolerance * first,
                    prefix(meta.path) << ": dataset /time is not uniformly spaced: step " << t - 1
                                      << " -> " << t << " is " << step << " s but step 0 -> 1 is "
                                      << first << " s (DMD needs uniform snapshots)");
  }
}

}  // namespace snapflow
