#include "snapflow/io/run_series.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "snapflow/core/error.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/io/hdf5_handle.hpp"

namespace snapflow {

namespace {

// How a dataset's first axis joins the parts.
enum class Joined {
  boundary,   // [n + 1] boundaries: consecutive parts share one
  interval,   // [n] intervals: simply one after the other
  first_part  // not along time: the first part's
};

struct SeriesDataset {
  const char* name;
  Joined joined;
};

const SeriesDataset kSeriesDatasets[] = {
    {"/frames/time", Joined::boundary},  {"/frames/density", Joined::boundary},
    {"/frames/flow", Joined::interval},  {"/frames/velocity", Joined::interval},
    {"/frames/done", Joined::interval},  {"/fine/time", Joined::boundary},
    {"/fine/cost", Joined::interval},    {"/fine/moved", Joined::interval},
    {"/fine/created", Joined::interval}, {"/fine/destroyed", Joined::interval},
    {"/fine/clipped", Joined::interval}, {"/fine/status", Joined::interval},
    {"/fine/seconds", Joined::interval}, {"/fine/pivots", Joined::interval},
    {"/od/flow", Joined::interval},      {"/od/trips", Joined::interval},
    {"/od/time", Joined::boundary},      {"/od/zone_ids", Joined::first_part},
    {"/od/zones", Joined::first_part},
};

// Copies are made this many bytes at a time (whole planes, at least one).
constexpr hsize_t kCopyBytes = hsize_t(64) << 20;

// Planes [source_first, source_first + count) of one part go to planes from target_first on.
struct Piece {
  size_t part;
  hsize_t source_first, count, target_first;
};

Hid link_creation() {
  Hid list(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(list, 1);
  return list;
}

std::vector<hsize_t> dims_of(hid_t dataset) {
  return dataset_info(dataset).dims;
}

void copy_attributes(hid_t from, hid_t to, const std::vector<std::string>& skipped,
                     const std::string& where) {
  for (const std::string& name : attribute_names(from)) {
    if (attribute_matches(name, skipped)) continue;
    Hid source(H5Aopen(from, name.c_str(), H5P_DEFAULT), H5Aclose);
    Hid type(H5Aget_type(source), H5Tclose);
    Hid space(H5Aget_space(source), H5Sclose);
    const hssize_t points = H5Sget_simple_extent_npoints(space);
    std::vector<unsigned char> buffer(static_cast<size_t>(std::max<hssize_t>(points, 1)) *
                                      H5Tget_size(type));
    SNAPFLOW_VERIFY(H5Aread(source, type, buffer.data()) >= 0, "cannot read attribute '"
                                                                   << name << "' of " << where
                                                                   << ": " << hdf5_error_detail());
    Hid target(H5Acreate2(to, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const bool written = target.valid() && H5Awrite(target, type, buffer.data()) >= 0;
    const bool variable = H5Tdetect_class(type, H5T_VLEN) > 0 ||
                          (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0);
    if (variable) H5Dvlen_reclaim(type, space, H5P_DEFAULT, buffer.data());
    SNAPFLOW_VERIFY(written, "cannot copy attribute '" << name << "' of " << where << ": "
                                                       << hdf5_write_failure(to));
  }
}

class SeriesWriter {
 public:
  SeriesWriter(const std::string& path, const std::vector<SeriesPart>& parts, SeriesLayout layout)
      : path_(path), parts_(parts), layout_(layout), lcpl_(link_creation()) {
    for (const SeriesPart& part : parts) {
      Hid file(H5Fopen(part.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
      SNAPFLOW_VERIFY(file.valid(),
                      "cannot open " << quoted(part.path) << ": " << hdf5_error_detail());
      files_.push_back(std::move(file));
    }
    out_ = Hid(H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    SNAPFLOW_VERIFY(out_.valid(), "cannot create " << quoted(path) << ": " << hdf5_error_detail());
  }

  hid_t part_file(size_t p) const { return files_[p]; }
  hid_t out() const { return out_; }

  void join(const SeriesDataset& dataset) {
    const std::string name = dataset.name;
    if (!path_exists(files_[0], name)) return;
    std::vector<Hid> sources;
    std::vector<std::vector<hsize_t>> dims;
    for (size_t p = 0; p < parts_.size(); ++p) {
      SNAPFLOW_VERIFY(path_exists(files_[p], name),
                      quoted(parts_[p].path) << " has no " << name << " (" << quoted(parts_[0].path)
                                             << " has): the runs were made differently");
      sources.emplace_back(H5Dopen2(files_[p], name.c_str(), H5P_DEFAULT), H5Dclose);
      dims.push_back(dims_of(sources.back()));
      const bool same_cells = dims[p].size() == dims[0].size() &&
                              std::equal(dims[p].begin() + 1, dims[p].end(), dims[0].begin() + 1) &&
                              (dataset.joined != Joined::first_part || dims[p] == dims[0]);
      SNAPFLOW_VERIFY(same_cells, name << " of " << quoted(parts_[p].path) << " is "
                                       << describe_shape(dims[p]) << ", of "
                                       << quoted(parts_[0].path) << " " << describe_shape(dims[0]));
      if (dataset.joined == Joined::first_part) break;
    }
    std::vector<Piece> pieces;
    hsize_t total = 0;
    for (size_t p = 0; p < sources.size(); ++p) {
      const hsize_t skip = dataset.joined == Joined::boundary && p > 0 ? 1 : 0;
      pieces.push_back({p, skip, dims[p][0] - skip, total});
      total += dims[p][0] - skip;
    }
    std::vector<hsize_t> series_dims = dims[0];
    series_dims[0] = total;
    if (layout_ == SeriesLayout::copy)
      copy(name, sources, dims, pieces, series_dims);
    else
      link(name, sources[0], dims, pieces, series_dims);
  }

  void add_models() {
    for (size_t p = 0; p < parts_.size(); ++p) {
      if (!path_exists(files_[p], "/dmd")) continue;
      char name[32];
      std::snprintf(name, sizeof(name), "/dmd/day_%04zu", p);
      const bool done = layout_ == SeriesLayout::copy
                            ? H5Ocopy(files_[p], "/dmd", out_, name, H5P_DEFAULT, lcpl_) >= 0
                            : H5Lcreate_external(parts_[p].reference.c_str(), "/dmd", out_, name,
                                                 lcpl_, H5P_DEFAULT) >= 0;
      SNAPFLOW_VERIFY(done, "cannot add the DMD models of " << quoted(parts_[p].path) << " to "
                                                            << quoted(path_) << " as " << name
                                                            << ": " << hdf5_write_failure(out_));
    }
  }

  void close() {
    files_.clear();
    SNAPFLOW_VERIFY(H5Fclose(out_.release()) >= 0, "cannot close " << quoted(path_) << ": "
                                                                   << hdf5_error_detail()
                                                                   << full_disk_note(path_));
  }

 private:
  void copy(const std::string& name, const std::vector<Hid>& sources,
            const std::vector<std::vector<hsize_t>>& dims, const std::vector<Piece>& pieces,
            const std::vector<hsize_t>& series_dims) {
    Hid type(H5Dget_type(sources[0]), H5Tclose);
    Hid memory_type(H5Tget_native_type(type, H5T_DIR_ASCEND), H5Tclose);
    Hid creation(H5Dget_create_plist(sources[0]), H5Pclose);
    Hid space(H5Screate_simple(static_cast<int>(series_dims.size()), series_dims.data(), nullptr),
              H5Sclose);
    Hid target(H5Dcreate2(out_, name.c_str(), type, space, lcpl_, creation, H5P_DEFAULT), H5Dclose);
    SNAPFLOW_VERIFY(target.valid(), "cannot create " << name << " in " << quoted(path_) << ": "
                                                     << hdf5_write_failure(out_));
    hsize_t plane = H5Tget_size(memory_type);
    for (size_t k = 1; k < series_dims.size(); ++k) plane *= series_dims[k];
    const hsize_t per_read = std::max<hsize_t>(1, kCopyBytes / std::max<hsize_t>(plane, 1));
    std::vector<unsigned char> buffer;
    for (const Piece& piece : pieces) {
      for (hsize_t done = 0; done < piece.count; done += per_read) {
        const hsize_t n = std::min(per_read, piece.count - done);
        std::vector<hsize_t> start(series_dims.size(), 0), count = series_dims;
        count[0] = n;
        start[0] = piece.source_first + done;
        buffer.resize(static_cast<size_t>(n * plane));
        Hid memory = memory_space(count);
        Hid from = box_selection(dims[piece.part], start, count);
        SNAPFLOW_VERIFY(H5Dread(sources[piece.part], memory_type, memory, from, H5P_DEFAULT,
                                buffer.data()) >= 0,
                        "cannot read " << name << " of " << quoted(parts_[piece.part].path) << ": "
                                       << hdf5_error_detail());
        start[0] = piece.target_first + done;
        Hid to = box_selection(series_dims, start, count);
        SNAPFLOW_VERIFY(
            H5Dwrite(target, memory_type, memory, to, H5P_DEFAULT, buffer.data()) >= 0,
            "cannot write " << name << " of " << quoted(path_) << ": " << hdf5_write_failure(out_));
      }
    }
  }

  void link(const std::string& name, hid_t first_source,
            const std::vector<std::vector<hsize_t>>& dims, const std::vector<Piece>& pieces,
            const std::vector<hsize_t>& series_dims) {
    Hid type(H5Dget_type(first_source), H5Tclose);
    Hid creation(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    if (H5Tget_class(type) == H5T_FLOAT) {
      const double missing = std::numeric_limits<double>::quiet_NaN();
      H5Pset_fill_value(creation, H5T_NATIVE_DOUBLE, &missing);
    }
    for (const Piece& piece : pieces) {
      std::vector<hsize_t> start(series_dims.size(), 0), count = series_dims;
      count[0] = piece.count;
      start[0] = piece.target_first;
      Hid to = box_selection(series_dims, start, count);
      start[0] = piece.source_first;
      Hid from = box_selection(dims[piece.part], start, count);
      SNAPFLOW_VERIFY(H5Pset_virtual(creation, to, parts_[piece.part].reference.c_str(),
                                     name.c_str(), from) >= 0,
                      "cannot map " << name << " of " << quoted(parts_[piece.part].path) << ": "
                                    << hdf5_error_detail());
    }
    Hid space(H5Screate_simple(static_cast<int>(series_dims.size()), series_dims.data(), nullptr),
              H5Sclose);
    Hid target(H5Dcreate2(out_, name.c_str(), type, space, lcpl_, creation, H5P_DEFAULT), H5Dclose);
    SNAPFLOW_VERIFY(target.valid(), "cannot create " << name << " in " << quoted(path_) << ": "
                                                     << hdf5_write_failure(out_));
  }

  std::string path_;
  const std::vector<SeriesPart>& parts_;
  SeriesLayout layout_;
  Hid lcpl_;
  std::vector<Hid> files_;
  Hid out_;
};

}  // namespace

bool attribute_matches(const std::string& name, const std::vector<std::string>& patterns) {
  for (const std::string& pattern : patterns) {
    const bool prefix = !pattern.empty() && pattern.back() == '*';
    if (prefix ? name.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0
               : name == pattern)
      return true;
  }
  return false;
}

void write_run_series(const std::string& path, const std::vector<SeriesPart>& parts,
                      SeriesLayout layout, const std::vector<std::string>& per_part_attributes,
                      const SeriesAttributes& own) {
  SNAPFLOW_VERIFY(!parts.empty(), "a series of no run outputs");
  silence_hdf5_error_printing();
  SeriesWriter writer(path, parts, layout);
  for (const SeriesDataset& dataset : kSeriesDatasets) writer.join(dataset);
  writer.add_models();
  copy_attributes(writer.part_file(0), writer.out(), per_part_attributes,
                  "run output " + quoted(parts[0].path));
  for (const auto& [name, value] : own.numbers) write_double_attribute(writer.out(), name, value);
  for (const auto& [name, value] : own.strings) write_string_attribute(writer.out(), name, value);
  writer.close();
}

std::vector<std::string> attribute_differences(const std::string& a, const std::string& b,
                                               const std::vector<std::string>& skipped) {
  silence_hdf5_error_printing();
  Hid files[2] = {Hid(H5Fopen(a.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose),
                  Hid(H5Fopen(b.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose)};
  for (int k = 0; k < 2; ++k)
    SNAPFLOW_VERIFY(files[k].valid(),
                    "cannot open " << quoted(k == 0 ? a : b) << ": " << hdf5_error_detail());
  std::vector<std::string> all = attribute_names(files[0]);
  const std::vector<std::string> second = attribute_names(files[1]);
  all.insert(all.end(), second.begin(), second.end());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  std::vector<std::string> differences;
  for (const std::string& name : all) {
    if (attribute_matches(name, skipped)) continue;
    std::string values[2];
    for (int k = 0; k < 2; ++k) {
      if (!H5Aexists(files[k], name.c_str())) {
        values[k] = "(none)";
        continue;
      }
      Hid attribute(H5Aopen(files[k], name.c_str(), H5P_DEFAULT), H5Aclose);
      Hid type(H5Aget_type(attribute), H5Tclose);
      const std::string where = "run output " + quoted(k == 0 ? a : b);
      if (H5Tget_class(type) == H5T_STRING) {
        values[k] = "'" + read_string_attribute(files[k], name, where).value_or("") + "'";
      } else {
        values[k] = exact_text(read_double_attribute(files[k], name, where).value_or(0.0));
      }
    }
    if (values[0] != values[1])
      differences.push_back(name + " = " + values[0] + " vs " + values[1]);
  }
  return differences;
}

}  // namespace snapflow
