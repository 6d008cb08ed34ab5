#!/usr/bin/env bash
# Thread scaling of one rank's farming (ChainFarm) on a machine where only the transport
# kernel builds (CMake and a C++17 compiler with OpenMP; no MPI, PETSc or HDF5), e.g. a
# many-core node without the full stack:
#   bench/thread_scaling.sh WORKLOAD [THREADS (1,2,4,8,16)] [thread_scaling_bench options]
# WORKLOAD comes from bench/export_workload.py, run where the snapshot and DMD files are.
# Builds in build-kernel/; threads are pinned to cores unless OMP_PROC_BIND says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
workload=$1 threads=${2:-1,2,4,8,16}
cmake -S . -B build-kernel -DSNAPFLOW_KERNEL_ONLY=ON -DSNAPFLOW_BUILD_TESTS=OFF > /dev/null
cmake --build build-kernel -j "$(nproc)" --target thread_scaling_bench > /dev/null
OMP_PROC_BIND=${OMP_PROC_BIND:-close} OMP_PLACES=${OMP_PLACES:-cores} \
  build-kernel/bin/thread_scaling_bench -workload "$workload" -threads "$threads" "${@:3}"
