#!/usr/bin/python3
"""Where a `snapflow run` spent its transport time: the steps' LP seconds and pivots
(/fine/seconds, /fine/pivots) summed over spans of the run's time.

Usage: step_costs.py RUN.h5 [SPAN_SECONDS]   (default 3600: hour by hour)
Prints one line per span (its start, LPs, seconds, seconds per LP, pivots per LP) and the
total; seconds are each LP's wall time on its worker, so they add up to core-seconds.
"""
import sys

import h5py
import numpy as np


def main(path, span):
    with h5py.File(path, "r") as f:
        for name in ("fine/seconds", "fine/pivots", "fine/time"):
            if name not in f:
                sys.exit(f"{path}: no /{name} (written before runs recorded what each step cost)")
        seconds, pivots = f["fine/seconds"][()], f["fine/pivots"][()]
        starts = f["fine/time"][:-1]
        units = f["fine/time"].attrs.get("units", b"s")
    units = units.decode() if isinstance(units, bytes) else str(units)
    if seconds.size == 0:
        sys.exit(f"{path}: the run has no steps")
    first = starts[0]
    bins = ((starts - first) // span).astype(np.int64)
    print(f"span start: /fine/time in {units}")
    print(f"{'span start':>14} {'LPs':>6} {'LP seconds':>11} {'s per LP':>9} {'pivots per LP':>14}")
    for b in range(int(bins.max()) + 1):
        mine = bins == b
        if not mine.any():
            continue
        print(f"{first + b * span:>14.0f} {mine.sum():>6d} {seconds[mine].sum():>11.1f} "
              f"{seconds[mine].mean():>9.3f} {pivots[mine].mean():>14.0f}")
    print(f"{'total':>14} {seconds.size:>6d} {seconds.sum():>11.1f} {seconds.mean():>9.3f} "
          f"{pivots.mean():>14.0f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) == 3 else 3600.0))
