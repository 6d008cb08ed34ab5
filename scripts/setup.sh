#!/usr/bin/env bash
# Installs the Debian packages snapflow needs (only when one is missing), then configures and
# builds into build/ (the program lands at build/bin/snapflow). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config
  openmpi-bin libopenmpi-dev
  libpetsc-real3.18-dev libslepc-real3.18-dev
  libhdf5-openmpi-dev
  libgtest-dev
  liblemon-dev coinor-libclp-dev
  clang libomp-dev
  libgdal-dev libproj-dev gdal-bin
  python3 python3-numpy python3-scipy python3-h5py python3-matplotlib python3-pot
  python3-pandas python3-netcdf4 python3-xarray python3-h5netcdf python3-hdf5storage
  python3-pil python3-gdal ffmpeg
)
bash scripts/install_packages.sh "${packages[@]}"

cmake -S . -B build -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" > build.configure.log 2>&1 ||
  { cat build.configure.log; exit 1; }
rm -f build.configure.log
cmake --build build -j "$(nproc)"
