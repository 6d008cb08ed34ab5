#!/usr/bin/env bash
# Files written by h5py, netCDF4, xarray (h5netcdf and netCDF4 engines) and hdf5storage
# (MATLAB v7.3) are read as their writers meant them, at 2 ranks: grid, times, every density
# value and missing value (tests/real_writers.py); `info` and `transport` work on each.
set -u
snapflow=$1 read_input=$2 mpiexec=$3 dir=$4 source_dir=$5
python=/usr/bin/python3
rm -rf "$dir" && mkdir -p "$dir"
if ! "$python" -c "import h5py, netCDF4, xarray, h5netcdf, hdf5storage" 2>/dev/null; then
  echo "cli_real_writers: python3-h5py, -netcdf4, -xarray, -h5netcdf and -hdf5storage are needed"
  echo "(scripts/setup.sh installs them)"
  exit 1
fi
cases=$("$python" "$source_dir/tests/real_writers.py" write "$dir") || { echo "writing failed"; exit 1; }
failures=0 passed=0
for file in $cases; do
  case=${file%.*} path="$dir/$file"
  if ! output=$(timeout 120 "$mpiexec" -n 2 "$read_input" "$path" "$dir/$case" 2>&1); then
    echo "FAIL $case: read_input: $output"; failures=$((failures + 1)); continue
  fi
  if ! "$python" "$source_dir/tests/real_writers.py" check "$dir" "$case"; then
    failures=$((failures + 1)); continue
  fi
  output=$(timeout 120 "$mpiexec" -n 2 "$snapflow" info "$path" 2>&1)
  if [ $? -ne 0 ] || [[ "$output" != *"nx = 7, ny = 5"* ]]; then
    echo "FAIL $case: info: $output"; failures=$((failures + 1)); continue
  fi
  output=$(timeout 120 "$mpiexec" -n 2 "$snapflow" transport -i "$path" -from 0 -to 1 -missing zero 2>&1)
  if [ $? -ne 0 ] || [[ "$output" != *'"status": "optimal"'* ]]; then
    echo "FAIL $case: transport: $output"; failures=$((failures + 1)); continue
  fi
  passed=$((passed + 1))
done
# Epoch times are shown as UTC dates, and the CRS by name.
output=$("$mpiexec" -n 2 "$snapflow" info "$dir/xarray_h5netcdf.nc" 2>&1)
if [[ "$output" != *"dates (UTC)     2013-11-01T00:00:00Z .. 2013-11-01T00:45:00Z"* ]] ||
   [[ "$output" != *"1 cell(s) have no value at any time"* ]]; then
  echo "FAIL info dates / empty cells: $output"; failures=$((failures + 1))
else passed=$((passed + 1)); fi
output=$("$mpiexec" -n 2 "$snapflow" info "$dir/netcdf4_packed.nc" 2>&1)
if [[ "$output" != *"crs             WGS 84 / UTM zone 32N (EPSG:32632)"* ]] ||
   [[ "$output" != *"coordinate /y decreases: rows flipped"* ]]; then
  echo "FAIL info crs / row order: $output"; failures=$((failures + 1))
else passed=$((passed + 1)); fi
# A gap in one cell is refused by the pipeline unless -missing says how to fill it.
output=$("$mpiexec" -n 2 "$snapflow" dmd -i "$dir/netcdf4_packed.nc" -o "$dir/dmd.h5" 2>&1)
if [ $? -ne 1 ] || [[ "$output" != *"1 missing value(s)"*"give -missing interpolate"* ]]; then
  echo "FAIL dmd refuses the gap: $output"; failures=$((failures + 1))
else passed=$((passed + 1)); fi
output=$("$mpiexec" -n 2 "$snapflow" dmd -i "$dir/netcdf4_packed.nc" -o "$dir/dmd.h5" -missing interpolate -dmd_rank 2 2>&1)
if [ $? -ne 0 ] || [[ "$output" != *"1 missing value(s) were interpolated in time"* ]]; then
  echo "FAIL dmd -missing interpolate: $output"; failures=$((failures + 1))
else passed=$((passed + 1)); fi
echo "cli_real_writers: $passed passed, $failures failed"
[ $failures -eq 0 ]
