#!/usr/bin/python3
"""Input files written the ordinary way by real libraries (h5py, netCDF4, xarray with both
engines, hdf5storage's MATLAB v7.3), and the check that snapflow reads what each writer meant.

  real_writers.py write DIR      writes DIR/<case>.h5|.nc|.mat and DIR/<case>.expected.npz
  real_writers.py check DIR CASE compares DIR/<case>.json/.bin (tests/read_input) with it

The expected arrays are in the schema's order: density [T][j][i], j from south to north,
NaN where the writer meant "missing".
"""
import json
import sys

import numpy as np

T, NY, NX = 4, 5, 7
DX, DY, X0, Y0 = 250.0, 200.0, 500000.0, 5000000.0
EPOCH_2013_11_01 = 1383264000.0


def schema_density(seed=1):
    rng = np.random.default_rng(seed)
    j, i = np.mgrid[0:NY, 0:NX]
    base = 10.0 + 3.0 * i + 7.0 * j  # differs along both axes: a flip or transpose shows
    return np.stack([base + t + rng.integers(0, 3, size=base.shape) for t in range(T)]).astype(float)


def centres():
    return X0 + (np.arange(NX) + 0.5) * DX, Y0 + (np.arange(NY) + 0.5) * DY


def save_expected(directory, case, density, time, **grid):
    expected = dict(dx=DX, dy=DY, x0=X0, y0=Y0)
    expected.update(grid)
    np.savez(f"{directory}/{case}.expected.npz", density=density, time=np.asarray(time, float),
             **{k: np.float64(v) for k, v in expected.items()})


def write_h5py_defaults(directory):
    import h5py
    d = schema_density(1)
    time = np.arange(T) * 900.0
    with h5py.File(f"{directory}/h5py_defaults.h5", "w") as f:
        f.attrs.update(dx=DX, dy=DY, x0=X0, y0=Y0)
        f.attrs["crs"] = "EPSG:32632"  # h5py default: variable-length UTF-8
        f.attrs["units"] = "people"
        f.attrs["time_units"] = "seconds since 2013-11-01T00:00:00Z"
        f.create_dataset("density", data=d.astype(np.float32), chunks=(1, 2, NX),
                         compression="gzip")
        f["time"] = time
        mask = np.ones((NY, NX), dtype=bool)  # numpy bool: an HDF5 enum
        mask[0, 0] = False
        f["mask"] = mask
        f["zones"] = (np.arange(NY * NX).reshape(NY, NX) % 3).astype(np.int64)
    save_expected(directory, "h5py_defaults", d.astype(np.float32).astype(float), time)


def write_h5py_bigendian(directory):
    import h5py
    d = schema_density(2)
    time = (np.arange(T) * 600).astype(">i8")
    with h5py.File(f"{directory}/h5py_bigendian.h5", "w") as f:
        f.attrs["dx"] = np.array([DX])  # one-element arrays, as some writers store scalars
        f.attrs["dy"] = np.array([DY])
        f.attrs["x0"] = X0
        f.attrs["y0"] = Y0
        f.attrs["crs"] = np.bytes_("EPSG:32632")  # fixed-length ASCII
        f.attrs["units"] = np.bytes_("people")
        f.create_dataset("density", data=d.astype(">i2"), chunks=(2, NY, 3), compression="gzip",
                         shuffle=True)
        f["time"] = time
    save_expected(directory, "h5py_bigendian", d, time)


def write_netcdf4_packed(directory):
    import netCDF4
    d = schema_density(3)
    d[1, 2, 3] = np.nan  # a gap in one cell
    x, y = centres()
    with netCDF4.Dataset(f"{directory}/netcdf4_packed.nc", "w") as f:
        f.createDimension("time", T)
        f.createDimension("y", NY)
        f.createDimension("x", NX)
        tv = f.createVariable("time", "f8", ("time",))
        tv.units = "hours since 2013-11-01 00:00:00"
        tv.calendar = "standard"
        tv[:] = np.arange(T) * 0.25
        yv = f.createVariable("y", "f8", ("y",))
        yv[:] = y[::-1]  # north to south, as rasters are stored
        yv.standard_name = "projection_y_coordinate"
        xv = f.createVariable("x", "f8", ("x",))
        xv[:] = x
        xv.standard_name = "projection_x_coordinate"
        v = f.createVariable("density", "i2", ("time", "y", "x"), fill_value=-999, zlib=True)
        v.scale_factor = 0.5
        v.add_offset = 10.0
        v.units = "people"
        v.set_auto_maskandscale(True)
        v[:] = np.ma.masked_invalid(d[:, ::-1, :])
        f.crs = "EPSG:32632"
    quantised = np.round((d - 10.0) / 0.5) * 0.5 + 10.0
    save_expected(directory, "netcdf4_packed", quantised,
                  EPOCH_2013_11_01 + np.arange(T) * 900.0)


def xarray_dataset(transposed):
    import pandas as pd
    import xarray as xr
    d = schema_density(4)
    d[:, 0, NX - 1] = np.nan  # a cell without data at any time (sea)
    x, y = centres()
    times = pd.date_range("2013-11-01", periods=T, freq="15min")
    if transposed:
        data = ("time", "x", "y"), np.transpose(d, (0, 2, 1))
    else:
        data = ("time", "y", "x"), d
    ds = xr.Dataset({"density": data}, coords={"time": times, "y": y, "x": x})
    ds["density"].attrs["units"] = "people"
    return ds, d


