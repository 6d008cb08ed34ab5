#include "snapflow/io/snapshot_writer.hpp"

#include <algorithm>
#include <cstdio>

#include "snapflow/core/error.hpp"

namespace snapflow {

namespace {
// Chunks of a few dozen rows of one snapshot: small enough that a rank reading its row block
// decompresses little beyond it, large enough to compress well.
constexpr hsize_t kChunkRows = 32;
constexpr int kDeflateLevel = 1;
}  // namespace

SnapshotWriter::SnapshotWriter(MPI_Comm comm, const std::string& path, const SnapshotLayout& layout)
    : comm_(comm), path_(path), partial_path_(partial_path(path)), layout_(layout) {
  silence_hdf5_error_printing();
  collectively(comm, [&] {
    if (comm_rank(comm) == 0) lock_ = std::make_unique<OutputLock>(path);
  });
  Hid fapl = mpio_file_access(comm);
  file_ = Hid(H5Fcreate(partial_path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose);
  agree(comm, file_.valid(),
        "cannot create output file " + quoted(partial_path_) + ": " + hdf5_error_detail() +
            full_disk_note(partial_path_));

  const Grid& g = layout.grid;
  const hsize_t snapshots = layout.time.size();
  const hsize_t ny = static_cast<hsize_t>(g.ny), nx = static_cast<hsize_t>(g.nx);
  const hsize_t chunk_rows = std::min<hsize_t>(ny, kChunkRows);
  create_dataset(file_, "/density", H5T_IEEE_F64LE, {snapshots, ny, nx}, {1, chunk_rows, nx},
                 kDeflateLevel);
  create_dataset(file_, "/time", H5T_IEEE_F64LE, {snapshots});
  if (layout.with_truth_velocity)
    create_dataset(file_, "/truth/velocity", H5T_IEEE_F64LE, {snapshots, ny, nx, 2},
                   {1, chunk_rows, nx, 2}, kDeflateLevel);
  if (layout.with_mask) create_dataset(file_, "/mask", H5T_STD_U8LE, {ny, nx});
  if (layout.with_zones) create_dataset(file_, "/zones", H5T_STD_I32LE, {ny, nx});
  if (layout.with_cell_id) create_dataset(file_, "/cell_id", H5T_STD_I64LE, {ny, nx});

  write_double_attribute(file_, "dx", g.dx);
  write_double_attribute(file_, "dy", g.dy);
  write_double_attribute(file_, "x0", g.x0);
  write_double_attribute(file_, "y0", g.y0);
  if (!layout.crs.empty()) write_string_attribute(file_, "crs", layout.crs);
  if (!layout.units.empty()) write_string_attribute(file_, "units", layout.units);
  if (!layout.time_units.empty()) write_string_attribute(file_, "time_units", layout.time_units);
  if (!layout.description.empty()) write_string_attribute(file_, "description", layout.description);
  for (const auto& [name, value] : layout.attributes) write_string_attribute(file_, name, value);

  const bool root = comm_rank(comm) == 0;
  write_box("/time", H5T_NATIVE_DOUBLE, {snapshots}, {0}, {root ? snapshots : 0},
            layout.time.data());
}

SnapshotWriter::~SnapshotWriter() {
  if (committed_) return;
  file_.reset();
  if (comm_rank(comm_) == 0) std::remove(partial_path_.c_str());
}

void SnapshotWriter::write_box(const std::string& name, hid_t mem_type,
                               const std::vector<hsize_t>& dims, const std::vector<hsize_t>& start,
                               const std::vector<hsize_t>& count, const void* data) {
  Hid dataset(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), H5Dclose);
  Hid file_space = box_selection(dims, start, count);
  Hid mem_space = memory_space(count);
  Hid transfer = collective_transfer();
  static const double kNothing = 0.0;
  const herr_t status =
      H5Dwrite(dataset, mem_type, mem_space, file_space, transfer, data ? data : &kNothing);
  agree(comm_, status >= 0,
        "cannot write dataset " + name + " of " + quoted(partial_path_) + ": " +
            hdf5_write_failure(file_));
}

void SnapshotWriter::write_truth_od(long windows, long zones,
                                    const std::vector<double>& window_time,
                                    const std::vector<double>& od,
                                    const std::vector<int32_t>& zone_ids) {
  const hsize_t W = static_cast<hsize_t>(windows), Z = static_cast<hsize_t>(zones);
  create_dataset(file_, "/truth/od", H5T_IEEE_F64LE, {W, Z, Z});
  create_dataset(file_, "/truth/od_time", H5T_IEEE_F64LE, {W + 1});
  create_dataset(file_, "/truth/od_zone_ids", H5T_STD_I32LE, {Z});
  const bool root = comm_rank(comm_) == 0;
  write_box("/truth/od", H5T_NATIVE_DOUBLE, {W, Z, Z}, {0, 0, 0}, {root ? W : 0, Z, Z}, od.data());
  write_box("/truth/od_time", H5T_NATIVE_DOUBLE, {W + 1}, {0}, {root ? W + 1 : 0},
            window_time.data());
  write_box("/truth/od_zone_ids", H5T_NATIVE_INT32, {Z}, {0}, {root ? Z : 0}, zone_ids.data());
}

void SnapshotWriter::write_attribute(const std::string& name, double value) {
  write_double_attribute(file_, name, value);
}

void SnapshotWriter::write_snapshot(long time_index, const double* density,
                                    const double* velocity) {
  const Grid& g = layout_.grid;
  const hsize_t snapshots = layout_.time.size();
  const hsize_t ny = static_cast<hsize_t>(g.ny), nx = static_cast<hsize_t>(g.nx);
  const bool mine = time_index >= 0;
  const hsize_t t = mine ? static_cast<hsize_t>(time_index) : 0;
  const hsize_t n = mine ? 1 : 0;
  write_box("/density", H5T_NATIVE_DOUBLE, {snapshots, ny, nx}, {t, 0, 0}, {n, ny, nx}, density);
  if (layout_.with_truth_velocity)
    write_box("/truth/velocity", H5T_NATIVE_DOUBLE, {snapshots, ny, nx, 2}, {t, 0, 0, 0},
              {n, ny, nx, 2}, velocity);
}

void SnapshotWriter::write_rows(Range rows, const std::vector<double>& density,
                                const std::vector<double>* velocity) {
  const Grid& g = layout_.grid;
  const hsize_t snapshots = layout_.time.size();
  const hsize_t ny = static_cast<hsize_t>(g.ny), nx = static_cast<hsize_t>(g.nx);
  const hsize_t j0 = static_cast<hsize_t>(rows.begin), nr = static_cast<hsize_t>(rows.size());
  SNAPFLOW_VERIFY(density.size() == snapshots * nr * nx,
                  "write_rows: density block has " << density.size() << " values, expected "
                                                   << snapshots * nr * nx);
  write_box("/density", H5T_NATIVE_DOUBLE, {snapshots, ny, nx}, {0, j0, 0}, {snapshots, nr, nx},
            density.data());
  if (layout_.with_truth_velocity) {
    SNAPFLOW_VERIFY(velocity && velocity->size() == 2 * density.size(),
                    "write_rows: the truth velocity block is missing or of the wrong size");
    write_box("/truth/velocity", H5T_NATIVE_DOUBLE, {snapshots, ny, nx, 2}, {0, j0, 0, 0},
              {snapshots, nr, nx, 2}, velocity->data());
  }
}

void SnapshotWriter::write_mask(Range rows, const std::vector<uint8_t>& mask) {
  const hsize_t ny = static_cast<hsize_t>(layout_.grid.ny);
  const hsize_t nx = static_cast<hsize_t>(layout_.grid.nx);
  write_box("/mask", H5T_NATIVE_UINT8, {ny, nx}, {static_cast<hsize_t>(rows.begin), 0},
            {static_cast<hsize_t>(rows.size()), nx}, mask.data());
}

void SnapshotWriter::write_zones(Range rows, const std::vector<int32_t>& zones) {
  const hsize_t ny = static_cast<hsize_t>(layout_.grid.ny);
  const hsize_t nx = static_cast<hsize_t>(layout_.grid.nx);
  write_box("/zones", H5T_NATIVE_INT32, {ny, nx}, {static_cast<hsize_t>(rows.begin), 0},
            {static_cast<hsize_t>(rows.size()), nx}, zones.data());
}

void SnapshotWriter::write_cell_id(Range rows, const std::vector<int64_t>& ids) {
  const hsize_t ny = static_cast<hsize_t>(layout_.grid.ny);
  const hsize_t nx = static_cast<hsize_t>(layout_.grid.nx);
  write_box("/cell_id", H5T_NATIVE_INT64, {ny, nx}, {static_cast<hsize_t>(rows.begin), 0},
            {static_cast<hsize_t>(rows.size()), nx}, ids.data());
}

void SnapshotWriter::commit() {
  const herr_t closed = H5Fclose(file_.release());
  agree(comm_, closed >= 0,
        "cannot close " + quoted(partial_path_) + ": " + hdf5_error_detail() +
            full_disk_note(partial_path_));
  collectively(comm_, [&] {
    if (comm_rank(comm_) == 0) commit_partial(partial_path_, path_);
  });
  committed_ = true;
  lock_.reset();
}

}  // namespace snapflow
