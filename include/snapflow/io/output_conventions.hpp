// CF-1.8 / netCDF-4 description of a finished run output (DESIGN.md section 2.2), so that
// xarray (h5netcdf and netCDF4 engines), ncdump and ParaView's NetCDF reader see named
// dimensions and coordinates instead of phony ones.
//
// Every dataset of /frames, /fine and /od gets a dimension scale on each axis: /frames/time
// (frame boundaries, F + 1) and /frames/frame (frame starts, F), /frames/y and /frames/x (cell
// centres in the input's CRS), /frames/direction (the 9 flow directions, with their offsets
// as auxiliary coordinates) and /frames/component (vx, vy); /fine/time and /fine/step;
// /od/frame, /od/origin and /od/destination. With a CRS, /frames/crs holds the CF grid mapping
// and /frames/lon, /frames/lat the cell centres in longitude and latitude. Units: the input's
// mass unit on density and flow, the CRS's length unit on x, y and velocity, CF time units.
//
// For ParaView, /xdmf holds per-frame views (HDF5 virtual datasets, no copy of the data):
// density_NNNNNN [1, ny, nx] of /frames/density and velocity_NNNNNN [1, ny, nx, 3] of
// /frames/velocity with a zero vertical component, which the XDMF sidecar names.
#pragma once

#include <string>

#include "snapflow/core/grid.hpp"

namespace snapflow {

// What the input said about its units and coordinates (all optional).
struct OutputLabels {
  std::string crs;             // any CRS text PROJ reads
  std::string units;           // of the mass, e.g. "people"
  bool time_is_epoch = false;  // times count seconds since 1970-01-01T00:00:00Z
};

// Adds the description to the HDF5 file at `path`, which no process has open; the times come
// from its /frames/time and /fine/time. Serial (one process); throws snapflow::Error naming
// the file and the object that could not be written.
void describe_run_output(const std::string& path, const Grid& grid, long zones,
                         const OutputLabels& labels);

// The view of frame f of "density" or "velocity" that the XDMF sidecar reads.
std::string frame_view_name(const std::string& quantity, long frame);

// The CF units of the output's times: "seconds since 1970-01-01T00:00:00Z" or "s".
std::string cf_time_units(const OutputLabels& labels);

}  // namespace snapflow
