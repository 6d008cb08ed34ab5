#!/usr/bin/env bash
# Ingest speed on one day of Milan activity files (DESIGN.md section 2.3; target: a full day
# file in <= 10 s on 2 cores): `snapflow ingest -format milano` at 1 rank x 2 threads and 2
# ranks x 1 thread, against two peers measured in the same run on the same file: OGR's CSV
# driver (bench/ogr_table_peer) and pandas.read_csv (what an analyst would write). The day
# is generated on the real grid by scripts/make_milano_day.py (~5.9 million rows, ~560 MB).
#   bench/ingest_bench.sh [DIR (bench/ingest)] [REPEATS (3)]
# Needs a build (scripts/setup.sh). Prints seconds, rows per second, peak memory and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/mpi_env.sh
dir=${1:-bench/ingest} repeats=${2:-3}
grid=${SNAPFLOW_GRID:-../shared/data/milano-grid.geojson}
[ -f "$grid" ] || grid=/work/shared/data/milano-grid.geojson
mkdir -p "$dir"
day="$dir/sms-call-internet-mi-2013-11-01.txt"
[ -f "$day" ] || /usr/bin/python3 scripts/make_milano_day.py "$dir" --slots 144 > /dev/null
size_mb=$(( $(stat -L -c %s "$day") / 1000000 ))
rows=$(wc -l < "$day")
echo "ingest_bench: $day: $size_mb MB, $rows rows"
best() { sort -n | head -1; }
time_of() {  # seconds of the fastest of $repeats runs of "$@"
  for _ in $(seq "$repeats"); do
    /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1
  done | best
}
read -r t_ranks mem_ranks < <(time_of mpirun -n 2 -x OMP_NUM_THREADS=1 build/bin/snapflow ingest \
  -format milano -grid "$grid" -o "$dir/day.h5" "$day")
read -r t_threads mem_threads < <(time_of env OMP_NUM_THREADS=2 build/bin/snapflow ingest \
  -format milano -grid "$grid" -o "$dir/day.h5" "$day")
read -r t_ogr mem_ogr < <(time_of build/bin/ogr_table_peer -file "$day")
read -r t_pandas mem_pandas < <(time_of /usr/bin/python3 -c "
import pandas as pd, sys
d = pd.read_csv(sys.argv[1], sep='\t', header=None,
                names=['square', 'time', 'country', 'sms_in', 'sms_out', 'call_in', 'call_out', 'internet'])
d.groupby(['time', 'square'])['internet'].sum()" "$day")
/usr/bin/python3 - "$rows" "$size_mb" "$t_ranks" "$mem_ranks" "$t_threads" "$mem_threads" \
  "$t_ogr" "$mem_ogr" "$t_pandas" "$mem_pandas" <<'PY'
import sys
rows, mb = int(sys.argv[1]), int(sys.argv[2])
runs = [("snapflow ingest, 2 ranks x 1 thread", 3), ("snapflow ingest, 1 rank x 2 threads", 5),
        ("peer: OGR CSV driver (1 thread)", 7), ("peer: pandas.read_csv + groupby (1 thread)", 9)]
ours = float(sys.argv[3])
print(f"{'reader':<44} {'wall_s':>7} {'Mrows/s':>8} {'MB/s':>6} {'peak_MB':>8} {'vs ours':>8}")
for name, k in runs:
    t, mem = float(sys.argv[k]), int(sys.argv[k + 1]) / 1024
    print(f"{name:<44} {t:>7.2f} {rows / t / 1e6:>8.2f} {mb / t:>6.0f} {mem:>8.0f} {t / ours:>7.1f}x")
print("wall times include process start-up (MPI, PETSc, GDAL); peak memory per process, "
      "the file's mapped pages included")
PY
