#include "snapflow/io/output_conventions.hpp"

#include <hdf5_hl.h>

#include <cstdio>
#include <vector>

#include "snapflow/core/error.hpp"
#include "snapflow/geo/crs.hpp"
#include "snapflow/io/hdf5_handle.hpp"

namespace snapflow {

namespace {

// One open file and the messages that name it.
class Describer {
 public:
  explicit Describer(const std::string& path) : path_(path) {
    file_ = Hid(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
    SNAPFLOW_VERIFY(file_.valid(),
                    "cannot reopen " << quoted(path) << " to describe it: " << hdf5_error_detail());
  }
  void close() {
    SNAPFLOW_VERIFY(H5Fclose(file_.release()) >= 0,
                    "cannot close " << quoted(path_) << ": " << hdf5_error_detail());
  }

  bool has(const std::string& name) const { return path_exists(file_, name); }

  std::vector<double> doubles(const std::string& name) const {
    return read_whole_doubles(file_, name, quoted(path_));
  }
  std::vector<int32_t> ints(const std::string& name) const {
    return read_whole_ints(file_, name, quoted(path_));
  }

  Hid open(const std::string& name) const {
    Hid set(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), H5Dclose);
    SNAPFLOW_VERIFY(set.valid(), "cannot open " << name << " of " << quoted(path_));
    return set;
  }

  // A new 1-D coordinate dataset holding `values` (converted to `file_type`), made a
  // dimension scale named after itself.
  template <class T>
  void add_scale(const std::string& name, hid_t file_type, hid_t memory_type,
                 const std::vector<T>& values) {
    add_values(name, file_type, memory_type, {values.size()}, values.data());
    make_scale(name);
  }

  // No dims: a scalar.
  template <class T>
  void add_values(const std::string& name, hid_t file_type, hid_t memory_type,
                  const std::vector<hsize_t>& dims, const T* values) {
    if (!dims.empty())
      return write_whole(file_, name, file_type, memory_type, dims, values, quoted(path_));
    Hid set = scalar_dataset(name, file_type);
    SNAPFLOW_VERIFY(
        set.valid() && H5Dwrite(set, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) >= 0,
        "cannot write " << name << " of " << quoted(path_) << ": " << hdf5_write_failure(file_));
  }

  void make_scale(const std::string& name) {
    Hid set = open(name);
    const std::string base = name.substr(name.find_last_of('/') + 1);
    SNAPFLOW_VERIFY(H5DSset_scale(set, base.c_str()) >= 0,
                    "cannot make " << name << " of " << quoted(path_) << " a dimension scale");
  }

  // Attaches one scale per axis of `name` (all axes must be named).
  void attach(const std::string& name, const std::vector<std::string>& scales) {
    Hid set = open(name);
    const DatasetInfo info = dataset_info(set);
    SNAPFLOW_VERIFY(info.dims.size() == scales.size(),
                    name << " of " << quoted(path_) << " has " << info.dims.size() << " axes; "
                         << scales.size() << " dimension scales were given");
    for (size_t axis = 0; axis < scales.size(); ++axis) {
      Hid scale = open(scales[axis]);
      SNAPFLOW_VERIFY(dataset_info(scale).dims.at(0) == info.dims[axis],
                      "dimension scale " << scales[axis] << " does not fit axis " << axis << " of "
                                         << name << " in " << quoted(path_));
      SNAPFLOW_VERIFY(
          H5DSattach_scale(set, scale, static_cast<unsigned>(axis)) >= 0,
          "cannot attach " << scales[axis] << " to " << name << " of " << quoted(path_));
    }
  }

