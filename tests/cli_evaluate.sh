#!/usr/bin/env bash
# `snapflow evaluate` on WLM's small HYCOM vortex (particles ingested onto a grid): held-out
# snapshots 1,3,5,7 predicted by McCann interpolation, the second-order curve, the affine flow
# and DMD (the curve closer than McCann's chords on this rotation, the affine flow within
# WLM's target of 0.10 and closer still), and forecasts of the last snapshot;
# every W1 equal to POT's exact emd2, predictions with the held-out mass, the same scores at
# 1 and 2 ranks; bad requests refused with messages.
set -u
snapflow=$1 mpiexec=$2 dir=$3 source_dir=$4 data=$5
python=/usr/bin/python3
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
failures=0 passed=0
check() {  # name, condition (0 = pass), detail
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else echo "FAIL $1: $3"; failures=$((failures + 1)); fi
}
if [ ! -f "$data/oceans_with_v0.npz" ]; then
  echo "SKIP cli_evaluate: $data/oceans_with_v0.npz is not there"
  exit 0
fi
"$snapflow" ingest -format points -nx 40 -o small.h5 "$data/oceans_with_v0.npz" > /dev/null ||
  { echo "ingest failed"; exit 1; }
evaluate() { "$mpiexec" -n "$1" "$snapflow" evaluate -i small.h5 "${@:2}" 2>&1; }
for method in mccann second_order affine_flow dmd; do
  out=$(evaluate 2 -holdout 1,3,5,7 -method $method -o $method.h5); status=$?
  msg=$($python "$source_dir/tests/evaluate_check.py" $method.h5 small.h5 2>&1); read_status=$?
  [ $status -eq 0 ] && [ $read_status -eq 0 ] && [[ "$out" == *"mean W1"* ]]; check $method $? "$msg $out"
done
for method in mccann affine_flow; do
  out=$(evaluate 1 -holdout 1,3,5,7 -method $method -o ${method}1.h5); status=$?
  msg=$($python -c "
import h5py, numpy as np
a, b = h5py.File('$method.h5', 'r'), h5py.File('${method}1.h5', 'r')
assert np.array_equal(a['evaluate/w1'][()], b['evaluate/w1'][()]), (a['evaluate/w1'][()], b['evaluate/w1'][()])" 2>&1)
  [ $status -eq 0 ]; check same_on_1_rank_$method $? "$msg $out"
done
msg=$($python -c "
import h5py
m, s = (h5py.File(f + '.h5', 'r')['evaluate/w1'][()].mean() for f in ('mccann', 'second_order'))
assert s < m, (s, m)" 2>&1); check second_order_follows_the_curve $? "$msg"
msg=$($python -c "
import h5py
s, a = (h5py.File(f + '.h5', 'r')['evaluate/w1'][()].mean() for f in ('second_order', 'affine_flow'))
assert a < min(s, 0.10), (a, s)" 2>&1); check affine_flow_follows_the_vortex $? "$msg"
for method in mccann second_order affine_flow; do
  out=$(evaluate 2 -holdout last:1 -method $method -o forecast-$method.h5); status=$?
  msg=$($python "$source_dir/tests/evaluate_check.py" forecast-$method.h5 small.h5 2>&1); read_status=$?
  [ $status -eq 0 ] && [ $read_status -eq 0 ]; check forecast_$method $? "$msg $out"
done

for method in dmd affine_flow; do
  out=$(evaluate 1 -holdout 1,2,5 -method $method -o bad.h5); status=$?
  [ $status -ne 0 ] && [[ "$out" == *"-method $method: "*"not evenly spaced"* ]]; check uneven_$method $? "$out"
done
out=$(evaluate 1 -holdout 1,2,3,4,5,6,7 -method dmd -o bad.h5); status=$?
[ $status -ne 0 ] && [[ "$out" == *"leaves 2 snapshots to fit on; DMD needs 3"* ]]; check dmd_needs_3 $? "$out"
out=$(evaluate 1 -holdout 0,1,2,3,4,5,6,7 -o bad.h5); status=$?
[ $status -ne 0 ] && [[ "$out" == *"leaves 1 of 9 snapshots"* ]]; check too_many $? "$out"
out=$(evaluate 1 -holdout 12 -o bad.h5); status=$?
[ $status -ne 0 ] && [[ "$out" == *"'12' is not a snapshot index in [0, 8]"* ]]; check out_of_range $? "$out"
out=$(evaluate 1 -holdout 3 -method spline -o bad.h5); status=$?
[ $status -ne 0 ] && [[ "$out" == *"-method"*"spline"* ]]; check method $? "$out"

echo "cli_evaluate: $passed passed, $failures failed"
[ $failures -eq 0 ]
