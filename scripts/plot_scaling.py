#!/usr/bin/python3
"""Speedup and parallel efficiency of a scaling study (bench/scaling_study.sh).

Usage: plot_scaling.py SCALING.csv OUT.png
Prints the table with the ratios against the 1 x 1 run of each case and kind (weak: scaled
speedup, and the efficiency against 1 x 1 on the same snapshots, "same LPs"), and plots
speedup and efficiency against the workers (ranks x threads), one line per case and kind.
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd


def main(csv_path, png_path):
    runs = pd.read_csv(csv_path)
    rows = []
    for (case, kind), group in runs.groupby(["case", "kind"], sort=False):
        peer = group[(group.ranks == 1) & (group.threads == 1)]
        if peer.empty:
            sys.exit(f"{csv_path}: {case} {kind} has no 1 x 1 run to compare with")
        base = float(peer.total_s.iloc[0])
        for _, r in group.iterrows():
            speedup = base / r.total_s * (r.workers if kind == "weak" else 1)
            efficiency = speedup / r.workers
            same_lps = r.peer_total_s / (r.workers * r.total_s)
            rows.append({**r.to_dict(), "speedup": speedup, "efficiency": efficiency,
                         "same_lps": same_lps})
    table = pd.DataFrame(rows)
    print(f"{'case':>15} {'kind':>6} {'layout':>6} {'LPs':>5} {'total_s':>8} {'transport_s':>11} "
          f"{'LP/s':>6} {'speedup':>7} {'efficiency':>10} {'same LPs':>8} {'MB/rank':>7}")
    for _, r in table.iterrows():
        print(f"{r.case:>15} {r.kind:>6} {r.ranks:>3}x{r.threads:<2} {r.lps:>5} {r.total_s:>8.1f} "
              f"{r.transport_s:>11.1f} {r.lps_per_s:>6.2f} {r.speedup:>7.2f} "
              f"{r.efficiency * 100:>9.0f}% {r.same_lps * 100:>7.0f}% {r.peak_mb_per_rank:>7.0f}")
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for (case, kind), group in table.groupby(["case", "kind"], sort=False):
        # Layouts with as many workers differ in ranks x threads: each gets its own marker.
        for split, marker in (("ranks", "o"), ("threads", "s")):
            part = group[(group.workers == 1) | (group[split] == group.workers)].sort_values("workers")
            label = f"{case} {kind}, more {split}"
            style = "-" if kind == "strong" else "--"
            left.plot(part.workers, part.speedup, style, marker=marker, label=label)
            # Weak: the efficiency against 1 x 1 on the same LPs (the scaled one mixes in how
            # the LPs' cost changes over the day).
            shown = part.same_lps if kind == "weak" else part.efficiency
            right.plot(part.workers, shown * 100, style, marker=marker, label=label)
    most = int(table.workers.max())
    left.plot([1, most], [1, most], ":", color="grey", label="ideal")
    left.set(xlabel="workers (ranks x threads)", ylabel="speedup over 1 x 1",
             title="snapflow run: speedup (weak: scaled work)")
    right.set(xlabel="workers (ranks x threads)", ylabel="parallel efficiency (%)",
              ylim=(0, max(110, 105 * table.same_lps.max())),
              title="efficiency (weak: against 1 x 1 on the same LPs)")
    left.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(png_path, dpi=120)
    print(f"wrote {png_path}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
