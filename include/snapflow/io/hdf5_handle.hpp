// RAII ownership of HDF5 identifiers and the small HDF5 helpers shared by readers and writers.
#pragma once

#include <hdf5.h>
#include <mpi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace snapflow {

// Owns one HDF5 identifier and closes it with the matching H5?close on destruction.
class Hid {
 public:
  using Closer = herr_t (*)(hid_t);
  Hid() = default;
  Hid(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;
  Hid(Hid&& other) noexcept;
  Hid& operator=(Hid&& other) noexcept;
  ~Hid() { reset(); }

  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();
  // Gives up ownership (the caller closes it, e.g. to check the close's status).
  hid_t release();

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// Turns off HDF5's automatic error-stack printing: snapflow reports errors itself.
void silence_hdf5_error_printing();

// The most telling message on the current HDF5 error stack (e.g. "truncated file: eof = ..."),
// or an empty string.
std::string hdf5_error_detail();

// hdf5_error_detail() for a failed write, create, flush or close of the file holding
// `object`, with a note when its disk is full.
std::string hdf5_write_failure(hid_t object);

// File access list using MPI-IO on `comm`, and a collective transfer list.
Hid mpio_file_access(MPI_Comm comm);
Hid collective_transfer();

// True when every component of the absolute `path` ("/a/b") exists below `file`.
bool path_exists(hid_t file, const std::string& path);

struct DatasetInfo {
  std::vector<hsize_t> dims;
  H5T_class_t type_class = H5T_NO_CLASS;
  size_t type_size = 0;
  bool is_signed = true;    // integers
  bool big_endian = false;  // numbers
};
DatasetInfo dataset_info(hid_t dataset);
std::string describe_shape(const std::vector<hsize_t>& dims);
// "float32", "int16 (big-endian)", "uint8", "string", ...
std::string describe_type(const DatasetInfo& info);

// Attribute helpers. Readers return nullopt when the attribute is absent; they throw
// snapflow::Error (naming file and attribute) when it exists with an unusable type or shape.
// Strings may be fixed or variable length, ASCII or UTF-8, scalar or one-element arrays.
std::optional<double> read_double_attribute(hid_t object, const std::string& name,
                                            const std::string& where);
std::optional<std::string> read_string_attribute(hid_t object, const std::string& name,
                                                 const std::string& where);
// The names of the attributes of `object`, in name order.
std::vector<std::string> attribute_names(hid_t object);
// The one string of a string-typed dataset (`what` names it in messages).
std::string read_string_dataset(hid_t dataset, const std::string& what);
void write_double_attribute(hid_t object, const std::string& name, double value);
void write_long_attribute(hid_t object, const std::string& name, long value);
void write_string_attribute(hid_t object, const std::string& name, const std::string& value);

// Collectively creates a dataset, optionally chunked and deflate-compressed.
Hid create_dataset(hid_t location, const std::string& name, hid_t file_type,
                   const std::vector<hsize_t>& dims, const std::vector<hsize_t>& chunk = {},
                   int deflate_level = 0);

// One process, default transfer: a whole dataset `name` below `location` read as doubles or
// int32 (the stored type converted), or created with `dims` and written whole. They throw
// snapflow::Error naming `name` and `where` (e.g. "run output 'a.h5'").
std::vector<double> read_whole_doubles(hid_t location, const std::string& name,
                                       const std::string& where);
std::vector<int32_t> read_whole_ints(hid_t location, const std::string& name,
                                     const std::string& where);
void write_whole(hid_t location, const std::string& name, hid_t file_type, hid_t memory_type,
                 const std::vector<hsize_t>& dims, const void* data, const std::string& where);

// Hyperslab selection of a box [start, start + count) in a dataspace of `dims`; an empty
// count selects nothing (ranks with no share still join collective transfers).
Hid box_selection(const std::vector<hsize_t>& dims, const std::vector<hsize_t>& start,
                  const std::vector<hsize_t>& count);
Hid memory_space(const std::vector<hsize_t>& count);

}  // namespace snapflow
