#!/usr/bin/env bash
# The main job on a built-in synthetic case: installs what is needed, builds, writes the
# synthetic commuter day of a province on 2 MPI ranks, summarises it, and fits its DMD
# model (with the held-out check). The whole pipeline (flows, plots) comes with `run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/mpi_env.sh
mkdir -p demo
mpirun -n 2 build/bin/snapflow synth province -options_file inputs/province.opts -o demo/province.h5
mpirun -n 2 build/bin/snapflow info demo/province.h5
mpirun -n 2 build/bin/snapflow dmd -i demo/province.h5 -o demo/province-dmd.h5 -dmd_rank svht -dmd_holdout
