#!/usr/bin/python3
"""Inputs for `snapflow ingest` in each format, and checks of what it wrote (with h5py).

  ingest_checks.py make-csv DIR        long tables (by id on a grid file, by x/y, by lon/lat)
  ingest_checks.py make-rasters DIR    ASCII grids for gdal_translate (see cli_ingest.sh)
  ingest_checks.py make-points DIR     a CSV of weighted points
  ingest_checks.py check-milano OUT.h5 EXPECTED.npz VARIABLE INTERVAL_S [DROPPED_SLOTS]
  ingest_checks.py check-csv OUT.h5 DIR KIND
  ingest_checks.py check-rasters OUT.h5 DIR
  ingest_checks.py check-points OUT.h5 NPZ|CSV
  ingest_checks.py same A.h5 B.h5       the two files hold the same datasets and values
"""
import json
import sys

import h5py
import numpy as np

NX, NY, CELL, X0, Y0 = 6, 4, 100.0, 500000.0, 5000000.0
TIMES = ["2013-11-01T08:00:00Z", "2013-11-01T08:15:00Z", "2013-11-01T08:30:00Z"]
EPOCH = [1383292800.0, 1383293700.0, 1383294600.0]


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def table_values():
    j, i = np.mgrid[0:NY, 0:NX]
    return [10.0 + i + 10 * j + 100 * t for t in range(len(TIMES))]


def make_csv(directory):
    # The grid as a GeoJSON of squares in UTM 32N, ids counting from 101.
    features = []
    for j in range(NY):
        for i in range(NX):
            x, y = X0 + i * CELL, Y0 + j * CELL
            ring = [[x, y], [x + CELL, y], [x + CELL, y + CELL], [x, y + CELL], [x, y]]
            features.append({"type": "Feature", "properties": {"square": 101 + j * NX + i},
                             "geometry": {"type": "Polygon", "coordinates": [ring]}})
    with open(f"{directory}/grid.geojson", "w") as f:
        json.dump({"type": "FeatureCollection",
                   "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32632"}},
                   "features": features}, f)
    values = table_values()
    with open(f"{directory}/by_id.csv", "w") as f:
        f.write("when;square;people\n")  # semicolons: OGR detects the separator
        for t, when in enumerate(TIMES):
            for j in range(NY):
                for i in range(NX):
                    if (i + j + t) % 5 == 0:
                        continue  # absent rows are zero
                    f.write(f"{when};{101 + j * NX + i};{values[t][j, i]}\n")
        f.write(f"{TIMES[0]};abc;1\n")            # not a number
        f.write(f"yesterday;101;1\n")             # bad time
        f.write(f"{TIMES[0]};102;-5\n")           # negative
        f.write(f"{TIMES[0]};999;1\n")            # unknown id
    with open(f"{directory}/by_xy.csv", "w") as f:
        f.write("t,x,y,n\n")
        for t, epoch in enumerate(EPOCH):
            for j in range(NY):
                for i in range(NX):
                    f.write(f"{epoch:.0f},{X0 + (i + 0.5) * CELL},{Y0 + (j + 0.5) * CELL},"
                            f"{values[t][j, i]}\n")


def expected_table(kind):
    values = [v.copy() for v in table_values()]
    if kind == "by_id":
        for t in range(len(TIMES)):
            for j in range(NY):
                for i in range(NX):
                    if (i + j + t) % 5 == 0:
                        values[t][j, i] = 0.0
    return np.stack(values)


def check_csv(out, directory, kind):
    with h5py.File(out, "r") as f:
        d = f["density"][:]
        t = f["time"][:]
        if kind == "by_id":
            ids = f["cell_id"][:]
            if ids[0, 0] != 101 or ids[-1, -1] != 100 + NX * NY:
                fail(f"cell ids {ids[0, 0]} .. {ids[-1, -1]}")
        if not np.allclose([f.attrs["dx"], f.attrs["dy"]], CELL):
            fail(f"cell size {f.attrs['dx']} x {f.attrs['dy']}")
    if not np.allclose(t, EPOCH):
        fail(f"times {t}, expected {EPOCH}")
    want = expected_table(kind)
    if d.shape != want.shape or not np.allclose(d, want):
        fail(f"{kind}: density {d.shape} differs from the table {want.shape}")
    print(f"csv {kind}: {d.shape[0]} snapshots on {d.shape[2]} x {d.shape[1]} cells match the table")


def make_rasters(directory):
    values = table_values()
    for t, when in enumerate(["20131101T0800", "20131101T0815", "20131101T0830"]):
        v = values[t].copy()
        if t == 1:
            v[2, 3] = -9999.0  # nodata
        with open(f"{directory}/presence_{when}.asc", "w") as f:
            f.write(f"ncols {NX}\nnrows {NY}\nxllcorner {X0}\nyllcorner {Y0}\n"
                    f"cellsize {CELL}\nNODATA_value -9999\n")
            for row in v[::-1]:  # north first
                f.write(" ".join(f"{x:g}" for x in row) + "\n")


