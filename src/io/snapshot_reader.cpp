#include "snapflow/io/snapshot_reader.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "snapflow/core/error.hpp"
#include "snapflow/io/input_conventions.hpp"

namespace snapflow {

struct SnapshotReader::Layout {
  PlaneOrder order;
  ValueCoding density_coding;
};

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

// Opens `name` and checks it is a dataset; fills `info`.
Hid open_dataset(hid_t file, const std::string& path, const std::string& name, DatasetInfo& info) {
  SNAPFLOW_VERIFY(path_exists(file, name), prefix(path) << ": dataset " << name << " is missing");
  {
    Hid object(H5Oopen(file, name.c_str(), H5P_DEFAULT), H5Oclose);
    SNAPFLOW_VERIFY(object.valid(),
                    prefix(path) << ": " << name
                                 << " cannot be opened (a broken link?): " << hdf5_error_detail());
    SNAPFLOW_VERIFY(H5Iget_type(object) == H5I_DATASET, prefix(path)
                                                            << ": " << name << " is not a dataset");
  }
  Hid dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
  SNAPFLOW_VERIFY(dataset.valid(),
                  prefix(path) << ": cannot open dataset " << name << ": " << hdf5_error_detail());
  info = dataset_info(dataset);
  return dataset;
}

bool numeric(const DatasetInfo& info) {
  return info.type_class == H5T_INTEGER || info.type_class == H5T_FLOAT;
}

// Integer-valued data: integers, and single-byte enums (h5py stores numpy bool as one).
bool integral(const DatasetInfo& info) {
  return info.type_class == H5T_INTEGER || (info.type_class == H5T_ENUM && info.type_size == 1);
}

void require_numeric(const std::string& path, const std::string& name, const DatasetInfo& info) {
  SNAPFLOW_VERIFY(numeric(info), prefix(path)
                                     << ": dataset " << name << " has type " << describe_type(info)
                                     << ", expected numbers (any integer or float type)");
}

// The stored shape of a plane dataset [.., ny, nx] (or [.., nx, ny] when transposed).
std::vector<hsize_t> stored_plane(const Grid& g, const PlaneOrder& order) {
  const hsize_t ny = static_cast<hsize_t>(g.ny), nx = static_cast<hsize_t>(g.nx);
  return order.transposed ? std::vector<hsize_t>{nx, ny} : std::vector<hsize_t>{ny, nx};
}

void require_plane_shape(const std::string& path, const std::string& name, const DatasetInfo& info,
                         const std::vector<hsize_t>& expected, const std::string& layout) {
  SNAPFLOW_VERIFY(info.dims == expected, prefix(path) << ": dataset " << name << " has shape "
                                                      << describe_shape(info.dims) << ", expected "
                                                      << describe_shape(expected) << " " << layout);
}

}  // namespace

SnapshotReader::~SnapshotReader() = default;

SnapshotReader::SnapshotReader(MPI_Comm comm, const std::string& path)
    : comm_(comm), layout_(std::make_unique<Layout>()) {
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
  require_numeric(path, "/density", density);
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

  InputConventions conventions = detect_conventions(file_, density.dims, prefix(path));
  layout_->order = conventions.order;
  layout_->density_coding = conventions.density_coding;
  meta_.grid = conventions.grid;
  meta_.writer = conventions.writer;
  meta_.notes = conventions.notes;
  meta_.time = conventions.time;
  meta_.time_units = conventions.time_units;
  meta_.time_is_epoch = conventions.time_is_epoch;
  meta_.crs = conventions.crs;
  meta_.units = conventions.units;
  for (hsize_t t = 0; t < snapshots; ++t) {
    SNAPFLOW_VERIFY(std::isfinite(meta_.time[t]),
                    prefix(path) << ": dataset /time entry " << t << " is " << meta_.time[t]);
    SNAPFLOW_VERIFY(t == 0 || meta_.time[t] > meta_.time[t - 1],
                    prefix(path) << ": dataset /time is not strictly increasing: entry " << t
                                 << " (" << meta_.time[t] << ") follows " << meta_.time[t - 1]);
  }

  const Grid& grid = meta_.grid;
  const std::vector<hsize_t> plane = stored_plane(grid, layout_->order);
  const std::string plane_text =
      layout_->order.transposed ? "[nx, ny] (as /density)" : "[ny, nx] (as /density)";
  const auto optional_plane = [&](const std::string& name, bool& present) {
    if (!(present = path_exists(file_, name))) return;
    DatasetInfo info{};
    open_dataset(file_, path, name, info);
    SNAPFLOW_VERIFY(integral(info), prefix(path) << ": dataset " << name << " has type "
                                                 << describe_type(info) << ", expected integers");
    require_plane_shape(path, name, info, plane, plane_text);
  };
  optional_plane("/mask", meta_.has_mask);
  optional_plane("/zones", meta_.has_zones);
  optional_plane("/cell_id", meta_.has_cell_id);
  if ((meta_.has_truth_velocity = path_exists(file_, "/truth/velocity"))) {
    DatasetInfo truth{};
    open_dataset(file_, path, "/truth/velocity", truth);
    SNAPFLOW_VERIFY(truth.type_class == H5T_FLOAT,
                    prefix(path) << ": dataset /truth/velocity has type " << describe_type(truth)
                                 << ", expected float64");
    SNAPFLOW_VERIFY(!layout_->order.transposed,
                    prefix(path) << ": dataset /truth/velocity cannot be read from a file whose "
                                    "/density is stored [T, nx, ny]");
    require_plane_shape(path, "/truth/velocity", truth, {snapshots, plane[0], plane[1], 2},
                        "[T, ny, nx, 2]");
  }
  const auto vmax = read_root_number(file_, "vmax", prefix(path));
  SNAPFLOW_VERIFY(!vmax || (std::isfinite(*vmax) && *vmax >= 0.0),
                  prefix(path) << ": root attribute 'vmax' is " << *vmax
                               << ": want a speed >= 0 (length units per second)");
  meta_.vmax = vmax.value_or(0.0);

  rows_ = block_range(grid.ny, comm_size(comm), comm_rank(comm));
  stored_snapshots_ = snapshots;
}

