#!/usr/bin/env bash
# Every accuracy figure side by side in one run (issue targets in brackets):
#   accuracy_bench: E_local for advect-20/30/40 against the seed paper's Table 1, and the
#     velocity errors from exact and from DMD states on advect and vortex;
#   snapflow run at default settings and with inputs/run-synthetic.opts on advect-40 and
#     vortex-40: the run's own velocity check against /truth/velocity;
#   the province-small day, sparse and dense (-fine_dt 30): velocity error, and the trip CPC
#     of 06:00-10:00 against /truth/od and a gravity model (bench/trip_bench.py).
# Usage: bash bench/accuracy_suite.sh [WORKDIR]   (needs a build: scripts/setup.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work" && cd "$work"
source "$root/scripts/mpi_env.sh"
snapflow="$root/build/bin/snapflow"
python=/usr/bin/python3
ranks=${RANKS:-2}
velocity() {  # summary.json -> "relative / angle deg"
  $python -c "import json, sys; v = json.load(open(sys.argv[1]))['velocity_error']; print(f\"{v['relative']:.3f} / {v['angle_degrees']:.1f} deg\")" "$1"
}

echo "== accuracy_bench (E_local vs the seed paper's Table 1; velocity errors) =="
"$root/build/bin/accuracy_bench"
echo "-- smooth bump, states floored at 1%: the simplex's vertex, then the least-energy optimal flow"
"$root/build/bin/accuracy_bench" -profile smooth -floor 0.01 | tail -4
"$root/build/bin/accuracy_bench" -profile smooth -floor 0.01 -flow_choice min_energy | tail -4

echo
echo "== snapflow run: velocity error against /truth/velocity (4 x 4 blocks, mass-weighted) =="
printf "%-24s %-26s %-26s\n" case "defaults" "inputs/run-synthetic.opts"
for case in advect-40 vortex-40; do
  mpirun -n "$ranks" "$snapflow" synth "${case%-*}" -options_file "$root/inputs/$case.opts" -o "$case.h5" > /dev/null
  mpirun -n "$ranks" "$snapflow" run -i "$case.h5" -o "$case-bare.h5" -summary "$case-bare.json" > /dev/null
  mpirun -n "$ranks" "$snapflow" run -i "$case.h5" -o "$case-tuned.h5" -summary "$case-tuned.json" \
    -options_file "$root/inputs/run-synthetic.opts" > /dev/null
  printf "%-24s %-26s %-26s\n" "$case" "$(velocity "$case-bare.json")" "$(velocity "$case-tuned.json")"
done

echo
echo "== province-small day (-fine_dt 30): velocity error [<= 25% / 10 deg] and trips 06:00-10:00 [CPC >= 0.9, above gravity] =="
for population in sparse dense; do
  mpirun -n "$ranks" "$snapflow" synth province -options_file "$root/inputs/province-small.opts" \
    -population $population -o "province-$population.h5" > /dev/null
  mpirun -n "$ranks" "$snapflow" run -i "province-$population.h5" -o "province-$population-flows.h5" \
    -fine_dt 30 -summary "province-$population.json" > /dev/null
  echo "$population: velocity error $(velocity "province-$population.json")"
  $python "$root/bench/trip_bench.py" "province-$population-flows.h5" "province-$population.h5" \
    -from 21600 -to 36000 | tail -1 | sed "s/^trip_bench:/$population:/"
done
echo "accuracy_suite: files in $work"
