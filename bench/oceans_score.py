#!/usr/bin/python3
"""Scores `snapflow evaluate` outputs on WLM's HYCOM particle sets against the held-out
particles, with the marginal-only peers computed here on the particles themselves.

Usage: oceans_score.py PARTICLES.npz IN.h5 EVAL.h5 [EVAL.h5 ...]

For every held-out snapshot t: the exact W1 (POT emd2, euclidean) between each EVAL's
predicted density (mass at cell centres) and the held-out particle set (uniform weights);
the grid's quantisation floor, W1 between the held-out snapshot's own grid density and its
particles (no prediction on this grid can do better than about that); and the peers from
marginals only, on the particles: the previous marginal unchanged, and McCann's midpoint
(exact optimal matching between the particles of t-1 and t+1, midpoints; for a forecast,
the matching of t-2 and t-1 extrapolated one step). Means over the held-out snapshots.
"""
import sys

import h5py
import numpy as np
import ot


def w1_points(x, wx, y, wy):
    return float(ot.emd2(wx / wx.sum(), wy / wy.sum(), ot.dist(x, y, metric="euclidean"), numItermax=10**7))


def grid_points(f):
    dx, dy = float(f.attrs["dx"]), float(f.attrs["dy"])
    x0, y0 = float(f.attrs.get("x0", 0.0)), float(f.attrs.get("y0", 0.0))
    return dx, dy, x0, y0


def cells(density, dx, dy, x0, y0):
    j, i = np.nonzero(density > 0)
    return np.stack([x0 + (i + 0.5) * dx, y0 + (j + 0.5) * dy], axis=1), density[j, i]


def mccann_peer(positions, t):
    n = positions.shape[1]
    uniform = np.full(n, 1.0 / n)
    if t + 1 < positions.shape[0]:
        a, b, tau = positions[t - 1], positions[t + 1], 0.5
    else:
        a, b, tau = positions[t - 2], positions[t - 1], 2.0
    plan = ot.emd(uniform, uniform, ot.dist(a, b, metric="euclidean"), numItermax=10**7)
    p, q = np.nonzero(plan > 1e-12)
    moved = a[p] + tau * (b[q] - a[p])
    return w1_points(moved, plan[p, q], positions[t], uniform)


def main(npz, input_path, evals):
    positions = np.load(npz)["positions"]
    n = positions.shape[1]
    uniform = np.ones(n)
    with h5py.File(input_path, "r") as f:
        density = f["density"][()]
        dx, dy, x0, y0 = grid_points(f)
    rows = {}
    names = []
    for path in evals:
        with h5py.File(path, "r") as e:
            method = e.attrs["method"]
            method = method.decode() if isinstance(method, bytes) else str(method)
            names.append(method)
            for k, t in enumerate(e["evaluate/snapshot"][()]):
                x, w = cells(e["evaluate/predicted"][k], dx, dy, x0, y0)
                rows.setdefault(int(t), {})[method] = (float(e["evaluate/w1"][k]),
                                                       w1_points(x, w, positions[t], uniform))
    print(f"{'t':>3} {'floor':>7} {'previous':>9} {'mccann_pts':>11} " +
          " ".join(f"{m + ' grid/pts':>20}" for m in names))
    means = {}
    for t, scores in sorted(rows.items()):
        x, w = cells(density[t], dx, dy, x0, y0)
        floor = w1_points(x, w, positions[t], uniform)
        previous = w1_points(positions[t - 1], uniform, positions[t], uniform)
        peer = mccann_peer(positions, t)
        line = f"{t:>3} {floor:7.3f} {previous:9.3f} {peer:11.3f} "
        line += " ".join(f"{scores[m][0]:9.3f} /{scores[m][1]:9.3f}" for m in names)
        print(line)
        for key, value in [("floor", floor), ("previous", previous), ("mccann_pts", peer)] + \
                [(m + " grid", scores[m][0]) for m in names] + [(m + " pts", scores[m][1]) for m in names]:
            means.setdefault(key, []).append(value)
    print("oceans_score: mean W1 over held-out " +
          ", ".join(f"{key} {np.mean(v):.3f}" for key, v in means.items()))


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
