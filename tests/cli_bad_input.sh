#!/usr/bin/env bash
# `snapflow info` on 2 ranks refuses every bad input with a nonzero exit and its message
# (naming the file), or, for bad values it only summarises (NaN/Inf, non-uniform spacing),
# reports them; nothing crashes or hangs.
set -u
snapflow=$1 make_bad_inputs=$2 mpiexec=$3 dir=$4
rm -rf "$dir" && mkdir -p "$dir"
"$make_bad_inputs" "$dir" > "$dir/cases.tsv" || { echo "make_bad_inputs failed"; exit 1; }
failures=0 passed=0
while IFS=$'\t' read -r name stage expected; do
  file="$dir/$name.h5"
  output=$(timeout 120 "$mpiexec" -n 2 "$snapflow" info "$file" 2>&1)
  status=$?
  case $stage in
    open|mask)
      if [ $status -ne 1 ] || [[ "$output" != *"$expected"* ]] || [[ "$output" != *"$file"* ]]; then
        echo "FAIL $name: exit $status, expected exit 1 with \"$expected\"; got: $output"
        failures=$((failures + 1)); continue
      fi ;;
    data|uniform)
      want="value(s), first at"; [ "$stage" = uniform ] && want="NOT uniform"
      if [ $status -ne 0 ] || [[ "$output" != *"$want"* ]]; then
        echo "FAIL $name: exit $status, expected a summary reporting \"$want\"; got: $output"
        failures=$((failures + 1)); continue
      fi ;;
  esac
  passed=$((passed + 1))
done < "$dir/cases.tsv"
# The DMD refuses what info only reports: NaN/Inf values and non-uniform spacing.
for case in "density_nan:1 missing value(s) (NaN, _FillValue or missing_value) in cells that have values at other times, the first at [t=2, j=3, i=1]" \
            "density_inf:2 Inf value(s), the first at [t=0, j=0, i=5]" \
            "time_nonuniform:/time is not uniformly spaced" \
            "two_snapshots:holds 2 snapshot(s); at least 3 are needed (DMD"; do
  name=${case%%:*} expected=${case#*:}
  output=$(timeout 120 "$mpiexec" -n 2 "$snapflow" dmd -i "$dir/$name.h5" -o "$dir/dmd.h5" 2>&1)
  if [ $? -ne 1 ] || [[ "$output" != *"$expected"* ]]; then
    echo "FAIL dmd $name: expected exit 1 with \"$expected\"; got: $output"; failures=$((failures + 1))
  else passed=$((passed + 1)); fi
done
# info and transport take two snapshots.
output=$(timeout 120 "$mpiexec" -n 2 "$snapflow" info "$dir/two_snapshots.h5" 2>&1)
if [ $? -ne 0 ] || [[ "$output" != *"snapshots       2"* ]]; then
  echo "FAIL info on two snapshots: $output"; failures=$((failures + 1))
else passed=$((passed + 1)); fi
output=$(timeout 120 "$mpiexec" -n 2 "$snapflow" transport -i "$dir/two_snapshots.h5" -from 0 -to 1 2>&1)
if [ $? -ne 0 ] || [[ "$output" != *'"status": "optimal"'* ]]; then
  echo "FAIL transport on two snapshots: $output"; failures=$((failures + 1))
else passed=$((passed + 1)); fi
# A misspelt or unused option stops every command with exit 2 naming it, before any work.
for args in "run -i $dir/two_snapshots.h5 -o $dir/never.h5 -fine-dt 5|unknown option -fine-dt for 'snapflow run' (did you mean -fine_dt?)" \
            "info $dir/two_snapshots.h5 -fine_dt 5|unknown option -fine_dt for 'snapflow info'" \
            "dmd -i $dir/two_snapshots.h5 -o $dir/never.h5 -dmd_rnak 3|unknown option -dmd_rnak for 'snapflow dmd' (did you mean -dmd_rank?)" \
            "transport -i $dir/two_snapshots.h5 -from 0 -to 1 -stencl 4|unknown option -stencl" \
            "synth advect -o $dir/never.h5 -omega 2|unknown option -omega for 'snapflow synth'" \
            "ingest -format milano -o $dir/never.h5 -gird x.geojson a.txt|unknown option -gird for 'snapflow ingest' (did you mean -grid?)" \
            "info $dir/two_snapshots.h5 stray|unexpected argument 'stray'"; do
  command=${args%%|*} expected=${args#*|}
  # shellcheck disable=SC2086
  output=$(timeout 120 "$mpiexec" -n 2 "$snapflow" $command 2>&1)
  status=$?
  if [ $status -ne 2 ] || [[ "$output" != *"$expected"* ]] || [ -e "$dir/never.h5" ]; then
    echo "FAIL option check ($command): exit $status, expected 2 with \"$expected\"; got: $output"
    failures=$((failures + 1))
  else passed=$((passed + 1)); fi
done
# An options file is checked the same way.
printf -- '-fine_dt 5\n-chian_steps 4\n' > "$dir/typo.opts"
output=$(timeout 120 "$mpiexec" -n 2 "$snapflow" run -i "$dir/two_snapshots.h5" -o "$dir/never.h5" -options_file "$dir/typo.opts" 2>&1)
if [ $? -ne 2 ] || [[ "$output" != *"unknown option -chian_steps"* ]]; then
  echo "FAIL options file typo: $output"; failures=$((failures + 1))
else passed=$((passed + 1)); fi
# PETSc's and SLEPc's own options pass.
output=$(timeout 120 "$mpiexec" -n 2 "$snapflow" info "$dir/two_snapshots.h5" -log_view 2>&1)
if [ $? -ne 0 ] || [[ "$output" != *"Summary of Stages"* ]]; then
  echo "FAIL -log_view on info: $output"; failures=$((failures + 1))
else passed=$((passed + 1)); fi
# Options are checked too.
output=$("$mpiexec" -n 2 "$snapflow" synth advect -o "$dir/a.h5" -n abc 2>&1)
if [ $? -ne 1 ] || [[ "$output" != *"option -n: expected an integer, got 'abc'"* ]]; then
  echo "FAIL bad option: $output"; failures=$((failures + 1))
else passed=$((passed + 1)); fi
output=$("$mpiexec" -n 2 "$snapflow" synth nosuchcase -o "$dir/a.h5" 2>&1)
if [ $? -ne 1 ] || [[ "$output" != *"unknown case 'nosuchcase'"* ]]; then
  echo "FAIL bad case: $output"; failures=$((failures + 1))
else passed=$((passed + 1)); fi
echo "cli_bad_input: $passed passed, $failures failed"
[ $failures -eq 0 ]
