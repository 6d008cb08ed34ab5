#!/usr/bin/python3
"""Export what bench/thread_scaling_bench needs into one raw file, for machines where only
the transport kernel builds (no HDF5 C library): the grid, mask, zones and snapshot times of
a snapshot file, and the single-window DMD model that `snapflow dmd -dmd_save_modes` (or
`snapflow run`) wrote.

    bench/export_workload.py SNAPSHOTS.h5 DMD.h5 OUT.workload

Layout (little-endian): magic b"snapflow-wl-v1\\0\\0"; int64 ny, nx, snapshots, rank, zones;
float64 dx, dy, t0; float64 time[snapshots]; uint8 mask[ny*nx]; int32 zone[ny*nx] (0..zones-1,
-1 = none); float64 amplitude[rank][2], omega[rank][2]; float32 modes[rank][ny*nx][2].
"""
import os
import sys

import h5py
import numpy as np

MAGIC = b"snapflow-wl-v1\0\0"


def fail(message):
    sys.exit(f"export_workload.py: {message}")


def open_h5(path):
    try:
        return h5py.File(path, "r")
    except OSError as error:
        fail(f"{path}: cannot open as HDF5 ({error})")


def main():
    if len(sys.argv) != 4:
        fail("usage: export_workload.py SNAPSHOTS.h5 DMD.h5 OUT.workload")
    snapshots_path, dmd_path, out_path = sys.argv[1:]
    with open_h5(snapshots_path) as f:
        for name in ("density", "time"):
            if name not in f:
                fail(f"{snapshots_path}: no /{name} (not a snapflow snapshot file)")
        for name in ("dx", "dy"):
            if name not in f.attrs:
                fail(f"{snapshots_path}: no root attribute {name} (not a snapflow snapshot file)")
        if f["density"].ndim != 3:
            fail(f"{snapshots_path}: /density is {f['density'].shape}, want (time, ny, nx)")
        ny, nx = f["density"].shape[1:]
        time = np.asarray(f["time"][...], dtype="<f8")
        dx, dy = float(f.attrs["dx"]), float(f.attrs["dy"])
        mask = (np.asarray(f["mask"][...], dtype="u1") if "mask" in f
                else np.ones((ny, nx), dtype="u1"))
        raw_zones = np.asarray(f["zones"][...]) if "zones" in f else np.full((ny, nx), -1)
    ids = np.unique(raw_zones[raw_zones >= 0])
    zones = np.where(raw_zones >= 0, np.searchsorted(ids, raw_zones), -1).astype("<i4")
    with open_h5(dmd_path) as f:
        if "dmd" not in f or "modes" not in f["dmd"]:
            fail(f"{dmd_path}: no /dmd/modes (fit with snapflow dmd -dmd_save_modes)")
        dmd = f["dmd"]
        if any(name.startswith("window_") for name in dmd):
            fail(f"{dmd_path}: /dmd holds several windows; export a single-window model")
        modes = np.asarray(dmd["modes"][...], dtype="<f4")
        rank = modes.shape[0]
        if modes.shape[1:3] != (ny, nx):
            fail(f"{dmd_path}: /dmd/modes is {modes.shape}, the snapshots are {ny} x {nx}")
        amplitude = np.asarray(dmd["amplitude"][...], dtype="<f8")
        omega = np.asarray(dmd["omega"][...], dtype="<f8")
        t0 = float(dmd.attrs["t0"])
    header = np.array([ny, nx, len(time), rank, len(ids)], dtype="<i8")
    partial = out_path + ".partial"
    with open(partial, "wb") as out:
        out.write(MAGIC)
        for array in (header, np.array([dx, dy, t0], dtype="<f8"), time, mask, zones, amplitude,
                      omega, modes):
            out.write(np.ascontiguousarray(array).tobytes())
    os.replace(partial, out_path)
    print(f"{out_path}: {ny} x {nx} cells, {len(time)} snapshots, DMD rank {rank}, "
          f"{len(ids)} zones, {os.path.getsize(out_path) / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