  void text(const std::string& object, const std::string& name, const std::string& value) {
    Hid set = open_object(object);
    write_string_attribute(set, name, value);
  }
  void number(const std::string& object, const std::string& name, double value) {
    Hid set = open_object(object);
    write_double_attribute(set, name, value);
  }
  // An attribute holding small integers of the dataset's own type (CF flag_values).
  void bytes(const std::string& object, const std::string& name, const std::vector<int8_t>& v) {
    Hid set = open_object(object);
    if (H5Aexists(set, name.c_str()) > 0) H5Adelete(set, name.c_str());
    const hsize_t n = v.size();
    Hid space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    Hid attribute(H5Acreate2(set, name.c_str(), H5T_STD_I8LE, space, H5P_DEFAULT, H5P_DEFAULT),
                  H5Aclose);
    SNAPFLOW_VERIFY(
        attribute.valid() && H5Awrite(attribute, H5T_NATIVE_INT8, v.data()) >= 0,
        "cannot write attribute " << name << " of " << object << " in " << quoted(path_));
  }

  // A virtual dataset of `dims` (float32) whose box [0, count) is the box [start, start +
  // count) of the float32 dataset `source` of this file; the rest reads as 0.
  void add_view(const std::string& name, const std::vector<hsize_t>& dims,
                const std::string& source, const std::vector<hsize_t>& start,
                const std::vector<hsize_t>& count) {
    const std::vector<hsize_t> source_dims = dataset_info(open(source)).dims;
    Hid view_space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
    const std::vector<hsize_t> origin(dims.size(), 0);
    H5Sselect_hyperslab(view_space, H5S_SELECT_SET, origin.data(), nullptr, count.data(), nullptr);
    Hid source_space = box_selection(source_dims, start, count);
    Hid dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    const float zero = 0.0f;
    H5Pset_fill_value(dcpl, H5T_NATIVE_FLOAT, &zero);
    Hid lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    H5Pset_create_intermediate_group(lcpl, 1);
    Hid set;
    if (H5Pset_virtual(dcpl, view_space, ".", source.c_str(), source_space) >= 0)
      set =
          Hid(H5Dcreate2(file_, name.c_str(), H5T_IEEE_F32LE, view_space, lcpl, dcpl, H5P_DEFAULT),
              H5Dclose);
    SNAPFLOW_VERIFY(set.valid(), "cannot create the view " << name << " of " << source << " in "
                                                           << quoted(path_) << ": "
                                                           << hdf5_write_failure(file_));
  }

