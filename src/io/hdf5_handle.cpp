#include "snapflow/io/hdf5_handle.hpp"

#include <sstream>

#include "snapflow/core/error.hpp"
#include "snapflow/core/output_file.hpp"

namespace snapflow {

Hid::Hid(Hid&& other) noexcept : id_(other.id_), closer_(other.closer_) {
  other.id_ = H5I_INVALID_HID;
}

Hid& Hid::operator=(Hid&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.id_;
    closer_ = other.closer_;
    other.id_ = H5I_INVALID_HID;
  }
  return *this;
}

hid_t Hid::release() {
  const hid_t id = id_;
  id_ = H5I_INVALID_HID;
  return id;
}

void Hid::reset() {
  if (id_ >= 0 && closer_) closer_(id_);
  id_ = H5I_INVALID_HID;
}

void silence_hdf5_error_printing() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

namespace {
herr_t collect_error(unsigned, const H5E_error2_t* error, void* data) {
  auto* messages = static_cast<std::vector<std::string>*>(data);
  if (error->desc) messages->emplace_back(error->desc);
  return 0;
}
}  // namespace

std::string hdf5_error_detail() {
  std::vector<std::string> messages;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_error, &messages);
  for (const auto& m : messages) {
    if (m.find("truncated") != std::string::npos) return m;
    // The POSIX driver's long report ("file write failed: time = ..., errno = 28, error
    // message = 'No space left on device', ...") comes down to its first words and reason.
    const auto reason = m.find("error message = '");
    if (reason != std::string::npos) {
      const auto begin = reason + 17, end = m.find('\'', begin);
      return m.substr(0, m.find(':')) + ": " + m.substr(begin, end - begin);
    }
  }
  return messages.empty() ? std::string() : messages.front();
}

std::string hdf5_write_failure(hid_t object) {
  const std::string detail = hdf5_error_detail();
  char name[4096] = {0};
  if (object < 0 || H5Fget_name(object, name, sizeof(name)) <= 0) return detail;
  return detail + full_disk_note(name);
}

Hid mpio_file_access(MPI_Comm comm) {
  Hid fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
  // Metadata reads by rank 0 and broadcast: avoids every rank hitting the file system.
  H5Pset_all_coll_metadata_ops(fapl, true);
  H5Pset_coll_metadata_write(fapl, true);
  return fapl;
}

