#!/usr/bin/env bash
# A day of Telecom Italia Milan activity files in, flows out: ingest them on the real grid
# (../shared/data/milano-grid.geojson), summarise the input, run the pipeline with
# inputs/milan-day.opts and plot the busiest frame. Without FILEs, a day in the Milan format
# is generated first (scripts/make_milano_day.py: the real grid, a commuter pattern).
#   scripts/milan_day.sh [-o DIR (demo/milan)] [-n RANKS (2)] [FILE...]
# Needs a build (scripts/setup.sh). Writes DIR/day.h5, DIR/flows.h5 (+ .xmf), DIR/summary.json
# and DIR/flows.png.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=demo/milan ranks=2
while [ $# -gt 0 ]; do
  case $1 in
    -o) out=$2; shift 2 ;;
    -n) ranks=$2; shift 2 ;;
    -h|-help|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
source "$root/scripts/mpi_env.sh"
snapflow=$root/build/bin/snapflow
[ -x "$snapflow" ] || { echo "milan_day.sh: build first (bash scripts/setup.sh)"; exit 1; }
grid=${SNAPFLOW_GRID:-$root/../shared/data/milano-grid.geojson}
[ -f "$grid" ] || { echo "milan_day.sh: the Milan grid is not at $grid (set SNAPFLOW_GRID)"; exit 1; }
mkdir -p "$out"
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  echo "milan_day.sh: no files given: generating a day in the Milan format in $out/source"
  mapfile -t files < <(/usr/bin/python3 "$root/scripts/make_milano_day.py" "$out/source")
fi
mpirun -n "$ranks" "$snapflow" ingest -format milano -grid "$grid" -o "$out/day.h5" "${files[@]}"
mpirun -n "$ranks" "$snapflow" info "$out/day.h5"
mpirun -n "$ranks" "$snapflow" run -i "$out/day.h5" -o "$out/flows.h5" \
  -options_file "$root/inputs/milan-day.opts" -summary "$out/summary.json" -progress_seconds 30
/usr/bin/python3 "$root/scripts/plot_flows.py" "$out/flows.h5" -o "$out/flows.png"
echo "milan_day.sh: wrote $out/day.h5, $out/flows.h5, $out/summary.json, $out/flows.png"