 private:
  Hid scalar_dataset(const std::string& name, hid_t file_type) {
    Hid space(H5Screate(H5S_SCALAR), H5Sclose);
    return Hid(
        H5Dcreate2(file_, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        H5Dclose);
  }

  Hid open_object(const std::string& object) const {
    Hid id(H5Oopen(file_, object.c_str(), H5P_DEFAULT), H5Oclose);
    SNAPFLOW_VERIFY(id.valid(), "cannot open " << object << " of " << quoted(path_));
    return id;
  }

  std::string path_;
  Hid file_;
};

// CF unit of a length along the CRS's axes ("m", "degree", ...); "1" without a CRS.
std::string length_units(const CrsFacts* facts) {
  if (!facts) return "1";
  if (facts->axis_unit == "metre" || facts->axis_unit == "meter") return "m";
  if (facts->axis_unit.empty()) return "1";
  return facts->axis_unit;
}

}  // namespace

std::string frame_view_name(const std::string& quantity, long frame) {
  char name[64];
  std::snprintf(name, sizeof(name), "/xdmf/%s_%06ld", quantity.c_str(), frame);
  return name;
}

std::string cf_time_units(const OutputLabels& labels) {
  return labels.time_is_epoch ? "seconds since 1970-01-01T00:00:00Z" : "s";
}

void describe_run_output(const std::string& path, const Grid& grid, long zones,
                         const OutputLabels& labels) {
  Describer d(path);
  const std::vector<double> frame_bounds = d.doubles("/frames/time");
  const std::vector<double> step_bounds = d.doubles("/fine/time");
  const long F = static_cast<long>(frame_bounds.size()) - 1;
  CrsFacts facts;
  bool with_crs = !labels.crs.empty();
  if (with_crs) {
    // A CRS that PROJ cannot read (e.g. a description in words) is kept as text only.
    try {
      facts = crs_facts(labels.crs);
    } catch (const Error&) {
      with_crs = false;
      d.text("/frames", "crs_text", labels.crs);
    }
  }
  const std::string length = length_units(with_crs ? &facts : nullptr);
  // "people" also when the input says "people per cell" (every value here is per cell).
  std::string mass_name = labels.units.empty() ? "mass" : labels.units;
  const std::string per_cell = " per cell";
  if (mass_name.size() > per_cell.size() &&
      mass_name.compare(mass_name.size() - per_cell.size(), per_cell.size(), per_cell) == 0)
    mass_name.resize(mass_name.size() - per_cell.size());
  const std::string mass = labels.units.empty() ? "1" : mass_name;
  const std::string time_units = cf_time_units(labels);

  d.text("/", "Conventions", "CF-1.8");
  d.text("/", "title", "snapflow run: mass flows inferred from density snapshots");
  d.text("/", "source", std::string("snapflow ") + SNAPFLOW_VERSION);
  d.text("/frames", "Conventions", "CF-1.8");

  // Coordinates of /frames.
  std::vector<double> x(grid.nx), y(grid.ny);
  for (int i = 0; i < grid.nx; ++i) x[i] = grid.x0 + (i + 0.5) * grid.dx;
  for (int j = 0; j < grid.ny; ++j) y[j] = grid.y0 + (j + 0.5) * grid.dy;
  const std::vector<double> starts(frame_bounds.begin(), frame_bounds.end() - 1);
  d.make_scale("/frames/time");
  d.add_scale("/frames/frame", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, starts);
  d.add_scale("/frames/y", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, y);
  d.add_scale("/frames/x", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, x);
  std::vector<int8_t> directions(9), offset_x(9), offset_y(9);
  for (int k = 0; k < 9; ++k) {
    directions[k] = static_cast<int8_t>(k);
    offset_x[k] = static_cast<int8_t>(k % 3 - 1);
    offset_y[k] = static_cast<int8_t>(k / 3 - 1);
  }
  d.add_scale("/frames/direction", H5T_STD_I8LE, H5T_NATIVE_INT8, directions);
  d.add_values("/frames/direction_dx", H5T_STD_I8LE, H5T_NATIVE_INT8, {9}, offset_x.data());
  d.add_values("/frames/direction_dy", H5T_STD_I8LE, H5T_NATIVE_INT8, {9}, offset_y.data());
  d.add_scale("/frames/component", H5T_STD_I8LE, H5T_NATIVE_INT8, std::vector<int8_t>{0, 1});

  for (const char* t : {"/frames/time", "/frames/frame"}) {
    d.text(t, "units", time_units);
    d.text(t, "standard_name", "time");
    d.text(t, "axis", "T");
    if (labels.time_is_epoch) d.text(t, "calendar", "standard");
  }
  d.text("/frames/time", "long_name", "frame boundary (density is the state at this time)");
  d.text("/frames/frame", "long_name", "start of the frame (it ends at the next /frames/time)");
  const bool geographic = with_crs && facts.geographic;
  d.text("/frames/x", "standard_name", geographic ? "longitude" : "projection_x_coordinate");
  d.text("/frames/y", "standard_name", geographic ? "latitude" : "projection_y_coordinate");
  d.text("/frames/x", "long_name", "cell centre, eastward");
  d.text("/frames/y", "long_name", "cell centre, northward");
  d.text("/frames/x", "units", geographic ? "degrees_east" : length);
  d.text("/frames/y", "units", geographic ? "degrees_north" : length);
  d.text("/frames/x", "axis", "X");
  d.text("/frames/y", "axis", "Y");
  d.text("/frames/direction", "long_name",
         "flow direction d = (dy + 1) * 3 + (dx + 1) for cell offsets dx, dy; 4 = stayed");
  d.text("/frames/direction_dx", "long_name", "eastward cell offset of the direction");
  d.text("/frames/direction_dy", "long_name", "northward cell offset of the direction");
  for (const char* o : {"/frames/direction", "/frames/direction_dx", "/frames/direction_dy"})
    d.text(o, "units", "1");
  d.text("/frames/component", "long_name", "velocity component");
  d.bytes("/frames/component", "flag_values", {0, 1});
  d.text("/frames/component", "flag_meanings", "eastward northward");

  std::string coordinates;
  if (with_crs) {
    d.add_values("/frames/crs", H5T_STD_I32LE, H5T_NATIVE_INT32, {},
                 std::vector<int32_t>{0}.data());
    d.text("/frames/crs", "crs_wkt", facts.wkt);
    d.text("/frames/crs", "spatial_ref", facts.wkt);
    d.text("/frames/crs", "long_name", describe_crs(labels.crs));
    if (!geographic) {
      std::vector<double> lon(static_cast<size_t>(grid.cells())), lat(lon.size());
      for (int j = 0; j < grid.ny; ++j)
        for (int i = 0; i < grid.nx; ++i) {
          lon[static_cast<size_t>(j) * grid.nx + i] = x[i];
          lat[static_cast<size_t>(j) * grid.nx + i] = y[j];
        }
      CrsTransform(labels.crs, "OGC:CRS84").apply(lon, lat);
      const std::vector<hsize_t> plane = {static_cast<hsize_t>(grid.ny),
                                          static_cast<hsize_t>(grid.nx)};
      d.add_values("/frames/lon", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, plane, lon.data());
      d.add_values("/frames/lat", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, plane, lat.data());
      d.attach("/frames/lon", {"/frames/y", "/frames/x"});
      d.attach("/frames/lat", {"/frames/y", "/frames/x"});
      d.text("/frames/lon", "standard_name", "longitude");
      d.text("/frames/lat", "standard_name", "latitude");
      d.text("/frames/lon", "units", "degrees_east");
      d.text("/frames/lat", "units", "degrees_north");
      coordinates = "lon lat";
    }
  }
  // Every axis of every dataset needs a scale, the auxiliary coordinates' too.
  d.attach("/frames/direction_dx", {"/frames/direction"});
  d.attach("/frames/direction_dy", {"/frames/direction"});

  struct Variable {
    const char* name;
    std::vector<std::string> dims;
    std::string units, long_name;
    bool on_grid;
  };
  const std::vector<Variable> variables = {
      {"/frames/density",
       {"/frames/time", "/frames/y", "/frames/x"},
       mass,
       mass_name + " per cell: the reconstructed (DMD) state at the frame boundary",
       true},
      {"/frames/flow",
       {"/frames/frame", "/frames/y", "/frames/x", "/frames/direction"},
       mass,
       mass_name + " moved out of the cell towards the direction during the frame",
       true},
      {"/frames/velocity",
       {"/frames/frame", "/frames/y", "/frames/x", "/frames/component"},
       length + " s-1",
       "mean velocity of the " + mass_name + " in the cell over the frame",
       true},
      {"/frames/done", {"/frames/frame"}, "1", "1 once the frame is completely written", false},
  };
  for (const Variable& v : variables) {
    d.attach(v.name, v.dims);
    d.text(v.name, "units", v.units);
    d.text(v.name, "long_name", v.long_name);
    if (v.on_grid && with_crs) d.text(v.name, "grid_mapping", "crs");
    std::string coords = v.on_grid ? coordinates : "";
    if (std::string(v.name) == "/frames/flow")
      coords += std::string(coords.empty() ? "" : " ") + "direction_dx direction_dy";
    if (!coords.empty()) d.text(v.name, "coordinates", coords);
  }
  d.bytes("/frames/done", "flag_values", {0, 1});
  d.text("/frames/done", "flag_meanings", "pending written");

  // /fine: one value per fine step; /fine/time holds the K + 1 step boundaries.
  const std::vector<double> step_starts(step_bounds.begin(), step_bounds.end() - 1);
  d.make_scale("/fine/time");
  d.add_scale("/fine/step", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, step_starts);
  for (const char* t : {"/fine/time", "/fine/step"}) {
    d.text(t, "units", time_units);
    d.text(t, "standard_name", "time");
  }
  d.text("/fine/time", "long_name", "fine step boundary (a state of the transport chain)");
  d.text("/fine/step", "long_name", "start of the fine step (one transport LP)");
  for (const char* name :
       {"cost", "moved", "created", "destroyed", "clipped", "status", "seconds", "pivots"}) {
    const std::string set = std::string("/fine/") + name;
    if (d.has(set)) d.attach(set, {"/fine/step"});
  }
  d.text("/fine/cost", "units", mass + " " + length);
  for (const char* name : {"moved", "created", "destroyed", "clipped"})
    if (d.has(std::string("/fine/") + name)) d.text(std::string("/fine/") + name, "units", mass);
  if (d.has("/fine/seconds")) {
    d.text("/fine/seconds", "units", "s");
    d.text("/fine/seconds", "long_name", "wall time of the step's LP on its worker");
    d.text("/fine/pivots", "units", "1");
    d.text("/fine/pivots", "long_name", "simplex pivots of the step's LP");
  }
  d.bytes("/fine/status", "flag_values", {0, 1, 2});
  d.text("/fine/status", "flag_meanings", "optimal relaxed infeasible");

  if (zones > 0) {
    const std::vector<int32_t> ids = d.ints("/od/zone_ids");
    d.add_scale("/od/frame", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, starts);
    d.add_scale("/od/origin", H5T_STD_I32LE, H5T_NATIVE_INT32, ids);
    d.add_scale("/od/destination", H5T_STD_I32LE, H5T_NATIVE_INT32, ids);
    d.text("/od/frame", "units", time_units);
    d.text("/od/frame", "standard_name", "time");
    d.text("/od/origin", "long_name", "zone id the mass leaves");
    d.text("/od/destination", "long_name", "zone id the mass enters");
    d.attach("/od/flow", {"/od/frame", "/od/origin", "/od/destination"});
    d.attach("/od/zone_ids", {"/od/origin"});
    if (d.has("/od/trips")) {
      const std::vector<double> bounds = d.doubles("/od/time");
      d.make_scale("/od/time");
      d.add_scale("/od/window", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                  std::vector<double>(bounds.begin(), bounds.end() - 1));
      for (const char* t : {"/od/time", "/od/window"}) {
        d.text(t, "units", time_units);
        d.text(t, "standard_name", "time");
      }
      d.text("/od/time", "long_name", "trip window boundary (the chains of fine steps)");
      d.text("/od/window", "long_name", "start of the trip window (it ends at the next /od/time)");
      d.attach("/od/trips", {"/od/window", "/od/origin", "/od/destination"});
      d.text("/od/trips", "units", mass);
      d.text("/od/trips", "long_name",
             mass_name +
                 " in zone origin at the window's start that is in zone destination at "
                 "its end, followed through the window's fine-step plans");
    }
    d.add_scale("/od/y", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, y);
    d.add_scale("/od/x", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, x);
    d.attach("/od/zones", {"/od/y", "/od/x"});
    d.text("/od/zones", "long_name", "zone id of the cell (-1: none)");
    d.text("/od/flow", "units", mass);
    d.text("/od/flow", "long_name",
           mass_name + " crossing from zone origin into zone destination during the frame");
  }
  const hsize_t ny = static_cast<hsize_t>(grid.ny), nx = static_cast<hsize_t>(grid.nx);
  for (long f = 0; f < F; ++f) {
    const hsize_t frame = static_cast<hsize_t>(f);
    d.add_view(frame_view_name("density", f), {1, ny, nx}, "/frames/density", {frame, 0, 0},
               {1, ny, nx});
    d.add_view(frame_view_name("velocity", f), {1, ny, nx, 3}, "/frames/velocity", {frame, 0, 0, 0},
               {1, ny, nx, 2});
  }
  d.text("/xdmf", "comment", "per-frame views of /frames for the XDMF sidecar (ParaView)");
  d.close();
}

}  // namespace snapflow