def check_rasters(out, directory):
    want = np.stack(table_values())
    want[1, 2, 3] = np.nan
    with h5py.File(out, "r") as f:
        d = f["density"][:]
        t = f["time"][:]
        x0, y0 = f.attrs["x0"], f.attrs["y0"]
        crs = f.attrs.get("crs", b"")
    if not np.array_equal(np.isnan(d), np.isnan(want)) or not np.allclose(
            np.nan_to_num(d), np.nan_to_num(want)):
        fail(f"raster density differs: {d[:, :, 0]} vs {want[:, :, 0]}")
    if not np.allclose(t, EPOCH) or not np.allclose([x0, y0], [X0, Y0]):
        fail(f"raster times {t} or origin {x0}, {y0}")
    if b"32632" not in crs:
        fail(f"raster crs {crs!r}")
    print(f"rasters: {d.shape[0]} snapshots match, nodata read as missing, crs {crs.decode()}")


def make_points(directory):
    rng = np.random.default_rng(3)
    with open(f"{directory}/points.csv", "w") as f:
        f.write("time,x,y,weight\n")
        for t in range(3):
            for _ in range(50):
                f.write(f"{t * 60},{rng.normal(t, 1)},{rng.normal(0, 0.5)},{rng.uniform(0.5, 2)}\n")


def check_points(out, source):
    with h5py.File(out, "r") as f:
        d = f["density"][:]
        t = f["time"][:]
    if source.endswith(".npz"):
        p = np.load(source)["positions"]
        mass = np.full(p.shape[0], float(p.shape[1]))
    else:
        rows = np.loadtxt(source, delimiter=",", skiprows=1)
        times = np.unique(rows[:, 0])
        mass = np.array([rows[rows[:, 0] == u, 3].sum() for u in times])
    got = d.sum(axis=(1, 2))
    if d.shape[0] != mass.size or not np.allclose(got, mass, rtol=1e-12):
        fail(f"point mass per frame {got}, expected {mass}")
    if np.any(d < 0) or np.any(np.diff(t) <= 0):
        fail("negative deposit or times not increasing")
    print(f"points: {d.shape[0]} frames on {d.shape[2]} x {d.shape[1]} cells, mass kept per frame "
          f"(max relative error {np.max(np.abs(got / mass - 1)):.1e})")


def check_milano(out, expected_path, variable, interval, dropped):
    e = np.load(expected_path)
    dropped = {int(s) for s in dropped.split(",") if s}
    with h5py.File(out, "r") as f:
        d = f["density"][:]
        ids = f["cell_id"][:]
        t = f["time"][:]
        mask = f["mask"][:]
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    if attrs.get("crs") != "EPSG:32632" or not np.isclose(attrs["dx"], 235.0) or \
            not np.isclose(attrs["dy"], 235.0):
        fail(f"grid attributes {attrs}")
    if not np.isclose(attrs["x0"], 500900.0) or not np.isclose(attrs["y0"], 5022575.0, atol=1e-3):
        fail(f"origin {attrs['x0']}, {attrs['y0']}")
    if ids[0, 0] != 1 or ids[0, 1] != 2 or ids[1, 0] != 101 or mask.min() != 1:
        fail(f"cell ids / mask: {ids[:2, :2]}")
    per_slot = e["internet" if variable == "internet" else "all"][:, ids.ravel() - 1]
    slots = per_slot.shape[0]
    k = int(round(interval / 600))
    slot_ms = e["slot_ms"]
    first_bin = (slot_ms[0] // (k * 600000)) * k * 600000
    bins = int((slot_ms[-1] - first_bin) // (k * 600000)) + 1
    want = np.full((bins, ids.size), np.nan)
    for b in range(bins):
        members = [s for s in range(slots)
                   if first_bin + b * k * 600000 <= slot_ms[s] < first_bin + (b + 1) * k * 600000
                   and s not in dropped]
        if members:
            want[b] = per_slot[members].mean(axis=0)
    want = want.reshape(d.shape) if want.size == d.size else want
    if d.shape != want.shape:
        fail(f"density shape {d.shape}, expected {want.shape}")
    if not np.array_equal(np.isnan(d), np.isnan(want)):
        fail(f"missing snapshots {np.where(np.isnan(d).all(axis=(1, 2)))[0]}, expected "
             f"{np.where(np.isnan(want).all(axis=(1, 2)))[0]}")
    worst = np.nanmax(np.abs(d - want) / np.maximum(np.abs(want), 1e-12))
    if worst > 1e-12:
        fail(f"density differs from the rows' sums by up to {worst:.2e} (relative)")
    if not np.allclose(t * 1000, first_bin + np.arange(bins) * k * 600000):
        fail(f"times {t}")
    print(f"milano {variable} / {interval} s: {d.shape[0]} snapshots match the rows' sums "
          f"(relative error {worst:.1e}), {int(np.isnan(d).all(axis=(1, 2)).sum())} missing")


def same(a, b):
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        for name in ("density", "time", "cell_id", "mask"):
            if name in fa and not np.array_equal(fa[name][:], fb[name][:], equal_nan=True):
                fail(f"{name} differs between {a} and {b}")
    print(f"{a} and {b} hold the same values")


def main():
    command, args = sys.argv[1], sys.argv[2:]
    if command == "make-csv":
        make_csv(*args)
    elif command == "make-rasters":
        make_rasters(*args)
    elif command == "make-points":
        make_points(*args)
    elif command == "check-milano":
        check_milano(args[0], args[1], args[2], float(args[3]), args[4] if len(args) > 4 else "")
    elif command == "check-csv":
        check_csv(*args)
    elif command == "check-rasters":
        check_rasters(*args)
    elif command == "check-points":
        check_points(*args)
    elif command == "same":
        same(*args)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
