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
      want="NaN/Inf value(s), first at"; [ "$stage" = uniform ] && want="NOT uniform"
      if [ $status -ne 0 ] || [[ "$output" != *"$want"* ]]; then
        echo "FAIL $name: exit $status, expected a summary reporting \"$want\"; got: $output"
        failures=$((failures + 1)); continue
      fi ;;
  esac
  passed=$((passed + 1))
done < "$dir/cases.tsv"
# The DMD refuses what info only reports: NaN/Inf values and non-uniform spacing.
for case in "density_nan:NaN or Inf value(s), the first at [t=2, j=3, i=1]" \
            "time_nonuniform:/time is not uniformly spaced"; do
  name=${case%%:*} expected=${case#*:}
  output=$(timeout 120 "$mpiexec" -n 2 "$snapflow" dmd -i "$dir/$name.h5" -o "$dir/dmd.h5" 2>&1)
  if [ $? -ne 1 ] || [[ "$output" != *"$expected"* ]]; then
    echo "FAIL dmd $name: expected exit 1 with \"$expected\"; got: $output"; failures=$((failures + 1))
  else passed=$((passed + 1)); fi
done
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