void SnapshotReader::select_snapshots(long first, long last, const std::string& option) {
  const long stored = static_cast<long>(stored_snapshots_);
  SNAPFLOW_VERIFY(first_snapshot_ == 0 && meta_.snapshots() == stored,
                  prefix(meta_.path) << ": snapshots are already selected");
  SNAPFLOW_VERIFY(0 <= first && first < last && last < stored,
                  option << " " << first << ":" << last << ": " << prefix(meta_.path)
                         << " holds snapshots 0.." << stored - 1
                         << "; give FIRST:LAST with 0 <= FIRST < LAST <= " << stored - 1);
  first_snapshot_ = first;
  meta_.time = std::vector<double>(meta_.time.begin() + first, meta_.time.begin() + last + 1);
}

template <typename T>
std::vector<T> SnapshotReader::read_planes(const std::string& name, hid_t mem_type,
                                           bool snapshot_planes, hsize_t first, hsize_t count,
                                           Range rows, hsize_t trailing,
                                           const std::string& what) const {
  const PlaneOrder& order = layout_->order;
  const hsize_t ny = static_cast<hsize_t>(meta_.grid.ny), nx = static_cast<hsize_t>(meta_.grid.nx);
  const hsize_t nr = static_cast<hsize_t>(rows.size());
  const hsize_t stored_first_row = order.rows_descending ? ny - static_cast<hsize_t>(rows.end)
                                                         : static_cast<hsize_t>(rows.begin);
  std::vector<hsize_t> dims, start, box;
  if (snapshot_planes) {
    dims.push_back(stored_snapshots_);
    start.push_back(first + static_cast<hsize_t>(first_snapshot_));
    box.push_back(count);
  }
  if (order.transposed) {
    dims.insert(dims.end(), {nx, ny});
    start.insert(start.end(), {0, stored_first_row});
    box.insert(box.end(), {nx, nr});
  } else {
    dims.insert(dims.end(), {ny, nx});
    start.insert(start.end(), {stored_first_row, 0});
    box.insert(box.end(), {nr, nx});
  }
  if (trailing > 0) {
    dims.push_back(trailing);
    start.push_back(0);
    box.push_back(trailing);
  }
  Hid dataset(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), H5Dclose);
  size_t elements = 1;
  for (hsize_t c : box) elements *= c;
  std::vector<T> stored(elements);
  Hid file_space = box_selection(dims, start, box);
  Hid mem_space = memory_space(box);
  Hid transfer = collective_transfer();
  T dummy{};
  const herr_t status = H5Dread(dataset, mem_type, mem_space, file_space, transfer,
                                stored.empty() ? &dummy : stored.data());
  agree(comm_, status >= 0,
        prefix(meta_.path) + ": cannot read dataset " + name + " (" + what +
            "): " + hdf5_error_detail());
  if (!order.transposed && !order.rows_descending) return stored;

  const hsize_t slices = snapshot_planes ? count : 1, per_cell = std::max<hsize_t>(trailing, 1);
  std::vector<T> block(elements);
  for (hsize_t p = 0; p < slices; ++p)
    for (hsize_t r = 0; r < nr; ++r) {
      const hsize_t stored_row = order.rows_descending ? nr - 1 - r : r;
      for (hsize_t i = 0; i < nx; ++i) {
        const hsize_t from = order.transposed ? (p * nx + i) * nr + stored_row
                                              : ((p * nr + stored_row) * nx + i) * per_cell;
        const hsize_t to = ((p * nr + r) * nx + i) * per_cell;
        for (hsize_t c = 0; c < per_cell; ++c) block[to + c] = stored[from + c];
      }
    }
  return block;
}

