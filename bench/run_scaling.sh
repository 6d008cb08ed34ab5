#!/usr/bin/env bash
# Strong scaling of `snapflow run` on a province day: the same run at 1, 2, ... ranks (one
# thread each), reporting each stage's time, LPs per second and the parallel efficiency
# against the 1-rank run measured in the same session (the named peer). DMD rank 20 (the seed
# paper's): the default energy rule keeps 2 modes of a province, whose flows mean little.
#   bench/run_scaling.sh [RANKS (1 2)] [province options file (inputs/province-small.opts)]
#                        [fine_dt (10)]
# Needs a build (scripts/setup.sh). Writes under bench/scaling/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/mpi_env.sh
ranks=${1:-"1 2"} opts=${2:-inputs/province-small.opts} fine_dt=${3:-10}
dir=bench/scaling && mkdir -p $dir
[ -f $dir/province.h5 ] || build/bin/snapflow synth province -options_file "$opts" -o $dir/province.h5
for p in $ranks; do
  OMP_NUM_THREADS=1 mpirun -n "$p" build/bin/snapflow run -i $dir/province.h5 -o $dir/run-$p.h5 \
    -fine_dt "$fine_dt" -dmd_rank 20 -threads 1 -summary $dir/run-$p.json -progress_seconds 60 | tail -3
done
/usr/bin/python3 - $dir $ranks <<'PY'
import json, sys
d, ranks = sys.argv[1], [int(r) for r in sys.argv[2:]]
runs = {p: json.load(open(f"{d}/run-{p}.json")) for p in ranks}
base = runs[ranks[0]]
print(f"{'ranks':>5} {'steps':>6} {'total_s':>8} {'transport_s':>11} {'dmd_s':>6} {'write_s':>7} "
      f"{'LP/s':>7} {'speedup':>7} {'efficiency':>10} {'MB/rank':>8}")
for p, r in runs.items():
    s = r["stages_seconds"]
    speedup = base["stages_seconds"]["total"] * ranks[0] / s["total"]
    print(f"{p:>5} {r['steps']:>6} {s['total']:>8.1f} {s['transport']:>11.1f} {s['dmd']:>6.2f} "
          f"{s['write']:>7.2f} {r['lps']['per_second']:>7.1f} {speedup:>7.2f} "
          f"{speedup / p * 100:>9.0f}% {r['peak_memory_mb_per_rank']:>8.0f}")
PY
