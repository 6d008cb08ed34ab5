#!/usr/bin/env bash
# Never lose the input, never hang, never mark a wrong result complete, at 2 ranks: outputs
# that are (links to) inputs are refused and the input is untouched; a second writer of the
# same output is refused while the first goes on; degenerate data, a rank failing alone and a
# full disk end with a message instead of a hang; absurd cell sizes and NaN truth velocities
# are refused; a partial run without any frame done is replaced; SIGTERM through
# scripts/mpirun_signals.sh gives status 4 and a resume identical to an uninterrupted run.
set -u
snapflow=$1 mpiexec=$2 dir=$3 source_dir=$4
python=/usr/bin/python3
# The error watchdog's grace time: short, so the cases that end through it stay quick.
export SNAPFLOW_ERROR_GRACE_S=4
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
failures=0 passed=0
check() {  # name, condition (0 = pass), detail
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else echo "FAIL $1: $3"; failures=$((failures + 1)); fi
}
sf() { timeout "${limit:-120}" "$mpiexec" -n 2 "$snapflow" "$@" 2>&1; }
refused() {  # name, expected message, command...
  local name=$1 expected=$2; shift 2
  local out status
  out=$(sf "$@"); status=$?
  [ $status -eq 1 ] && [[ "$out" == *"$expected"* ]]
  check "$name" $? "exit $status, expected 1 with \"$expected\": $out"
}

"$snapflow" synth vortex -n 24 -snapshots 16 -o v.h5 > /dev/null || { echo "synth failed"; exit 1; }
sum=$(md5sum < v.h5)

# 1. An output that is, or links to, an input is refused, and the input is untouched.
refused dmd_same "is the input 'v.h5'" dmd -i v.h5 -o v.h5
cp v.h5 w.h5.partial
refused dmd_partial_input "builds 'w.h5.partial', which is the input" dmd -i w.h5.partial -o w.h5
ln -sf v.h5 link.h5
refused dmd_symlink "is the input 'v.h5' (or a link to it)" dmd -i v.h5 -o link.h5
ln -f v.h5 hard.h5
refused run_hardlink "is the input 'v.h5' (or a link to it)" run -i v.h5 -o hard.h5
refused transport_same "is the input" transport -i v.h5 -from 0 -to 1 -o link.h5
refused summary_input "is the input" run -i v.h5 -o r.h5 -summary v.h5
mkdir -p folder.h5
start=$(date +%s)
refused output_directory "is a directory" run -i v.h5 -o folder.h5
[ $(( $(date +%s) - start )) -lt 30 ]; check directory_before_work $? "took $(( $(date +%s) - start )) s"
refused output_folder_missing "does not exist" dmd -i v.h5 -o no/such/folder/d.h5
[ "$(md5sum < v.h5)" = "$sum" ]; check input_untouched $? "v.h5 changed"
out=$(sf synth vortex -n 24 -snapshots 16 -o hard.h5)
[[ "$out" == *"exists and will be replaced"* ]]; check replaced_note $? "$out"
"$snapflow" synth vortex -n 24 -snapshots 16 -o v.h5 > /dev/null

# 2. A second writer of the same output is refused while the first goes on.
"$snapflow" synth vortex -n 48 -snapshots 20 -o slow.h5 > /dev/null
# (each write round of the first waits 0.5 s, so it is still writing when the others start)
"$mpiexec" -n 2 "$snapflow" run -i slow.h5 -o busy.h5 -threads 1 -fine_dt 0.0005 -test_write_delay 0.5 > busy.log 2>&1 &
first=$!
for _ in $(seq 50); do [ -f busy.h5.partial ] && break; sleep 0.2; done
sleep 1
refused lock_resume "is being written by another process (pid" run -i slow.h5 -o busy.h5 -threads 1 -fine_dt 0.0005 -resume
refused lock_fresh "is being written by another process" run -i slow.h5 -o busy.h5 -threads 1 -fine_dt 0.0005
wait $first; status=$?
[ $status -eq 0 ] && [ -f busy.h5 ] && [ ! -e busy.h5.partial ] && [ ! -e busy.h5.lock ]
check lock_first_completes $? "exit $status: $(tail -3 busy.log)"

# 3, 4. Degenerate data and absurd grids end with a message, on both ranks, without a hang.
"$python" - <<'PY'
import h5py, numpy as np
T, NY, NX = 6, 8, 10
base = np.random.default_rng(1).random((T, NY, NX)) + 1
def write(name, density, truth=None, **attrs):
    with h5py.File(name, "w") as f:
        f["density"] = density
        f["time"] = np.arange(T) * 10.0
        f.attrs.update(dict(dx=1.0, dy=1.0, vmax=0.5))
        f.attrs.update(attrs)
        if truth is not None:
            f["truth/velocity"] = truth
write("zeros.h5", np.zeros((T, NY, NX)))
write("denormal.h5", base * 1e-310)
write("huge.h5", base * 1e300)
write("tiny_dx.h5", base, dx=1e-300, dy=1e-300)
write("huge_dx.h5", base, dx=1e300)
truth = np.zeros((T, NY, NX, 2)); truth[..., 0] = 0.1; truth[2, 3, 4, 0] = np.nan
write("nan_truth.h5", base, truth)
with h5py.File("big_zone.h5", "w") as f:
    f["density"] = base; f["time"] = np.arange(T) * 10.0; f.attrs.update(dx=1.0, dy=1.0)
    zones = np.full((NY, NX), -1, np.int32); zones[0, 0] = 2**31 - 1; f["zones"] = zones