std::vector<double> SnapshotReader::read_density_planes(long first, long count, Range rows) const {
  // Slabs of a few snapshots: parallel HDF5's collective reads of compressed chunks hold
  // buffers in proportion to what one call reads, so one call for the whole cube would need
  // several times the block's own memory.
  constexpr long kSlab = 8;
  std::vector<double> block;
  block.reserve(static_cast<size_t>(count * rows.size() * meta_.grid.nx));
  for (long begin = first; begin < first + count; begin += kSlab) {
    const long slab = std::min(kSlab, first + count - begin);
    const long stored_begin = first_snapshot_ + begin;
    const auto values =
        read_planes<double>("/density", H5T_NATIVE_DOUBLE, true, static_cast<hsize_t>(begin),
                            static_cast<hsize_t>(slab), rows, 0,
                            "snapshots " + std::to_string(stored_begin) + ".." +
                                std::to_string(stored_begin + slab - 1));
    block.insert(block.end(), values.begin(), values.end());
  }
  const ValueCoding& coding = layout_->density_coding;
  if (!coding.identity()) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (double& v : block) {
      const bool fill = std::find(coding.fill_values.begin(), coding.fill_values.end(), v) !=
                        coding.fill_values.end();
      v = fill ? nan : v * coding.scale + coding.offset;
    }
  }
  return block;
}

std::vector<double> SnapshotReader::read_density() const {
  return read_density_planes(0, meta_.snapshots(), rows_);
}

std::vector<int64_t> SnapshotReader::read_integer_plane(const std::string& name, Range rows,
                                                        const std::string& what) const {
  Hid dataset(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), H5Dclose);
  Hid type(H5Dget_type(dataset), H5Tclose);
  if (H5Tget_class(type) == H5T_ENUM) {
    // A one-byte enum (h5py's bool): read its stored codes.
    Hid native(H5Tget_native_type(type, H5T_DIR_ASCEND), H5Tclose);
    const auto codes = read_planes<int8_t>(name, native, false, 0, 0, rows, 0, what);
    return std::vector<int64_t>(codes.begin(), codes.end());
  }
  return read_planes<int64_t>(name, H5T_NATIVE_INT64, false, 0, 0, rows, 0, what);
}

std::vector<uint8_t> SnapshotReader::checked_mask(const std::vector<int64_t>& mask,
                                                  long first_row) const {
  collectively(comm_, [&] {
    for (size_t k = 0; k < mask.size(); ++k)
      SNAPFLOW_VERIFY(mask[k] == 0 || mask[k] == 1,
                      prefix(meta_.path) << ": dataset /mask must hold 0 or 1, found " << mask[k]
                                         << " at [j=" << first_row + long(k) / meta_.grid.nx
                                         << ", i=" << long(k) % meta_.grid.nx << "]");
  });
  return std::vector<uint8_t>(mask.begin(), mask.end());
}

std::vector<int32_t> SnapshotReader::checked_zones(const std::vector<int64_t>& zones,
                                                   long first_row) const {
  collectively(comm_, [&] {
    for (size_t k = 0; k < zones.size(); ++k)
      SNAPFLOW_VERIFY(zones[k] >= -1 && zones[k] <= std::numeric_limits<int32_t>::max(),
                      prefix(meta_.path) << ": dataset /zones must hold ids >= 0 or -1 (none), "
                                         << "up to 2147483647, found " << zones[k]
                                         << " at [j=" << first_row + long(k) / meta_.grid.nx
                                         << ", i=" << long(k) % meta_.grid.nx << "]");
  });
  return std::vector<int32_t>(zones.begin(), zones.end());
}

Range SnapshotReader::whole_rows(bool wanted) const {
  return wanted ? Range{0, meta_.grid.ny} : Range{0, 0};
}

std::vector<uint8_t> SnapshotReader::read_mask() const {
  if (!meta_.has_mask) return std::vector<uint8_t>(static_cast<size_t>(local_cells()), 1);
  return checked_mask(read_integer_plane("/mask", rows_, "own rows"), rows_.begin);
}

std::vector<int32_t> SnapshotReader::read_zones() const {
  if (!meta_.has_zones) return std::vector<int32_t>(static_cast<size_t>(local_cells()), -1);
  return checked_zones(read_integer_plane("/zones", rows_, "own rows"), rows_.begin);
}

