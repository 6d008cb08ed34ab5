#!/usr/bin/python3
"""Check a `snapflow merge` series against the day outputs it was made from.

Usage: merge_check.py SERIES.h5 DAY.h5...
Every joined dataset must equal the days' own, one after the other (boundary datasets share
the plane where two days meet: the earlier day's is kept), each day's DMD models must be in
/dmd/day_NNNN, the root totals must add up, and xarray must open the series with its time
coordinate running over all days. Exit status 0 when all holds.
"""
import sys

import h5py
import numpy as np
import xarray as xr

BOUNDARY = ("frames/time", "frames/density", "fine/time", "od/time")
INTERVAL = ("frames/flow", "frames/velocity", "frames/done", "fine/cost", "fine/moved",
            "fine/created", "fine/destroyed", "fine/clipped", "fine/status", "fine/seconds",
            "fine/pivots", "od/flow", "od/trips")


def main(series_path, day_paths):
    problems = []
    days = [h5py.File(p, "r") for p in day_paths]
    with h5py.File(series_path, "r") as series:
        for name in BOUNDARY + INTERVAL:
            if name not in days[0]:
                continue
            parts = [d[name][()] if k == 0 or name not in BOUNDARY else d[name][1:]
                     for k, d in enumerate(days)]
            expected = np.concatenate(parts)
            got = series[name][()]
            if got.shape != expected.shape or got.dtype != expected.dtype:
                problems.append(f"{name}: {got.shape} {got.dtype}, expected {expected.shape} {expected.dtype}")
            elif got.tobytes() != expected.tobytes():
                problems.append(f"{name}: {np.count_nonzero(got != expected)} values differ")
        for k, d in enumerate(days):
            group = f"dmd/day_{k:04d}"
            if group not in series:
                problems.append(f"{group} is missing")
            elif d["dmd/snapshot_error"][()].tobytes() != series[group]["snapshot_error"][()].tobytes():
                problems.append(f"{group}/snapshot_error differs from {day_paths[k]}")
        if int(series.attrs["complete"]) != 1:
            problems.append("attribute complete is not 1")
        for total in ("frames", "fine_steps", "run_lps_solved"):
            want = sum(float(d.attrs[total]) for d in days)
            if float(series.attrs[total]) != want:
                problems.append(f"attribute {total} = {series.attrs[total]}, the days add up to {want}")
        for same in ("fine_dt", "stencil", "dx", "nx"):
            if np.asarray(series.attrs[same]).tobytes() != np.asarray(days[0].attrs[same]).tobytes():
                problems.append(f"attribute {same} differs from the first day's")
    frames = xr.open_dataset(series_path, group="frames", engine="h5netcdf", decode_times=False)
    want = np.concatenate([days[0]["frames/time"][()]] + [d["frames/time"][1:] for d in days[1:]])
    if frames["density"].dims[0] != "time" or not np.array_equal(frames["time"].values.astype(float), want):
        problems.append(f"xarray: density dims {frames['density'].dims}, time {frames['time'].values}")
    if frames["flow"].shape[0] != len(want) - 1:
        problems.append(f"xarray: flow has {frames['flow'].shape[0]} frames, expected {len(want) - 1}")
    for line in problems:
        print(f"{series_path}: {line}")
    if not problems:
        print(f"{series_path}: the {len(days)} days joined as one series of {len(want) - 1} frames")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
