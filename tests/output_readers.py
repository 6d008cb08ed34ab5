#!/usr/bin/python3
"""Reads a `snapflow run` output (DESIGN.md section 2.2) with the libraries analysts use and
checks what they see against h5py's plain view of the same file.

Usage: output_readers.py xarray RUN.h5
       output_readers.py exports RUN.h5 DIR FORMAT [ZONES.npy]
Exit status 0 when every check passes; 1 listing the failures.
"""
import json
import sys

import h5py
import numpy as np


def check_xarray(path):
    import xarray as xr

    problems = []
    with h5py.File(path, "r") as f:
        density = f["frames/density"][()]
        flow = f["frames/flow"][()]
        velocity = f["frames/velocity"][()]
        frame_time = f["frames/time"][()]
        od = f["od/flow"][()] if "od" in f else None
        nx, ny = int(f.attrs["nx"]), int(f.attrs["ny"])
        x0, dx = f.attrs["x0"], f.attrs["dx"]
    for engine in ("h5netcdf", "netcdf4"):
        try:
            ds = xr.open_dataset(path, group="frames", engine=engine, decode_coords="all")
        except Exception as error:  # the failure is the finding
            problems.append(f"{engine}: cannot open /frames: {error}")
            continue
        with ds:
            want = {"density": ("time", "y", "x"), "flow": ("frame", "y", "x", "direction"),
                    "velocity": ("frame", "y", "x", "component")}
            for name, dims in want.items():
                if ds[name].dims != dims:
                    problems.append(f"{engine}: {name} has dims {ds[name].dims}, want {dims}")
            for name in ("time", "frame", "x", "y", "direction", "component", "lon", "lat", "crs"):
                if name not in ds.coords:
                    problems.append(f"{engine}: no coordinate {name}")
            if problems:
                continue
            if not np.array_equal(ds["density"].values, density) or \
                    not np.array_equal(ds["flow"].values, flow) or \
                    not np.array_equal(ds["velocity"].values, velocity):
                problems.append(f"{engine}: values differ from h5py's")
            if ds["time"].dtype.kind != "M":
                problems.append(f"{engine}: time is {ds['time'].dtype}, not decoded as dates")
            else:
                seconds = ds["time"].values.astype("datetime64[s]").astype(np.int64)
                if not np.array_equal(seconds, np.round(frame_time).astype(np.int64)):
                    problems.append(f"{engine}: decoded times differ from /frames/time")
            if ds.sizes["x"] != nx or ds.sizes["y"] != ny or \
                    not np.allclose(ds["x"].values, x0 + (np.arange(nx) + 0.5) * dx):
                problems.append(f"{engine}: x coordinate is not the cell centres")
            if ds["density"].attrs.get("units") != "people" or ds["flow"].attrs.get("units") != "people":
                problems.append(f"{engine}: density/flow units {ds['density'].attrs.get('units')!r}")
            if ds["velocity"].attrs.get("units") != "m s-1":
                problems.append(f"{engine}: velocity units {ds['velocity'].attrs.get('units')!r}")
            lon, lat = ds["lon"].values, ds["lat"].values
            if not (8 < lon.min() < lon.max() < 11 and 44 < lat.min() < lat.max() < 47):
                problems.append(f"{engine}: lon/lat not near Milan: {lon.min()}..{lat.max()}")
            if list(ds["direction_dx"].values) != [-1, 0, 1] * 3:
                problems.append(f"{engine}: direction_dx {ds['direction_dx'].values}")
            # Selecting by coordinate works as an analyst would use it.
            first = ds["density"].sel(time=ds["time"][0]).sum().item()
            if not np.isclose(first, density[0].sum(dtype=np.float64), rtol=1e-5):
                problems.append(f"{engine}: sel(time=...) sums to {first}")
        if od is not None:
            with xr.open_dataset(path, group="od", engine=engine) as z:
                if z["flow"].dims != ("frame", "origin", "destination") or \
                        not np.array_equal(z["flow"].values, od):
                    problems.append(f"{engine}: /od/flow dims {z['flow'].dims}")
    return problems


