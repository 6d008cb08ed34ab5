#!/usr/bin/python3
"""DMD of a snapshot file: snapflow on 1 and 2 MPI ranks against numpy/LAPACK (the peer),
stage by stage, in one run. Prints seconds, ratios (numpy / snapflow) and peak memory.

    /usr/bin/python3 bench/dmd_bench.py [FILE] [RANK]

FILE defaults to bench/province.h5 (written by `snapflow synth province` if missing); RANK
to 58, the numerical rank of the synthetic province (its night snapshots are identical).
"""
import os
import re
import resource
import subprocess
import sys
import time

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SNAPFLOW = os.path.join(ROOT, "build", "bin", "snapflow")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_btl_vader_single_copy_mechanism="none")
STAGES = ["read", "svd", "projection+eig", "modes", "amplitudes"]


def snapflow_dmd(path, rank, ranks):
    out = subprocess.run(["mpirun", "-n", str(ranks), SNAPFLOW, "dmd", "-i", path, "-o",
                          "/tmp/dmd_bench_%d.h5" % ranks, "-dmd_rank", str(rank)],
                         env=ENV, check=True, capture_output=True, text=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("dmd: stages"))
    values = dict(re.findall(r"([a-z+]+) ([0-9.]+)(?:,|;)", line))
    memory = float(re.search(r"peak memory per rank ([0-9.]+) MB", line).group(1))
    share = float(re.search(r"share of X: ([0-9.]+) MB", line).group(1))
    return {s: float(values[s]) for s in STAGES}, memory, share


def numpy_dmd(path, rank):
    t = {}
    start = time.perf_counter()
    with h5py.File(path, "r") as f:
        cube = f["/density"][:]
    t["read"] = time.perf_counter() - start
    data = cube.reshape(cube.shape[0], -1).T
    X, Y = data[:, :-1], data[:, 1:]
    start = time.perf_counter()
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    t["svd"] = time.perf_counter() - start
    U, s, V = U[:, :rank], s[:rank], Vt[:rank].T
    start = time.perf_counter()
    B = (Y @ V) / s
    lam, W = np.linalg.eig(U.T @ B)
    t["projection+eig"] = time.perf_counter() - start
    start = time.perf_counter()
    Phi = B @ W
    t["modes"] = time.perf_counter() - start
    start = time.perf_counter()
    np.linalg.lstsq(Phi, data[:, 0], rcond=None)
    t["amplitudes"] = time.perf_counter() - start
    memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return t, memory


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "bench", "province.h5")
    rank = int(sys.argv[2]) if len(sys.argv) > 2 else 58
    if not os.path.exists(path):
        subprocess.run(["mpirun", "-n", "2", SNAPFLOW, "synth", "province", "-o", path],
                       env=ENV, check=True, capture_output=True)
    ours = {ranks: snapflow_dmd(path, rank, ranks) for ranks in (1, 2)}
    peer, peer_memory = numpy_dmd(path, rank)
    print("# DMD of %s, rank %d: snapflow (MPI ranks) vs numpy/LAPACK (peer), seconds" % (path, rank))
    print("%-16s %10s %10s %10s %14s" % ("stage", "numpy", "ours np=1", "ours np=2", "numpy/ours np=2"))
    totals = {"numpy": 0.0, 1: 0.0, 2: 0.0}
    for stage in STAGES:
        a, b, c = peer[stage], ours[1][0][stage], ours[2][0][stage]
        totals["numpy"] += a
        totals[1] += b
        totals[2] += c
        print("%-16s %10.3f %10.3f %10.3f %13.2fx" % (stage, a, b, c, a / c if c else float("inf")))
    print("%-16s %10.3f %10.3f %10.3f %13.2fx" % ("total", totals["numpy"], totals[1], totals[2],
                                                   totals["numpy"] / totals[2]))
    for ranks in (1, 2):
        memory, share = ours[ranks][1], ours[ranks][2]
        print("ours np=%d: peak memory per rank %.0f MB = %.1fx its share of X (%.0f MB)"
              % (ranks, memory, memory / share, share))
    print("numpy: peak memory %.0f MB" % peer_memory)


if __name__ == "__main__":
    main()
