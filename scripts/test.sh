#!/usr/bin/env bash
# Installs what is needed (ParaView too, to check that the outputs open in it), builds, and
# runs every test (GoogleTest under CTest; MPI tests at 1, 2 and 3 ranks); then builds every
# test again with ASan + UBSan and runs the suite on that build (scripts/test_sanitized.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# What only the tests use: ParaView (headless, under a virtual X server) to open the outputs,
# and a single-node Slurm (slurmctld + slurmd + munge, started by tests/cli_slurm.sh).
bash scripts/install_packages.sh python3-paraview xvfb xauth slurm-wlm munge
source scripts/mpi_env.sh
(cd build && ctest --output-on-failure -j "$(nproc)")
bash scripts/test_sanitized.sh