with h5py.File("broken_link.h5", "w") as f:
    f["time"] = np.arange(T) * 10.0; f.attrs.update(dx=1.0, dy=1.0)
    f["density"] = h5py.SoftLink("/nowhere")
PY
limit=60
for command in dmd run; do
  refused ${command}_zeros "holds no mass: every value is 0" $command -i zeros.h5 -o z.h5
  refused ${command}_denormal "so small that their squares underflow" $command -i denormal.h5 -o z.h5
  refused ${command}_huge "beyond what the DMD's sums of squares can hold" $command -i huge.h5 -o z.h5
done
refused tiny_cell "dx = 1e-300 is not a plausible cell size" run -i tiny_dx.h5 -o z.h5
refused huge_cell "dx = 1e+300 is not a plausible cell size" info huge_dx.h5
refused nan_truth "/truth/velocity holds nan at [t=2, j=3, i=4, component 0]" run -i nan_truth.h5 -o z.h5
refused broken_link "/density cannot be opened (a broken link?)" info broken_link.h5
out=$(sf info big_zone.h5); status=$?
[ $status -eq 0 ] && [[ "$out" == *"1 zone(s), ids up to 2147483647"* ]]; check info_big_zone $? "$out"
# A rank failing alone: the others would wait forever; the watchdog ends the job.
start=$(date +%s)
out=$(sf run -i v.h5 -o alone.h5 -test_fail_on_rank 1); status=$?
took=$(( $(date +%s) - start ))
[ $status -ne 0 ] && [ $status -ne 124 ] && [[ "$out" == *"rank 1 fails alone"*"ending the job"* ]]
check rank_fails_alone $? "exit $status after $took s: $out"
limit=120

# A full disk: the message names it, the job ends (a tmpfs of 200 KB, when one can be mounted).
mkdir -p full
if mount -t tmpfs -o size=200k tmpfs full 2>/dev/null; then
  dd if=/dev/zero of=full/filler bs=1k count=400 2>/dev/null
  limit=60
  out=$(sf run -i v.h5 -o full/out.h5); status=$?
  [ $status -ne 0 ] && [ $status -ne 124 ] && [[ "$out" == *"is full"* ]]; check disk_full_run $? "exit $status: $out"
  out=$(sf transport -i v.h5 -from 0 -to 1 -o full/t.h5); status=$?
  [ $status -eq 1 ] && [[ "$out" == *"No space left on device"* ]]; check disk_full_transport $? "exit $status: $out"
  limit=120
  umount full
else
  echo "cli_reliability: cannot mount a small tmpfs here: the full-disk cases are skipped"
fi

# 5. A partial run without any frame done (a bad DMD option stops it) is replaced.
refused stale_partial_made "exceeds the numerical rank" run -i v.h5 -o stale.h5 -dmd_rank 500 -dmd_window 0
[ -f stale.h5.partial ]; check stale_partial_left $? "no partial file"
out=$(sf run -i v.h5 -o stale.h5 -threads 1); status=$?
[ $status -eq 0 ] && [[ "$out" == *"replacing 'stale.h5.partial': that run stopped before any frame was done"* ]]
check stale_replaced $? "$out"
refused stale_again "exceeds the numerical rank" run -i v.h5 -o stale2.h5 -dmd_rank 500 -dmd_window 0
out=$(sf run -i v.h5 -o stale2.h5 -threads 1 -resume); status=$?
[ $status -eq 0 ] && [[ "$out" == *"nothing to resume in 'stale2.h5.partial'"*"starting from the beginning"* ]]
check stale_resumed_afresh $? "$out"
echo "not ours" > other.h5.partial
refused foreign_partial "exists and is not a snapflow run output" run -i v.h5 -o other.h5

# 7. SIGTERM through scripts/mpirun_signals.sh: status 4, frames saved, resume identical.
"$mpiexec" -n 2 "$snapflow" run -i slow.h5 -o ref.h5 -threads 1 -fine_dt 0.0005 > /dev/null 2>&1
# The signal goes as soon as the first frame is written (its progress line), not after a fixed
# wait, which a fast machine outran.
bash "$source_dir/scripts/mpirun_signals.sh" -n 2 "$snapflow" run -i slow.h5 -o term.h5 -threads 1 \
  -fine_dt 0.0005 -progress_seconds 0 > term.log 2>&1 &
launcher=$!
for _ in $(seq 1200); do grep -q "run: frames" term.log && break; sleep 0.05; done
kill -TERM $launcher
wait $launcher; status=$?
[ $status -eq 4 ] && grep -q "stopped by signal" term.log; check sigterm_status_4 $? "exit $status: $(tail -3 term.log)"
out=$(sf run -i slow.h5 -o term.h5 -threads 1 -fine_dt 0.0005 -resume)
msg=$("$python" "$source_dir/scripts/compare_runs.py" ref.h5 term.h5); check sigterm_resume_identical $? "$msg $out"

echo "cli_reliability: $passed passed, $failures failed"
[ $failures -eq 0 ]
