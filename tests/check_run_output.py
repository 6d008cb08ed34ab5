#!/usr/bin/python3
"""Checks a complete `snapflow run` output: root attribute complete = 1, every frame done, the
flow out-marginal equal to the mass sent, and an XDMF sidecar whose every HDF5 reference names
an existing dataset of the declared shape, with one time per frame.

Usage: check_run_output.py OUT.h5 OUT.xmf
"""
import os
import sys
import xml.etree.ElementTree as ET

import h5py
import numpy as np


def main(h5_path, xmf_path):
    problems = []
    with h5py.File(h5_path, "r") as f:
        if f.attrs.get("complete") != 1:
            problems.append(f"complete = {f.attrs.get('complete')}")
        frames = f["frames/flow"].shape[0]
        if not np.all(f["frames/done"][()] == 1):
            problems.append("some frames are not done")
        if f["frames/time"].shape != (frames + 1,) or f["frames/density"].shape[0] != frames + 1:
            problems.append("frame boundaries do not match the frames")
        if not np.all(np.isfinite(f["frames/velocity"][()])):
            problems.append("non-finite velocity")
        # What each step cost: solve seconds and pivots, one per LP, with units.
        steps = f["fine/status"].shape[0]
        seconds, pivots = f["fine/seconds"][()], f["fine/pivots"][()]
        if seconds.shape != (steps,) or pivots.shape != (steps,):
            problems.append("fine/seconds or fine/pivots is not one value per step")
        elif not (np.all(seconds > 0) and np.all(pivots >= 0) and np.all(pivots == np.rint(pivots))):
            problems.append("fine/seconds must be > 0 and fine/pivots whole and >= 0")
        if f["fine/seconds"].attrs.get("units") not in (b"s", "s"):
            problems.append(f"fine/seconds units {f['fine/seconds'].attrs.get('units')}")
        tree = ET.parse(xmf_path)
        times = [float(t.get("Value")) for t in tree.iter("Time")]
        if len(times) != frames or not np.allclose(times, f["frames/time"][:-1]):
            problems.append(f"XDMF has {len(times)} times for {frames} frames")
        for item in tree.iter("DataItem"):
            if item.get("Format") != "HDF":
                continue
            file_name, dataset = item.text.strip().split(":")
            if os.path.join(os.path.dirname(xmf_path), file_name) != h5_path and file_name != os.path.basename(h5_path):
                problems.append(f"XDMF refers to {file_name}")
            dims = tuple(int(d) for d in item.get("Dimensions").split())
            if dataset not in f or f[dataset].shape != dims:
                problems.append(f"XDMF reference {dataset} {dims} does not match the file")
    for p in problems:
        print(f"{h5_path}: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
