#include "snapflow/io/dmd_output.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <limits>

#include "snapflow/core/error.hpp"
#include "snapflow/io/hdf5_handle.hpp"

namespace snapflow {

namespace {

// Small datasets are written whole by rank 0 (the others join with an empty selection).
void write_small(MPI_Comm comm, hid_t group, const std::string& name,
                 const std::vector<hsize_t>& dims, const std::vector<double>& values) {
  Hid set = create_dataset(group, name, H5T_IEEE_F64LE, dims);
  const bool root = comm_rank(comm) == 0;
  std::vector<hsize_t> start(dims.size(), 0), count = dims;
  if (!root) count[0] = 0;
  Hid file_space = box_selection(dims, start, count);
  Hid mem_space = memory_space(count);
  Hid transfer = collective_transfer();
  static const double kNothing = 0.0;
  const herr_t status = H5Dwrite(set, H5T_NATIVE_DOUBLE, mem_space, file_space, transfer,
                                 values.empty() ? &kNothing : values.data());
  agree(comm, status >= 0, "cannot write /dmd/" + name + ": " + hdf5_write_failure(set));
}

// Rounds values to a multiple of 2^-bits of the largest magnitude `largest` (float32
// precision at the top of the range with 24 bits, and tiny noise flushed to zero): values that
// differ only in their last bits then round to the same number.
void quantise(double* values, size_t count, double largest, int bits = 24) {
  if (largest <= 0.0 || !std::isfinite(largest)) return;
  int exponent = 0;
  std::frexp(largest, &exponent);
  const double quantum = std::ldexp(1.0, exponent - bits);
  // "+ 0.0" turns -0 into +0, so that the stored bytes agree too.
  for (size_t k = 0; k < count; ++k)
    values[k] = std::nearbyint(values[k] / quantum) * quantum + 0.0;
}

// Modes are rounded to 2^-36 of their largest value before the float32 cast, not 2^-24: the
// sparse province's countryside holds mode values of 1e-5 to 1e-4, which 2^-24 of the largest
// (6e-8) kept to 3-4 digits, so those cells no longer moved in proportion to the total and
// every fine step moved a rough residue of ~2 mass units in most cells (the 10:30 chain: 2.29
// s per warm LP; 0.28 at 2^-36, 0.18 at 2^-40, 0.19 unrounded). Finer grids let the fits of
// different rank counts round apart: 2^-40 already did on a 24 x 24 test case; on the province
// 1,504 of 14.3 million stored values differ between 1 and 2 ranks at 2^-36 (5 at 2^-24).
constexpr int kModeBits = 36;

double largest_magnitude(const std::vector<double>& values) {
  double largest = 0.0;
  for (double v : values) largest = std::max(largest, std::fabs(v));
  return largest;
}

std::vector<double> pairs(const std::vector<std::complex<double>>& values) {
  std::vector<double> out;
  for (const auto& v : values) out.insert(out.end(), {v.real(), v.imag()});
  return out;
}

}  // namespace

void write_dmd_snapshot_errors(MPI_Comm comm, hid_t group, const std::vector<double>& errors) {
  write_small(comm, group, "snapshot_error", {errors.size()}, errors);
}

void write_dmd_group(MPI_Comm comm, hid_t group, const Grid& grid, Range rows,
                     const DmdModel& model, const std::vector<double>& snapshot_error,
                     bool with_modes, DmdPrecision precision) {
  const hsize_t r = static_cast<hsize_t>(model.rank());
  const auto stored = [precision](std::vector<double> values) {
    if (precision == DmdPrecision::kFloat32)
      quantise(values.data(), values.size(), largest_magnitude(values));
    return values;
  };
  write_small(comm, group, "sigma", {model.sigma().size()}, stored(model.sigma()));
  write_small(comm, group, "lambda", {r, 2}, stored(pairs(model.eigenvalues())));
  write_small(comm, group, "omega", {r, 2}, stored(pairs(model.omega())));
  write_small(comm, group, "amplitude", {r, 2}, stored(pairs(model.amplitudes())));
  write_dmd_snapshot_errors(comm, group, stored(snapshot_error));
  write_long_attribute(group, "rank", model.rank());
  write_string_attribute(group, "rank_rule", model.rule());
  write_double_attribute(group, "dt", model.dt());
  write_double_attribute(group, "t0", model.t0());
  write_string_attribute(group, "svd", "SLEPc truncated SVD of X (default: thick-restart Lanczos)");
  if (!with_modes) return;
  const hsize_t ny = static_cast<hsize_t>(grid.ny), nx = static_cast<hsize_t>(grid.nx);
  const hsize_t local_rows = static_cast<hsize_t>(rows.size());
  Hid set = create_dataset(group, "modes", H5T_IEEE_F32LE, {r, ny, nx, 2});
  const hsize_t local = local_rows * nx;
  std::vector<float> block(r * local * 2);
  std::vector<double> mode(2 * local);
  for (hsize_t j = 0; j < r; ++j) {
    for (hsize_t k = 0; k < local; ++k) {
      mode[2 * k] = model.mode_real(static_cast<int>(j))[k];
      mode[2 * k + 1] = model.mode_imag(static_cast<int>(j))[k];
    }
    if (precision == DmdPrecision::kFloat32) {
      double largest = largest_magnitude(mode);
      MPI_Allreduce(MPI_IN_PLACE, &largest, 1, MPI_DOUBLE, MPI_MAX, comm);
      quantise(mode.data(), mode.size(), largest, kModeBits);
    }
    for (hsize_t k = 0; k < 2 * local; ++k) block[2 * j * local + k] = static_cast<float>(mode[k]);
  }
  Hid file_space = box_selection({r, ny, nx, 2}, {0, static_cast<hsize_t>(rows.begin), 0, 0},
                                 {r, local_rows, nx, 2});
  Hid mem_space = memory_space({r, local_rows, nx, 2});
  Hid transfer = collective_transfer();
  static const float kNothing = 0.0f;
  const herr_t status = H5Dwrite(set, H5T_NATIVE_FLOAT, mem_space, file_space, transfer,
                                 block.empty() ? &kNothing : block.data());
  agree(comm, status >= 0, "cannot write /dmd/modes: " + hdf5_write_failure(set));
}

namespace {
std::vector<double> read_all(hid_t group, const std::string& name, const std::string& where,
                             size_t expected_columns) {
  SNAPFLOW_VERIFY(H5Lexists(group, name.c_str(), H5P_DEFAULT) > 0,
                  where << ": dataset " << name << " is missing");
  Hid set(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose);
  const DatasetInfo info = dataset_info(set);
  size_t count = 1;
  for (hsize_t d : info.dims) count *= d;
  SNAPFLOW_VERIFY(
      expected_columns == 0 || (info.dims.size() == 2 && info.dims[1] == expected_columns),
      where << ": dataset " << name << " has shape " << describe_shape(info.dims));
  std::vector<double> values(count);
  SNAPFLOW_VERIFY(
      H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0,
      where << ": cannot read " << name << ": " << hdf5_error_detail());
  return values;
}
std::vector<std::complex<double>> complex_pairs(const std::vector<double>& pairs) {
  std::vector<std::complex<double>> out;
  for (size_t k = 0; k + 1 < pairs.size(); k += 2) out.emplace_back(pairs[k], pairs[k + 1]);
  return out;
}
}  // namespace

DmdModel read_dmd_group(MPI_Comm comm, hid_t group, const Grid& grid, Range rows,
                        const std::string& where) {
  const auto t0 = read_double_attribute(group, "t0", where);
  const auto dt = read_double_attribute(group, "dt", where);
  SNAPFLOW_VERIFY(t0 && dt, where << ": attributes t0 and dt are missing");
  const std::string rule = read_string_attribute(group, "rank_rule", where).value_or("");
  const auto lambda = complex_pairs(read_all(group, "lambda", where, 2));
  const auto omega = complex_pairs(read_all(group, "omega", where, 2));
  const auto amplitude = complex_pairs(read_all(group, "amplitude", where, 2));
  const auto sigma = read_all(group, "sigma", where, 0);
  const hsize_t r = lambda.size(), ny = static_cast<hsize_t>(grid.ny),
                nx = static_cast<hsize_t>(grid.nx), local = static_cast<hsize_t>(rows.size());
  SNAPFLOW_VERIFY(
      H5Lexists(group, "modes", H5P_DEFAULT) > 0,
      where << ": dataset modes is missing (fit with -dmd_save_modes to reuse a model)");
  Hid set(H5Dopen2(group, "modes", H5P_DEFAULT), H5Dclose);
  const DatasetInfo info = dataset_info(set);
  SNAPFLOW_VERIFY(info.dims == std::vector<hsize_t>({r, ny, nx, 2}),
                  where << ": dataset modes has shape " << describe_shape(info.dims)
                        << ", expected " << describe_shape({r, ny, nx, 2}));
  std::vector<float> block(r * local * nx * 2);
  Hid file_space =
      box_selection(info.dims, {0, static_cast<hsize_t>(rows.begin), 0, 0}, {r, local, nx, 2});
  Hid mem_space = memory_space({r, local, nx, 2});
  Hid transfer = collective_transfer();
  float nothing = 0.0f;
  const herr_t status = H5Dread(set, H5T_NATIVE_FLOAT, mem_space, file_space, transfer,
                                block.empty() ? &nothing : block.data());
  agree(comm, status >= 0, where + ": cannot read dataset modes: " + hdf5_error_detail());
  std::vector<double> re(r * local * nx), im(r * local * nx);
  for (size_t k = 0; k < re.size(); ++k) {
    re[k] = block[2 * k];
    im[k] = block[2 * k + 1];
  }
  return DmdModel::assemble(rule, *t0, *dt, static_cast<long>(local * nx), sigma, lambda, omega,
                            amplitude, std::move(re), std::move(im));
}

namespace {
std::string window_group_name(size_t k) {
  char name[32];
  std::snprintf(name, sizeof(name), "window_%04zu", k);
  return name;
}
}  // namespace

void write_dmd_sequence(MPI_Comm comm, hid_t file, const Grid& grid, Range rows,
                        const DmdSequence& sequence, const std::vector<double>& snapshot_error,
                        bool with_modes, long window, long overlap, DmdPrecision precision) {
  Hid group(H5Gcreate2(file, "/dmd", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  agree(comm, group.valid(), "cannot create group /dmd: " + hdf5_error_detail());
  const auto& models = sequence.models();
  if (models.size() == 1) {
    write_dmd_group(comm, group, grid, rows, models.front(), snapshot_error, with_modes, precision);
    return;
  }
  std::vector<double> errors = snapshot_error;
  if (precision == DmdPrecision::kFloat32)
    quantise(errors.data(), errors.size(), largest_magnitude(errors));
  write_dmd_snapshot_errors(comm, group, errors);
  write_long_attribute(group, "windows", static_cast<long>(models.size()));
  write_long_attribute(group, "window", window);
  write_long_attribute(group, "overlap", overlap);
  for (size_t k = 0; k < models.size(); ++k) {
    Hid sub(H5Gcreate2(group, window_group_name(k).c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
            H5Gclose);
    const DmdWindow& w = sequence.windows()[k];
    std::vector<double> window_errors(snapshot_error.begin() + w.first,
                                      snapshot_error.begin() + w.first + w.count);
    write_dmd_group(comm, sub, grid, rows, models[k], window_errors, with_modes, precision);
    write_long_attribute(sub, "first_snapshot", w.first);
    write_long_attribute(sub, "snapshots", w.count);
    write_double_attribute(sub, "owned_from", w.owned_from);
    write_double_attribute(sub, "owned_to", w.owned_to);
  }
}

DmdSequence read_dmd_sequence(MPI_Comm comm, hid_t file, const Grid& grid, Range rows,
                              const std::string& where) {
  SNAPFLOW_VERIFY(path_exists(file, "/dmd"), where << ": group /dmd is missing");
  Hid group(H5Gopen2(file, "/dmd", H5P_DEFAULT), H5Gclose);
  std::vector<DmdWindow> windows;
  std::vector<DmdModel> models;
  if (!path_exists(file, "/dmd/window_0000")) {
    const double infinity = std::numeric_limits<double>::infinity();
    windows.push_back({0, 0, -infinity, infinity});
    models.push_back(read_dmd_group(comm, group, grid, rows, where + ": /dmd"));
    return DmdSequence::assemble(std::move(windows), std::move(models));
  }
  for (size_t k = 0; path_exists(file, "/dmd/" + window_group_name(k)); ++k) {
    const std::string name = "/dmd/" + window_group_name(k);
    Hid sub(H5Gopen2(file, name.c_str(), H5P_DEFAULT), H5Gclose);
    const std::string sub_where = where + ": " + name;
    DmdWindow w;
    const auto from = read_double_attribute(sub, "owned_from", sub_where);
    const auto to = read_double_attribute(sub, "owned_to", sub_where);
    SNAPFLOW_VERIFY(from && to, sub_where << ": attributes owned_from/owned_to are missing");
    w.owned_from = *from;
    w.owned_to = *to;
    // The snapshots the window spans: the blend across an overlap needs where it ends.
    const auto first = read_double_attribute(sub, "first_snapshot", sub_where);
    const auto count = read_double_attribute(sub, "snapshots", sub_where);
    SNAPFLOW_VERIFY(first && count && *first >= 0 && *count >= 2 && *first == std::floor(*first) &&
                        *count == std::floor(*count),
                    sub_where << ": attributes first_snapshot/snapshots are missing or invalid");
    w.first = static_cast<long>(*first);
    w.count = static_cast<long>(*count);
    windows.push_back(w);
    models.push_back(read_dmd_group(comm, sub, grid, rows, sub_where));
  }
  return DmdSequence::assemble(std::move(windows), std::move(models));
}

}  // namespace snapflow
