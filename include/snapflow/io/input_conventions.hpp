// How one writer's file maps onto the input schema (DESIGN.md section 2.1).
//
// Files come from h5py, netCDF-4 / xarray and MATLAB v7.3 as well as from snapflow itself.
// They differ in where the grid is (root attributes dx, dy, x0, y0, or coordinate variables
// x / y that are dimension scales of /density), in the axis order of /density ([T, ny, nx],
// or [T, nx, ny] as MATLAB stores its column-major density(j, i, t), or as a netCDF file
// whose dimensions are named (time, x, y)), in the row order (y ascending, or descending as
// rasters are), in how values are coded (_FillValue / missing_value, scale_factor /
// add_offset) and in how times are given (seconds, or CF "units since date"). This module
// finds all of that once, on open, so that the reader can present every file in the schema's
// own terms: [T][j][i] with j from south to north, values in physical units, times in seconds.
#pragma once

#include <hdf5.h>

#include <optional>
#include <string>
#include <vector>

#include "snapflow/core/grid.hpp"

namespace snapflow {

// Where the rows and columns of the schema are in a stored plane.
struct PlaneOrder {
  bool transposed = false;       // stored [.., nx, ny] instead of [.., ny, nx]
  bool rows_descending = false;  // stored row 0 is the northern edge
};

// Physical value = raw * scale + offset; raw values equal to a fill value are missing.
struct ValueCoding {
  std::vector<double> fill_values;  // _FillValue and missing_value
  double scale = 1.0;
  double offset = 0.0;
  bool identity() const { return fill_values.empty() && scale == 1.0 && offset == 0.0; }
};

struct InputConventions {
  std::string writer;  // "snapflow/h5py", "netCDF-4", "MATLAB v7.3"
  PlaneOrder order;
  ValueCoding density_coding;
  Grid grid;                       // nx, ny, dx, dy, x0, y0
  std::string grid_source;         // "root attributes dx, dy" or "coordinates /x, /y"
  std::vector<double> time;        // seconds, decoded
  std::string time_units;          // the file's time_units, or the CF units decoded
  bool time_is_epoch = false;      // seconds since 1970-01-01T00:00:00Z
  std::string crs, units;          // root attributes, MATLAB char datasets or a grid mapping
  std::vector<std::string> notes;  // how the file was read, for `info`
};

// Reads the conventions of an open file whose /density has the given dims (rank 3). `where`
// prefixes every error message (e.g. "input 'a.h5'"). Throws snapflow::Error for a file that
// does not describe a grid and times in any of the known ways.
InputConventions detect_conventions(hid_t file, const std::vector<hsize_t>& density_dims,
                                    const std::string& where);

// A number stored as a root attribute, or as a one-element dataset /name (MATLAB saves
// variables as datasets); nullopt when absent. Throws if it exists but is not one number.
std::optional<double> read_root_number(hid_t file, const std::string& name,
                                       const std::string& where);
// A text stored as a root attribute (any string type, fixed or variable length, ASCII or
// UTF-8, scalar or one-element array), or as a MATLAB char dataset /name.
std::optional<std::string> read_root_text(hid_t file, const std::string& name,
                                          const std::string& where);

// Decodes a CF time unit "seconds|minutes|hours|days since YYYY-MM-DD[ HH:MM[:SS]][Z|+HH:MM]"
// into seconds per unit and the epoch second of its origin; nullopt if `units` is not one.
struct CfTimeUnits {
  double seconds_per_unit = 1.0;
  double origin_epoch_seconds = 0.0;
};
std::optional<CfTimeUnits> parse_cf_time_units(const std::string& units);

}  // namespace snapflow