std::vector<double> SnapshotReader::read_truth_velocity() const {
  SNAPFLOW_VERIFY(meta_.has_truth_velocity, prefix(meta_.path)
                                                << ": dataset /truth/velocity is missing");
  const hsize_t T = static_cast<hsize_t>(meta_.snapshots());
  return read_planes<double>("/truth/velocity", H5T_NATIVE_DOUBLE, true, 0, T, rows_, 2,
                             "own rows");
}

void SnapshotReader::check_truth_velocity() const {
  if (!meta_.has_truth_velocity) return;
  constexpr long kSlab = 4;
  const long T = meta_.snapshots(), nx = meta_.grid.nx;
  for (long first = 0; first < T; first += kSlab) {
    const long count = std::min(kSlab, T - first);
    const auto values =
        read_planes<double>("/truth/velocity", H5T_NATIVE_DOUBLE, true, static_cast<hsize_t>(first),
                            static_cast<hsize_t>(count), rows_, 2, "own rows");
    collectively(comm_, [&] {
      for (size_t k = 0; k < values.size(); ++k) {
        const long cell = static_cast<long>(k / 2), plane = rows_.size() * nx;
        SNAPFLOW_VERIFY(std::isfinite(values[k]),
                        prefix(meta_.path)
                            << ": dataset /truth/velocity holds " << values[k]
                            << " at [t=" << first_snapshot_ + first + cell / std::max(plane, 1L)
                            << ", j=" << rows_.begin + (cell % std::max(plane, 1L)) / nx
                            << ", i=" << cell % nx << ", component " << k % 2
                            << "]; the velocity check needs finite values");
      }
    });
  }
}

std::vector<double> SnapshotReader::read_whole_snapshot(long t, bool wanted,
                                                        bool missing_as_zero) const {
  SNAPFLOW_VERIFY(t >= 0 && t < meta_.snapshots(),
                  prefix(meta_.path)
                      << ": snapshot " << t << " does not exist (the file holds "
                      << meta_.snapshots() << ", numbered 0.." << meta_.snapshots() - 1 << ")");
  std::vector<double> slice = read_density_planes(t, 1, whole_rows(wanted));
  const long nx = meta_.grid.nx;
  collectively(comm_, [&] {
    for (size_t k = 0; k < slice.size(); ++k) {
      if (std::isnan(slice[k]) && missing_as_zero) slice[k] = 0.0;
      SNAPFLOW_VERIFY(std::isfinite(slice[k]),
                      prefix(meta_.path)
                          << ": dataset /density holds "
                          << (std::isnan(slice[k]) ? "a missing value (NaN or _FillValue)"
                                                   : "an infinite value")
                          << " at [t=" << first_snapshot_ + t << ", j=" << long(k) / nx
                          << ", i=" << long(k) % nx << "]"
                          << (std::isnan(slice[k]) ? "; -missing zero reads it as 0" : ""));
    }
  });
  return slice;
}

std::vector<int32_t> SnapshotReader::read_whole_zones(bool wanted) const {
  if (!meta_.has_zones)
    return std::vector<int32_t>(wanted ? static_cast<size_t>(meta_.grid.cells()) : 0, -1);
  return checked_zones(read_integer_plane("/zones", whole_rows(wanted), "whole grid"), 0);
}

std::vector<int64_t> SnapshotReader::read_whole_cell_id(bool wanted) const {
  if (!meta_.has_cell_id)
    return std::vector<int64_t>(wanted ? static_cast<size_t>(meta_.grid.cells()) : 0, -1);
  return read_integer_plane("/cell_id", whole_rows(wanted), "whole grid");
}

std::vector<double> SnapshotReader::read_whole_truth_velocity(long t) const {
  SNAPFLOW_VERIFY(meta_.has_truth_velocity, prefix(meta_.path)
                                                << ": dataset /truth/velocity is missing");
  const bool wanted = t >= 0;
  return read_planes<double>("/truth/velocity", H5T_NATIVE_DOUBLE, true,
                             wanted ? static_cast<hsize_t>(t) : 0u, wanted ? 1u : 0u,
                             whole_rows(wanted), 2, "truth velocity");
}

std::vector<uint8_t> SnapshotReader::read_whole_mask(bool wanted) const {
  if (!meta_.has_mask)
    return std::vector<uint8_t>(wanted ? static_cast<size_t>(meta_.grid.cells()) : 0, 1);
  return checked_mask(read_integer_plane("/mask", whole_rows(wanted), "whole grid"), 0);
}

void require_snapshots(const SnapshotMeta& meta, long count, const std::string& purpose) {
  SNAPFLOW_VERIFY(meta.snapshots() >= count, prefix(meta.path)
                                                 << ": dataset /density holds " << meta.snapshots()
                                                 << " snapshot(s); at least " << count
                                                 << " are needed (" << purpose << ")");
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