def zone_crossings(flow, zones):
    """Mass crossing from zone a into zone b per frame: {(frame, a, b): mass}."""
    F, ny, nx, _ = flow.shape
    totals = {}
    for d in range(9):
        if d == 4:
            continue
        oy, ox = d // 3 - 1, d % 3 - 1
        for j in range(ny):
            jj = j + oy
            if jj < 0 or jj >= ny:
                continue
            for i in range(nx):
                ii = i + ox
                if ii < 0 or ii >= nx:
                    continue
                a, b = zones[j, i], zones[jj, ii]
                if a < 0 or b < 0 or a == b:
                    continue
                for f in range(F):
                    if flow[f, j, i, d] > 0:
                        totals[(f, a, b)] = totals.get((f, a, b), 0.0) + float(flow[f, j, i, d])
    return totals


def check_exports(path, directory, form, zones_path=None):
    import pandas as pd

    problems = []
    with h5py.File(path, "r") as f:
        flow = f["frames/flow"][()]
        zones = np.load(zones_path) if zones_path else f["od/zones"][()]
        ids = sorted(int(z) for z in np.unique(zones) if z >= 0)
        trips = f["od/trips"][()] if zones_path is None and "od/trips" in f else None
    if trips is not None:  # the run's own zones: the export gives its trips between zones
        expected_total = sum(t.sum() - np.trace(t) for t in trips)
    else:
        expected_total = sum(zone_crossings(flow, zones).values())
    if form == "geojson":
        with open(f"{directory}/arrows.geojson") as g:
            arrows = json.load(g)
        features = arrows["features"]
        if not features:
            return ["no arrows"]
        for feature in features[:50]:
            coords = feature["geometry"]["coordinates"]
            if feature["geometry"]["type"] != "LineString" or len(coords) != 2 or \
                    not all(8 < c[0] < 11 and 44 < c[1] < 47 for c in coords):
                problems.append(f"arrow {feature}")
                break
            if not {"mass", "speed", "moved", "time"} <= set(feature["properties"]):
                problems.append(f"arrow properties {feature['properties']}")
                break
        return problems
    if form == "skmob":
        flows = pd.read_csv(f"{directory}/flows.csv")
        if list(flows.columns) != ["origin", "destination", "flow", "datetime"]:
            problems.append(f"skmob columns {list(flows.columns)}")
        with open(f"{directory}/tessellation.geojson") as g:
            tiles = json.load(g)
        tile_ids = sorted(t["properties"]["tile_ID"] for t in tiles["features"])
        if tile_ids != ids:
            problems.append(f"tile_IDs {tile_ids[:10]} vs zone ids {ids[:10]}")
        for t in tiles["features"]:
            ring = t["geometry"]["coordinates"][0]
            if t["geometry"]["type"] == "MultiPolygon":
                ring = ring[0]
            if not all(8 < p[0] < 11 and 44 < p[1] < 47 for p in ring):
                problems.append(f"tile {t['properties']} not in lon/lat near Milan")
                break
        origin, destination, value = "origin", "destination", "flow"
        when = "datetime"
    else:
        flows = pd.read_csv(f"{directory}/flows.csv")
        if list(flows.columns) != ["origin", "dest", "count", "time"]:
            problems.append(f"flowmap columns {list(flows.columns)}")
        locations = pd.read_csv(f"{directory}/locations.csv")
        if list(locations.columns) != ["id", "name", "lat", "lon"] or sorted(locations["id"]) != ids:
            problems.append(f"locations {list(locations.columns)} ids {sorted(locations['id'])[:10]}")
        elif not (locations["lon"].between(8, 11).all() and locations["lat"].between(44, 47).all()):
            problems.append("locations not in lon/lat near Milan")
        origin, destination, value, when = "origin", "dest", "count", "time"
    if problems:
        return problems
    times = pd.to_datetime(flows[when], utc=True)
    if times.isna().any():
        problems.append("times that pandas cannot parse")
    total = flows[value].sum()
    if not np.isclose(total, expected_total, rtol=1e-5):
        problems.append(f"exported flows total {total}, expected {expected_total}")
    if not set(flows[origin]) | set(flows[destination]) <= set(ids):
        problems.append("flows between unknown zones")
    if (flows[origin] == flows[destination]).any():
        problems.append("flows from a zone to itself")
    return problems


def main(argv):
    if argv[1] == "xarray":
        problems = check_xarray(argv[2])
    else:
        problems = check_exports(argv[2], argv[3], argv[4], argv[5] if len(argv) > 5 else None)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
