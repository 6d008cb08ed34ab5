#!/usr/bin/python3
"""Trip OD of a `snapflow run` against the known trips of a synthetic input, with a gravity
model fitted to the same presence data as the peer.

Usage: trip_bench.py RUN.h5 IN.h5 [-from T0] [-to T1]

Scores the windows of /od/trips whose boundaries are also those of the input's /truth/od
(within [T0, T1] seconds if given, e.g. -from 21600 -to 36000 for 06:00-10:00) by the common
part of commuters on trips between different zones,
    CPC = 2 sum min(T, T*) / (sum T + sum T*),
T the estimate and T* the truth. The peer is a doubly constrained gravity model T_ab =
A_a O_a B_b D_b d_ab^-beta on the same windows, fitted to the presence snapshots only: O_a
and D_b are the zone's net loss and gain of people over the window (all presence data says),
d_ab the distance between zone centroids; it is reported for beta = 2 and for the beta in
0.5..4 that scores best against the truth (an upper bound for that peer).
Prints one line per window and the totals. Runs on Debian's /usr/bin/python3 (numpy, h5py).
"""
import argparse
import sys

import h5py
import numpy as np


def cpc(estimate, truth):
    off = ~np.eye(estimate.shape[-1], dtype=bool)
    e, t = estimate[..., off], truth[..., off]
    total = e.sum() + t.sum()
    return 2.0 * np.minimum(e, t).sum() / total if total > 0 else float("nan")


def gravity(origins, destinations, distance, beta, sweeps=100):
    """Doubly constrained gravity by iterative proportional fitting."""
    weight = np.where(distance > 0, np.maximum(distance, 1e-9) ** -beta, 0.0)
    flows = np.outer(origins, destinations) * weight
    for _ in range(sweeps):
        rows = flows.sum(axis=1)
        flows *= np.divide(origins, rows, out=np.zeros_like(rows), where=rows > 0)[:, None]
        columns = flows.sum(axis=0)
        flows *= np.divide(destinations, columns, out=np.zeros_like(columns), where=columns > 0)[None, :]
    return flows


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], prefix_chars="-")
    p.add_argument("run")
    p.add_argument("input")
    p.add_argument("-from", dest="t0", type=float, default=-np.inf)
    p.add_argument("-to", dest="t1", type=float, default=np.inf)
    args = p.parse_args()
    with h5py.File(args.run, "r") as r, h5py.File(args.input, "r") as i:
        if "od/trips" not in r:
            sys.exit(f"trip_bench: {args.run} has no /od/trips (its input had no /zones)")
        if "truth/od" not in i:
            sys.exit(f"trip_bench: {args.input} has no /truth/od")
        trips, trip_time = r["od/trips"][()], r["od/time"][()]
        run_ids = r["od/zone_ids"][()]
        truth, truth_time = i["truth/od"][()], i["truth/od_time"][()]
        truth_ids = i["truth/od_zone_ids"][()]
        density, snapshot_time = i["density"], i["time"][()]
        zones = i["zones"][()]
        dx, dy = float(i.attrs["dx"]), float(i.attrs["dy"])
        # Rows and columns of the run's tables in the truth's zone order.
        order = np.searchsorted(run_ids, truth_ids)
        if not np.array_equal(run_ids[order], truth_ids):
            sys.exit("trip_bench: the run's zones are not those of the truth")
        j, k = np.nonzero(zones >= 0)
        ids = zones[j, k]
        cx = np.bincount(np.searchsorted(truth_ids, ids), weights=k * dx, minlength=len(truth_ids))
        cy = np.bincount(np.searchsorted(truth_ids, ids), weights=j * dy, minlength=len(truth_ids))
        count = np.bincount(np.searchsorted(truth_ids, ids), minlength=len(truth_ids))
        cx, cy = cx / np.maximum(count, 1), cy / np.maximum(count, 1)
        distance = np.hypot(cx[:, None] - cx[None, :], cy[:, None] - cy[None, :])

        def zone_mass(t):
            s = int(np.argmin(np.abs(snapshot_time - t)))
            if abs(snapshot_time[s] - t) > 1e-6 * max(1.0, abs(t)):
                return None
            plane = density[s]
            return np.bincount(np.searchsorted(truth_ids, ids), weights=plane[j, k], minlength=len(truth_ids))

        rows = []
        for w in range(len(truth_time) - 1):
            a, b = truth_time[w], truth_time[w + 1]
            if a < args.t0 or b > args.t1:
                continue
            match = np.nonzero((np.abs(trip_time[:-1] - a) < 1e-6) & (np.abs(trip_time[1:] - b) < 1e-6))[0]
            start, end = zone_mass(a), zone_mass(b)
            if len(match) == 0 or start is None or end is None:
                continue
            estimate = trips[match[0]][np.ix_(order, order)]
            change = end - start
            rows.append((a, b, estimate, truth[w], np.maximum(-change, 0), np.maximum(change, 0)))
    if not rows:
        sys.exit("trip_bench: no window of /od/trips matches one of /truth/od in the range")
    betas = np.arange(0.5, 4.01, 0.25)
    est = np.array([r[2] for r in rows])
    tru = np.array([r[3] for r in rows])
    peers = {beta: np.array([gravity(r[4], r[5], distance, beta) for r in rows]) for beta in betas}
    best = max(betas, key=lambda beta: cpc(peers[beta], tru))
    off = ~np.eye(tru.shape[-1], dtype=bool)
    print(f"{'window (s)':>17} {'true trips':>11} {'snapflow':>10} {'CPC':>6} {'gravity2':>9} {'best':>6}")
    for n, (a, b, e, t, _, _) in enumerate(rows):
        print(f"{a:8.0f}-{b:<8.0f} {t[off].sum():11.1f} {e[off].sum():10.1f} {cpc(e, t):6.3f} "
              f"{cpc(peers[2.0][n], t):9.3f} {cpc(peers[best][n], t):6.3f}")
    print(f"trip_bench: {len(rows)} windows, inter-zone trips true {tru[..., off].sum():.1f}, "
          f"snapflow {est[..., off].sum():.1f}")
    print(f"trip_bench: CPC snapflow {cpc(est, tru):.3f}; gravity peer (presence only) beta 2 "
          f"{cpc(peers[2.0], tru):.3f}, best beta {best:g} {cpc(peers[best], tru):.3f}; "
          f"ratio snapflow / best gravity {cpc(est, tru) / max(cpc(peers[best], tru), 1e-12):.2f}")


if __name__ == "__main__":
    main()