Hid collective_transfer() {
  Hid dxpl(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
  H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
  return dxpl;
}

bool path_exists(hid_t file, const std::string& path) {
  std::string partial;
  std::istringstream parts(path);
  std::string component;
  while (std::getline(parts, component, '/')) {
    if (component.empty()) continue;
    partial += "/" + component;
    if (H5Lexists(file, partial.c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return !partial.empty();
}

DatasetInfo dataset_info(hid_t dataset) {
  DatasetInfo info;
  Hid space(H5Dget_space(dataset), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space);
  info.dims.resize(rank > 0 ? static_cast<size_t>(rank) : 0);
  if (rank > 0) H5Sget_simple_extent_dims(space, info.dims.data(), nullptr);
  Hid type(H5Dget_type(dataset), H5Tclose);
  info.type_class = H5Tget_class(type);
  info.type_size = H5Tget_size(type);
  if (info.type_class == H5T_INTEGER) info.is_signed = H5Tget_sign(type) == H5T_SGN_2;
  if (info.type_class == H5T_INTEGER || info.type_class == H5T_FLOAT)
    info.big_endian = H5Tget_order(type) == H5T_ORDER_BE;
  return info;
}

std::string describe_shape(const std::vector<hsize_t>& dims) {
  std::ostringstream os;
  os << "[";
  for (size_t k = 0; k < dims.size(); ++k) os << (k ? ", " : "") << dims[k];
  os << "]";
  return os.str();
}

std::string describe_type(const DatasetInfo& info) {
  const std::string bits = std::to_string(8 * info.type_size);
  const std::string order = info.big_endian ? " (big-endian)" : "";
  switch (info.type_class) {
    case H5T_FLOAT:
      return "float" + bits + order;
    case H5T_INTEGER:
      return (info.is_signed ? "int" : "uint") + bits + order;
    case H5T_ENUM:
      return "enum" + bits;
    case H5T_STRING:
      return "string";
    case H5T_COMPOUND:
      return "compound";
    default:
      return "non-numeric";
  }
}

std::optional<double> read_double_attribute(hid_t object, const std::string& name,
                                            const std::string& where) {
  if (H5Aexists(object, name.c_str()) <= 0) return std::nullopt;
  Hid attr(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  Hid type(H5Aget_type(attr), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type);
  Hid space(H5Aget_space(attr), H5Sclose);
  const hssize_t points = H5Sget_simple_extent_npoints(space);
  SNAPFLOW_VERIFY((cls == H5T_FLOAT || cls == H5T_INTEGER) && points == 1,
                  where << ": attribute " << quoted(name)
                        << " must be a single number (float64), found " << points
                        << " value(s) of a " << (cls == H5T_STRING ? "string" : "non-numeric")
                        << " type");
  double value = 0.0;
  SNAPFLOW_VERIFY(H5Aread(attr, H5T_NATIVE_DOUBLE, &value) >= 0, where << ": cannot read attribute "
                                                                       << quoted(name) << ": "
                                                                       << hdf5_error_detail());
  return value;
}

namespace {
// The text of a string-typed attribute or dataset holding one string; `read` reads it into a
// memory type.
template <typename Reader>
std::string read_one_string(hid_t file_type, hid_t space, Reader read, const std::string& what) {
  const hssize_t points = H5Sget_simple_extent_npoints(space);
  SNAPFLOW_VERIFY(points == 1, what << " must hold one string, found " << points);
  // The memory type keeps the stored character set: HDF5 does not convert ASCII <-> UTF-8.
  Hid memtype(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_cset(memtype, H5Tget_cset(file_type));
  if (H5Tis_variable_str(file_type) > 0) {
    H5Tset_size(memtype, H5T_VARIABLE);
    char* text = nullptr;
    SNAPFLOW_VERIFY(read(memtype.get(), static_cast<void*>(&text)) >= 0,
                    "cannot read " << what << ": " << hdf5_error_detail());
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  const size_t size = H5Tget_size(file_type);
  std::string buffer(size + 1, '\0');
  H5Tset_size(memtype, size + 1);
  SNAPFLOW_VERIFY(read(memtype.get(), static_cast<void*>(buffer.data())) >= 0,
                  "cannot read " << what << ": " << hdf5_error_detail());
  return std::string(buffer.c_str());
}
}  // namespace

std::optional<std::string> read_string_attribute(hid_t object, const std::string& name,
                                                 const std::string& where) {
  if (H5Aexists(object, name.c_str()) <= 0) return std::nullopt;
  Hid attr(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  Hid type(H5Aget_type(attr), H5Tclose);
  SNAPFLOW_VERIFY(H5Tget_class(type) == H5T_STRING,
                  where << ": attribute " << quoted(name) << " must be a string");
  Hid space(H5Aget_space(attr), H5Sclose);
  return read_one_string(
      type, space, [&](hid_t mem, void* buffer) { return H5Aread(attr, mem, buffer); },
      where + ": attribute " + quoted(name));
}

std::vector<std::string> attribute_names(hid_t object) {
  std::vector<std::string> names;
  const auto collect = [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->push_back(name);
    return 0;
  };
  hsize_t position = 0;
  H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &position, collect, &names);
  return names;
}

std::string read_string_dataset(hid_t dataset, const std::string& what) {
  Hid type(H5Dget_type(dataset), H5Tclose);
  SNAPFLOW_VERIFY(H5Tget_class(type) == H5T_STRING, what << " must be a string");
  Hid space(H5Dget_space(dataset), H5Sclose);
  return read_one_string(
      type, space,
      [&](hid_t mem, void* buffer) {
        return H5Dread(dataset, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
      },
      what);
}

namespace {
void write_attribute(hid_t object, const std::string& name, hid_t file_type, hid_t mem_type,
                     const void* value) {
  if (H5Aexists(object, name.c_str()) > 0) H5Adelete(object, name.c_str());
  Hid space(H5Screate(H5S_SCALAR), H5Sclose);
  Hid attr(H5Acreate2(object, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  SNAPFLOW_VERIFY(attr.valid() && H5Awrite(attr, mem_type, value) >= 0,
                  "cannot write attribute " << quoted(name) << ": " << hdf5_error_detail());
}
}  // namespace

void write_double_attribute(hid_t object, const std::string& name, double value) {
  write_attribute(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void write_long_attribute(hid_t object, const std::string& name, long value) {
  write_attribute(object, name, H5T_STD_I64LE, H5T_NATIVE_LONG, &value);
}

void write_string_attribute(hid_t object, const std::string& name, const std::string& value) {
  Hid type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type, value.empty() ? 1 : value.size());
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  write_attribute(object, name, type, type, value.empty() ? "" : value.data());
}

Hid create_dataset(hid_t location, const std::string& name, hid_t file_type,
                   const std::vector<hsize_t>& dims, const std::vector<hsize_t>& chunk,
                   int deflate_level) {
  Hid space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  Hid dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (!chunk.empty()) {
    H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
    if (deflate_level > 0) {
      H5Pset_shuffle(dcpl);
      H5Pset_deflate(dcpl, static_cast<unsigned>(deflate_level));
    }
  }
  // Parallel HDF5 cannot write fill values lazily; skip them (every element gets written).
  H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
  H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY);
  Hid lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl, 1);
  Hid dataset(H5Dcreate2(location, name.c_str(), file_type, space, lcpl, dcpl, H5P_DEFAULT),
              H5Dclose);
  SNAPFLOW_VERIFY(dataset.valid(),
                  "cannot create dataset " << name << ": " << hdf5_write_failure(location));
  return dataset;
}

Hid box_selection(const std::vector<hsize_t>& dims, const std::vector<hsize_t>& start,
                  const std::vector<hsize_t>& count) {
  Hid space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  bool empty = false;
  for (hsize_t c : count) empty = empty || c == 0;
  if (empty)
    H5Sselect_none(space);
  else
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
  return space;
}

Hid memory_space(const std::vector<hsize_t>& count) {
  bool empty = false;
  for (hsize_t c : count) empty = empty || c == 0;
  if (empty) {
    const hsize_t one = 1;
    Hid space(H5Screate_simple(1, &one, nullptr), H5Sclose);
    H5Sselect_none(space);
    return space;
  }
  Hid space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose);
  return space;
}

namespace {

template <class T>
std::vector<T> read_whole(hid_t location, const std::string& name, const std::string& where,
                          hid_t memory_type) {
  SNAPFLOW_VERIFY(path_exists(location, name), where << " has no dataset " << name);
  Hid set(H5Dopen2(location, name.c_str(), H5P_DEFAULT), H5Dclose);
  size_t size = 1;
  for (hsize_t d : dataset_info(set).dims) size *= d;
  std::vector<T> values(size);
  SNAPFLOW_VERIFY(
      size == 0 || H5Dread(set, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0,
      "cannot read " << name << " of " << where << ": " << hdf5_error_detail());
  return values;
}

}  // namespace

std::vector<double> read_whole_doubles(hid_t location, const std::string& name,
                                       const std::string& where) {
  return read_whole<double>(location, name, where, H5T_NATIVE_DOUBLE);
}

std::vector<int32_t> read_whole_ints(hid_t location, const std::string& name,
                                     const std::string& where) {
  return read_whole<int32_t>(location, name, where, H5T_NATIVE_INT32);
}

void write_whole(hid_t location, const std::string& name, hid_t file_type, hid_t memory_type,
                 const std::vector<hsize_t>& dims, const void* data, const std::string& where) {
  Hid set = create_dataset(location, name, file_type, dims);
  SNAPFLOW_VERIFY(
      set.valid() && H5Dwrite(set, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0,
      "cannot write " << name << " of " << where << ": " << hdf5_write_failure(location));
}

}  // namespace snapflow
