#!/usr/bin/python3
"""Compare two snapflow run outputs dataset by dataset, bit for bit.

Usage: compare_runs.py A.h5 B.h5
Exit status 0 when every dataset and every root attribute (timings, the steps' work and the record of legs
excepted) is identical;
1 otherwise, listing the differences.
"""
import sys

import h5py
import numpy as np

# Timings and the history of legs (how often the run was resumed) differ between equal runs.
IGNORED_ATTRIBUTES = ("seconds_", "run_")
# What each step cost: its seconds vary from run to run, its pivots with where a resumed chain
# started warm.
IGNORED_DATASETS = ("fine/seconds", "fine/pivots")


def datasets(f):
    found = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            found[name] = obj

    f.visititems(visit)
    return found


def main(a_path, b_path):
    differences = []
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        da, db = datasets(a), datasets(b)
        for name in sorted((set(da) | set(db)) - set(IGNORED_DATASETS)):
            if name not in da or name not in db:
                differences.append(f"{name}: only in {'A' if name in da else 'B'}")
                continue
            x, y = da[name][()], db[name][()]
            if x.shape != y.shape or x.dtype != y.dtype:
                differences.append(f"{name}: shape/type {x.shape} {x.dtype} vs {y.shape} {y.dtype}")
            elif x.tobytes() != y.tobytes():
                bad = np.count_nonzero(x != y)
                worst = np.max(np.abs(x.astype(float) - y.astype(float)))
                differences.append(f"{name}: {bad} values differ (largest difference {worst:g})")
        for key in sorted(set(a.attrs) | set(b.attrs)):
            if key.startswith(IGNORED_ATTRIBUTES):
                continue
            if key not in a.attrs or key not in b.attrs:
                differences.append(f"attribute {key}: only in {'A' if key in a.attrs else 'B'}")
            elif np.asarray(a.attrs[key]).tobytes() != np.asarray(b.attrs[key]).tobytes():
                differences.append(f"attribute {key}: {a.attrs[key]!r} vs {b.attrs[key]!r}")
    for line in differences:
        print(f"{a_path} vs {b_path}: {line}")
    if not differences:
        print(f"{a_path} and {b_path} are identical ({len(da)} datasets)")
    return 1 if differences else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