def write_xarray_h5netcdf(directory):
    ds, d = xarray_dataset(False)
    ds.to_netcdf(f"{directory}/xarray_h5netcdf.nc", engine="h5netcdf")
    save_expected(directory, "xarray_h5netcdf", d, EPOCH_2013_11_01 + np.arange(T) * 900.0)


def write_xarray_netcdf4_transposed(directory):
    import xarray as xr
    ds, d = xarray_dataset(True)
    # A CF grid mapping as rioxarray writes it.
    ds["spatial_ref"] = xr.DataArray(0, attrs={"crs_wkt": 'PROJCS["WGS 84 / UTM zone 32N",'
                                               'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID['
                                               '"WGS 84",6378137,298.257223563]],PRIMEM['
                                               '"Greenwich",0],UNIT["degree",0.0174532925199433]]'
                                               ',PROJECTION["Transverse_Mercator"],PARAMETER['
                                               '"latitude_of_origin",0],PARAMETER['
                                               '"central_meridian",9],PARAMETER["scale_factor",'
                                               '0.9996],PARAMETER["false_easting",500000],'
                                               'PARAMETER["false_northing",0],UNIT["metre",1]]'})
    ds["density"].attrs["grid_mapping"] = "spatial_ref"
    ds.to_netcdf(f"{directory}/xarray_netcdf4_transposed.nc", engine="netcdf4")
    save_expected(directory, "xarray_netcdf4_transposed", d,
                  EPOCH_2013_11_01 + np.arange(T) * 900.0)


def write_matlab(directory):
    import hdf5storage
    d = schema_density(5)
    time = np.arange(T) * 900.0
    # MATLAB's natural layout: density(j, i, t), a row vector of times, scalars, char arrays.
    variables = {"density": np.ascontiguousarray(np.transpose(d, (1, 2, 0))),
                 "time": time.reshape(1, T), "dx": DX, "dy": DY, "x0": X0, "y0": Y0,
                 "crs": "EPSG:32632", "units": "people"}
    hdf5storage.savemat(f"{directory}/matlab.mat", variables, format="7.3",
                        store_python_metadata=False)
    save_expected(directory, "matlab", d, time)


WRITERS = {
    "h5py_defaults": (write_h5py_defaults, ".h5"),
    "h5py_bigendian": (write_h5py_bigendian, ".h5"),
    "netcdf4_packed": (write_netcdf4_packed, ".nc"),
    "xarray_h5netcdf": (write_xarray_h5netcdf, ".nc"),
    "xarray_netcdf4_transposed": (write_xarray_netcdf4_transposed, ".nc"),
    "matlab": (write_matlab, ".mat"),
}


def check(directory, case):
    expected = np.load(f"{directory}/{case}.expected.npz")
    with open(f"{directory}/{case}.json") as f:
        meta = json.load(f)
    failures = []
    for key in ("dx", "dy", "x0", "y0"):
        if not np.isclose(meta[key], float(expected[key]), rtol=1e-12, atol=1e-6):
            failures.append(f"{key} = {meta[key]}, expected {float(expected[key])}")
    if (meta["ny"], meta["nx"]) != (NY, NX):
        failures.append(f"grid {meta['ny']} x {meta['nx']}, expected {NY} x {NX}")
    if not np.allclose(meta["time"], expected["time"], rtol=0, atol=1e-3):
        failures.append(f"times {meta['time']}, expected {list(expected['time'])}")
    raw = np.fromfile(f"{directory}/{case}.bin", dtype=np.float64)
    cube = T * NY * NX
    if raw.size == cube + 2 * NY * NX and not failures:
        density = raw[:cube].reshape(T, NY, NX)
        want = expected["density"]
        if not np.array_equal(np.isnan(density), np.isnan(want)):
            failures.append(f"missing values at {np.argwhere(np.isnan(density)).tolist()}, "
                            f"expected at {np.argwhere(np.isnan(want)).tolist()}")
        elif not np.allclose(np.nan_to_num(density), np.nan_to_num(want), rtol=1e-6, atol=1e-9):
            bad = np.argwhere(~np.isclose(np.nan_to_num(density), np.nan_to_num(want)))[0]
            failures.append(f"density differs, first at [t, j, i] = {bad.tolist()}: "
                            f"{density[tuple(bad)]} vs {want[tuple(bad)]}")
    elif raw.size != cube + 2 * NY * NX:
        failures.append(f"{raw.size} values dumped, expected {cube + 2 * NY * NX}")
    if "EPSG:32632" not in meta["crs"] and "UTM zone 32N" not in meta["crs"] and case != "xarray_h5netcdf":
        failures.append(f"crs {meta['crs']!r}")
    if case != "xarray_netcdf4_transposed" and meta["units"] != "people":
        failures.append(f"units {meta['units']!r}")
    print(f"{case}: read by snapflow as {meta['writer']}: " +
          ("ok" if not failures else "; ".join(failures)))
    return not failures


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "write":
        for case, (writer, extension) in WRITERS.items():
            writer(sys.argv[2])
            print(f"{case}{extension}")
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        return 0 if check(sys.argv[2], sys.argv[3]) else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
