#!/usr/bin/env bash
# WLM's protocol on the real HYCOM particle sets (DESIGN.md section 4, oceans-small and
# oceans-big): the particles are deposited on a grid (snapflow ingest -format points), held-
# out snapshots are predicted by snapflow evaluate (-method mccann, second_order, affine_flow and dmd) and scored by exact
# W1 on the grid and against the held-out particles, beside the marginal-only peers computed on
# the particles (bench/oceans_score.py): small vortex, train on 0,2,4,6,8, predict 1,3,5,7;
# big vortex, train on 0-9, forecast 10.
# Usage: bash scripts/oceans_benchmark.sh [WORKDIR] [NX]   (needs a build: scripts/setup.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
nx=${2:-40}
data=${SNAPFLOW_DATA:-$root/../shared/data}
mkdir -p "$work" && cd "$work"
source "$root/scripts/mpi_env.sh"
snapflow="$root/build/bin/snapflow"
for set in small big; do
  npz="$data/oceans_with_v0.npz" holdout=1,3,5,7
  [ $set = big ] && npz="$data/big_oceans_forecast.npz" holdout=last:1
  "$snapflow" ingest -format points -nx "$nx" -o "$set.h5" "$npz" | tail -1
  for method in mccann second_order affine_flow dmd; do
    mpirun -n 2 "$snapflow" evaluate -i "$set.h5" -holdout $holdout -method $method \
      -o "$set-$method.h5" | tail -1
  done
  echo "== oceans-$set ($nx cells across; W1 in the particles' units) =="
  /usr/bin/python3 "$root/bench/oceans_score.py" "$npz" "$set.h5" "$set-mccann.h5" "$set-second_order.h5" "$set-affine_flow.h5" \
    "$set-dmd.h5"
done
