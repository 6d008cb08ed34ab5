#!/usr/bin/env bash
# The main job on built-in synthetic cases: installs what is needed, builds, then on 2 MPI
# ranks runs the whole pipeline (snapshots -> DMD -> fine-step transport -> frames) on the
# vortex and advection workloads, checks the flows against the known velocity, and plots
# flow arrows over density; then a small province day with zones: flows, plot, animation and
# exports. Outputs (HDF5 + XDMF for ParaView, JSON summaries, PNG plots, an MP4, CSV and
# GeoJSON exports) land in demo/. The full-size province day and its DMD fit follow (its
# transport at province scale is still slow: see docs/transport.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/mpi_env.sh
mkdir -p demo
snapflow=build/bin/snapflow
for case in vortex-40 advect-40; do
  kind=${case%-*}
  mpirun -n 2 $snapflow synth "$kind" -options_file "inputs/$case.opts" -o "demo/$case.h5"
  mpirun -n 2 $snapflow run -i "demo/$case.h5" -o "demo/$case-flows.h5" -options_file inputs/run-synthetic.opts \
    -summary "demo/$case-summary.json"
  /usr/bin/python3 scripts/plot_flows.py "demo/$case-flows.h5" -truth "demo/$case.h5" -o "demo/$case-flows.png"
done
# A small province day (96 x 128 cells, zones, UTM 32N): flows, a frame plot, an animation of
# the day and the exports for scikit-mobility, flowmap.blue and GIS tools.
mpirun -n 2 $snapflow synth province -options_file inputs/province-small.opts -o demo/province-small.h5
# The default fine step: the CFL step of the travellers' top speed (longer steps cut trips short).
mpirun -n 2 $snapflow run -i demo/province-small.h5 -o demo/province-small-flows.h5 \
  -summary demo/province-small-summary.json
/usr/bin/python3 scripts/plot_flows.py demo/province-small-flows.h5 -truth demo/province-small.h5 \
  -time 27000 -o demo/province-small-0730.png
/usr/bin/python3 scripts/plot_flows.py demo/province-small-flows.h5 -animate demo/province-small-day.mp4
for format in skmob flowmap geojson; do
  mpirun -n 2 $snapflow export -i demo/province-small-flows.h5 -format $format -o demo/export-$format
done
mpirun -n 2 $snapflow synth province -options_file inputs/province.opts -o demo/province.h5
mpirun -n 2 $snapflow info demo/province.h5
mpirun -n 2 $snapflow dmd -i demo/province.h5 -o demo/province-dmd.h5 -dmd_rank svht -dmd_holdout
