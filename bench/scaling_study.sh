#!/usr/bin/env bash
# Strong and weak scaling of `snapflow run` over ranks x threads on the province day, sparse
# (inputs/province.opts) and dense (inputs/province-dense.opts), with the day's run settings
# (inputs/run-province-day.opts: 10-s fine steps, 90 LPs a snapshot interval) on part of the
# day, in chains of CHAIN_STEPS steps:
#   strong: the same morning-rush window (snapshots FIRST..FIRST+INTERVALS) for every layout
#   weak:   WEAK_INTERVALS snapshot intervals per worker (ranks x threads), from FIRST on
# Each figure is a ratio against 1 x 1 runs of the same case measured in the same study (the
# named peer): strong speedup = T(1x1) / T(P x T); weak (scaled) speedup = W T(1x1) / T(W
# workers on W times the snapshots), and since LPs cost differently at other times of the
# day, also the efficiency on the same LPs, T(1x1 on those snapshots) / (W T(W workers)).
#   bench/scaling_study.sh [LAYOUTS ("1x1 1x2 2x1")] [CASES ("province province-dense")]
# Environment: SCALING_FIRST (30, 07:30), SCALING_INTERVALS (2), SCALING_WEAK_INTERVALS (as
# SCALING_INTERVALS), SCALING_CHAIN_STEPS (45; chains are whole frames, here one interval),
# SCALING_DIR (bench/scaling),
# SCALING_LAUNCH (mpirun, or srun inside a Slurm allocation:
# jobs/scaling.sbatch). Writes SCALING_DIR/scaling.csv and scaling.png (speedup and
# efficiency), and prints the table. Needs a build (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/mpi_env.sh
layouts=${1:-"1x1 1x2 2x1"} cases=${2:-"province province-dense"}
first=${SCALING_FIRST:-30} intervals=${SCALING_INTERVALS:-2} chain_steps=${SCALING_CHAIN_STEPS:-45}
weak=${SCALING_WEAK_INTERVALS:-$intervals}
dir=${SCALING_DIR:-bench/scaling} launcher=${SCALING_LAUNCH:-mpirun}
snapflow=${SNAPFLOW_BIN:-build/bin/snapflow}
mkdir -p "$dir"
[[ " $layouts " == *" 1x1 "* ]] || layouts="1x1 $layouts"  # the peer every ratio needs

launch() {  # ranks threads command...
  local ranks=$1 threads=$2
  shift 2
  if [ "$launcher" = srun ]; then
    srun --mpi=pmix -n "$ranks" -c "$threads" --cpu-bind=cores "$@"
  else
    mpirun -n "$ranks" --bind-to none "$@"
  fi
}

# Runs LAYOUT's ranks x threads on snapshots FIRST..FIRST+SPAN of CASE once; prints its summary.
run_once() {  # case ranks threads span
  local input=$dir/$1.h5 out=$dir/$1-${2}x$3-$4
  if [ ! -f "$out.json" ]; then
    OMP_NUM_THREADS=$3 launch "$2" "$3" "$snapflow" run -i "$input" -o "$out.h5" \
      -options_file inputs/run-province-day.opts -chain_steps "$chain_steps" -threads "$3" \
      -snapshots "$first:$((first + $4))" -summary "$out.json" -progress_seconds 600 \
      > "$out.log" 2>&1 || { tail -20 "$out.log" >&2; return 1; }
    rm -f "$out.h5" "$out.xmf"
  fi
  echo "$out.json"
}

csv=$dir/scaling.csv
# Every figure comes from this build (SCALING_KEEP=1 reuses the runs of an earlier study).
[ "${SCALING_KEEP:-0}" = 1 ] || rm -f "$dir"/*x*-*.json
echo "case,kind,ranks,threads,workers,snapshots,lps,total_s,transport_s,dmd_s,lps_per_s,peak_mb_per_rank,peer_total_s" > "$csv.partial"
for case in $cases; do
  input=$dir/$case.h5
  if [ ! -f "$input" ]; then
    extra=()
    [ "$case" = province-dense ] && extra=(-options_file inputs/province-dense.opts)
    launch 1 1 "$snapflow" synth province -options_file inputs/province.opts "${extra[@]}" -o "$input" > /dev/null
  fi
  for layout in $layouts; do
    ranks=${layout%x*} threads=${layout#*x} workers=$((${layout%x*} * ${layout#*x}))
    for kind in strong weak; do
      span=$intervals
      [ $kind = weak ] && span=$((weak * workers))
      # The peer of every row: 1 x 1 on the same snapshots (weak: the same LPs, which cost
      # differently at other times of the day than the 1 x 1 span's).
      summary=$(run_once "$case" "$ranks" "$threads" "$span") || exit 1
      peer=$(run_once "$case" 1 1 "$span") || exit 1
      /usr/bin/python3 - "$summary" "$peer" "$case" "$kind" "$ranks" "$threads" "$span" >> "$csv.partial" << 'PY'
import json, sys
path, peer_path, case, kind, ranks, threads, span = sys.argv[1:]
s, peer = json.load(open(path)), json.load(open(peer_path))
t = s["stages_seconds"]
print(f"{case},{kind},{ranks},{threads},{int(ranks) * int(threads)},{int(span) + 1},{s['steps']},"
      f"{t['total']:.3f},{t['transport']:.3f},{t['dmd']:.3f},{s['lps']['per_second']:.3f},"
      f"{s['peak_memory_mb_per_rank']:.0f},{peer['stages_seconds']['total']:.3f}")
PY
    done
  done
done
mv "$csv.partial" "$csv"
/usr/bin/python3 scripts/plot_scaling.py "$csv" "$dir/scaling.png"
