#!/usr/bin/env bash
# `snapflow transport` prints the JSON line of DESIGN.md section 3, reports infeasible local
# problems (and solves them with -balance relaxed), writes flows whose out-marginal is the
# first snapshot, and refuses bad options.
set -u
snapflow=$1 mpiexec=$2 dir=$3
rm -rf "$dir" && mkdir -p "$dir"
failures=0 passed=0
check() {  # name, condition (0 = pass), detail
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else echo "FAIL $1: $3"; failures=$((failures + 1)); fi
}
"$snapflow" synth advect -n 20 -o "$dir/a.h5" > /dev/null || { echo "synth failed"; exit 1; }
out=$("$mpiexec" -n 2 "$snapflow" transport -i "$dir/a.h5" -from 3 -to 4 -o "$dir/t.h5" 2>&1)
[[ "$out" == '{"status": "optimal", "cost": '*'"moved": '*'"seconds": '* ]]; check json $? "$out"
[ -f "$dir/t.h5" ] && [ ! -e "$dir/t.h5.partial" ]; check output_file $? "no $dir/t.h5"
out=$("$snapflow" transport -i "$dir/a.h5" -from 3 -to 12 2>&1)
[[ "$out" == *'"status": "infeasible"'* && "$out" == *"is infeasible"*"-balance relaxed"* ]]
check infeasible $? "$out"
out=$("$snapflow" transport -i "$dir/a.h5" -from 3 -to 12 -balance relaxed 2>&1)
[[ "$out" == *'"status": "relaxed"'* ]]; check relaxed $? "$out"
out=$("$snapflow" transport -i "$dir/a.h5" -from 3 -to 12 -stencil global 2>&1)
[[ "$out" == *'"status": "optimal"'* ]]; check global $? "$out"
out=$("$snapflow" transport -i "$dir/a.h5" -from 3 -to 40 2>&1); status=$?
[ $status -eq 1 ] && [[ "$out" == *"option -to: 40 is out of range [0, 39]"* ]]; check range $? "$out"
out=$("$snapflow" transport -i "$dir/a.h5" -from 1 -to 2 -stencil 6 2>&1); status=$?
[ $status -eq 1 ] && [[ "$out" == *"option -stencil: '6' is not one of 4, 8, 24, global"* ]]
check stencil $? "$out"
echo "cli_transport: $passed passed, $failures failed"
[ $failures -eq 0 ]
