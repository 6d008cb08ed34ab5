#!/usr/bin/python3
"""Checks a `snapflow evaluate` output against independent computations: the W1 of every
held-out snapshot against POT's exact emd2 on the same grid (euclidean cell-centre
distances), the relative L2 error, and the prediction's mass.

Usage: evaluate_check.py EVAL.h5 IN.h5
"""
import sys

import h5py
import numpy as np
import ot


def main(eval_path, input_path):
    problems = []
    with h5py.File(eval_path, "r") as e, h5py.File(input_path, "r") as i:
        density = i["density"][()]
        dx, dy = float(i.attrs["dx"]), float(i.attrs["dy"])
        ny, nx = density.shape[1:]
        j, k = np.mgrid[0:ny, 0:nx]
        points = np.stack([(k.ravel() + 0.5) * dx, (j.ravel() + 0.5) * dy], axis=1)
        for n, t in enumerate(e["evaluate/snapshot"][()]):
            truth = density[t].ravel().astype(np.float64)
            predicted = e["evaluate/predicted"][n].ravel()
            if not np.isclose(predicted.sum(), truth.sum(), rtol=1e-9):
                problems.append(f"snapshot {t}: predicted mass {predicted.sum()} vs {truth.sum()}")
            a, b = truth > 0, predicted > 0
            cost = ot.dist(points[a], points[b], metric="euclidean")
            w1 = ot.emd2(truth[a] / truth.sum(), predicted[b] / predicted.sum(), cost, numItermax=10**7)
            ours = e["evaluate/w1"][n]
            if not np.isclose(ours, w1, rtol=1e-4):
                problems.append(f"snapshot {t}: W1 {ours} vs POT emd2 {w1}")
            l2 = np.linalg.norm(predicted - truth) / np.linalg.norm(truth)
            if not np.isclose(e["evaluate/l2"][n], l2, rtol=1e-9):
                problems.append(f"snapshot {t}: L2 {e['evaluate/l2'][n]} vs {l2}")
            print(f"snapshot {t}: W1 {ours:.6f} (POT {w1:.6f}), L2 {l2:.4f}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
