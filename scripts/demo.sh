#!/usr/bin/env bash
# The main job on built-in synthetic cases: installs what is needed, builds, then on 2 MPI
# ranks runs the whole pipeline (snapshots -> DMD -> fine-step transport -> frames) on the
# vortex and advection workloads, checks the flows against the known velocity, and plots
# flow arrows over density. Outputs (HDF5 + XDMF for ParaView, JSON summaries, PNG plots)
# land in demo/. The synthetic province day and its DMD fit follow (its transport at
# province scale is still slow: see docs/transport.md).
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
mpirun -n 2 $snapflow synth province -options_file inputs/province.opts -o demo/province.h5
mpirun -n 2 $snapflow info demo/province.h5
mpirun -n 2 $snapflow dmd -i demo/province.h5 -o demo/province-dmd.h5 -dmd_rank svht -dmd_holdout
