#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test (GoogleTest under CTest; MPI tests at
# 1, 2 and 3 ranks).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/mpi_env.sh
cd build
ctest --output-on-failure -j "$(nproc)"
