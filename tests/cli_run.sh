#!/usr/bin/env bash
# `snapflow run` end to end: a complete output with a valid XDMF sidecar and JSON summary;
# identical output for 1, 2 and 3 ranks, on 1, 2 and 3 (simulated) nodes, and for 1 and 2
# threads; a run killed with SIGKILL mid-way, or stopped by SIGTERM, resumes to exactly the
# datasets of an uninterrupted run;
# zones give OD flows; -flow_choice min_energy follows a smooth advection closer than the
# vertex; -state_support follows a translating box closer than the states as fitted;
# -dmd_blend keeps the states at the snapshots; bench/centre_of_mass_peer.py measures the flows
# as the run does; bad requests are refused with messages.
set -u
snapflow=$1 mpiexec=$2 dir=$3 source_dir=$4
python=/usr/bin/python3
compare="$python $source_dir/scripts/compare_runs.py"
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
failures=0 passed=0
check() {  # name, condition (0 = pass), detail
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else echo "FAIL $1: $3"; failures=$((failures + 1)); fi
}
run() { "$mpiexec" -n "$1" "$snapflow" run "${@:2}" 2>&1; }

"$snapflow" synth vortex -n 24 -snapshots 16 -o v.h5 > /dev/null || { echo "synth failed"; exit 1; }
out=$(run 1 -i v.h5 -o ref.h5 -threads 1 -summary ref.json); status=$?
[ $status -eq 0 ] && [ -f ref.h5 ] && [ ! -e ref.h5.partial ] && [ -f ref.xmf ]; check complete $? "$out"
msg=$($python "$source_dir/tests/check_run_output.py" "$dir/ref.h5" "$dir/ref.xmf"); check output $? "$msg"
msg=$($python -c "import json; s = json.load(open('ref.json')); assert s['lps']['optimal'] + s['lps']['relaxed'] + s['lps']['infeasible'] == s['steps'] and 'velocity_error' in s and s['stages_seconds']['transport'] > 0" 2>&1)
check summary $? "$msg"
[[ "$out" == *"frames "*"LP/s"*"ETA"* ]]; check progress $? "$out"
# Where the time went: every step counted once in the spans' table.
msg=$($python "$source_dir/scripts/step_costs.py" ref.h5 2>&1)
steps=$($python -c "import json; print(json.load(open('ref.json'))['steps'])")
[[ "$(echo "$msg" | awk '$1 == "total" {print $2}')" == "$steps" ]]; check step_costs $? "$msg"
# Without DMD options the run keeps the modes above the noise (Gavish-Donoho).
msg=$($python -c "
import h5py
d = h5py.File('ref.h5', 'r')['dmd']
fits = [g for g in d.values() if isinstance(g, h5py.Group)] or [d]
rules = [g.attrs['rank_rule'] for g in fits]
rules = [r.decode() if isinstance(r, bytes) else str(r) for r in rules]
assert rules and all(r.startswith('svht') for r in rules), rules" 2>&1)
check default_rank_rule $? "$msg"
# The centre-of-mass peer's script measures the flows as the run's own check does.
out=$($python "$source_dir/bench/centre_of_mass_peer.py" ref.h5 v.h5 2>&1)
msg=$($python -c "
import json, re, sys
v = json.load(open('ref.json'))['velocity_error']
m = re.search(r'flows ([0-9.]+) / ([0-9.]+) deg, centre-of-mass peer ([0-9.]+) / ', sys.argv[1])
assert m and abs(float(m[1]) - v['relative']) < 1e-3 and abs(float(m[2]) - v['angle_degrees']) < 0.1, (m and m.groups(), v)" "$out" 2>&1)
check centre_of_mass_peer $? "$msg $out"

for ranks in 2 3; do
  out=$(run $ranks -i v.h5 -o r$ranks.h5 -threads 1); msg=$($compare ref.h5 r$ranks.h5)
  check ranks_$ranks $? "$msg $out"
done
# Three ranks as two and as three nodes (each node holds its own copy of the DMD modes, the
# nodes' leaders exchange their rows): the same output as one node.
for nodes in 2 3; do
  out=$(SNAPFLOW_SIMULATED_NODES=$nodes run 3 -i v.h5 -o n$nodes.h5 -threads 1); msg=$($compare ref.h5 n$nodes.h5)
  status=$?; [ $status -eq 0 ] && [[ "$out" == *"over 3 rank(s) on $nodes node(s)"* ]]
  check simulated_nodes_$nodes $? "$msg $out"
done
out=$(SNAPFLOW_SIMULATED_NODES=two run 2 -i v.h5 -o bad_nodes.h5 -threads 1); status=$?
[ $status -ne 0 ] && [[ "$out" == *"SNAPFLOW_SIMULATED_NODES=two is not a number of nodes"* ]]
check simulated_nodes_refused $? "$out"
out=$(OMP_NUM_THREADS=2 run 1 -i v.h5 -o t2.h5 -threads 2); msg=$($compare ref.h5 t2.h5)
check threads_2 $? "$msg $out"
# The SLURM job script run outside SLURM from a data folder: it finds the repository's
# binary, takes the run settings from an options file, and gives the plain run's output.
if [ -x "$source_dir/build/bin/snapflow" ]; then
  mkdir -p data && cp v.h5 data/
  out=$(cd data && SNAPFLOW_RANKS=2 bash "$source_dir/jobs/run.sbatch" v.h5 job.h5 \
    "$source_dir/inputs/run-synthetic.opts" 2>&1); status=$?
  plain=$(run 2 -i v.h5 -o plain.h5 -threads 1 -options_file "$source_dir/inputs/run-synthetic.opts")
  msg=$($compare plain.h5 data/job.h5); same=$?
  [ $status -eq 0 ] && [ $same -eq 0 ] && [ -f data/job.json ]; check job_script $? "$msg $out"
fi
# Chains of 4 frames, the last ones tapering to 2 and 1 (9 frames: 4, 2, 2, 1): the same
# output on 1 and 3 ranks.
out=$(run 1 -i v.h5 -o c1.h5 -threads 1 -frame_steps 1 -chain_steps 4)
out3=$(run 3 -i v.h5 -o c3.h5 -threads 1 -frame_steps 1 -chain_steps 4); msg=$($compare c1.h5 c3.h5)
check tapered_chains $? "$msg $out $out3"

# SIGKILL after the first write: no file under the final name, a partial one with some frames
# done. Only the first write is sure to leave frames undone: it holds what the ranks were dealt
# at their first meeting (<= 2 chains each of 9), while a later one may hold the last chains.
out=$(run 2 -i v.h5 -o k.h5 -threads 1 -test_kill_after_writes 1)
[ ! -e k.h5 ] && [ -f k.h5.partial ]; check killed $? "$out"
msg=$($python -c "
import h5py; f = h5py.File('k.h5.partial', 'r'); done = f['frames/done'][()].sum()
assert f.attrs['complete'] == 0 and 0 < done < len(f['frames/done']), (f.attrs['complete'], done)" 2>&1)
check partial $? "$msg"
# A partial written before -state_support existed (no such attribute) ran on the states as
# fitted: resuming it under the default is refused, naming both values.
cp k.h5.partial old.h5.partial
$python -c "
import h5py; f = h5py.File('old.h5.partial', 'a'); del f.attrs['state_support']"
out=$(run 2 -i v.h5 -o old.h5 -threads 1 -resume); status=$?
[ $status -ne 0 ] && [[ "$out" == *"state_support = 'none'; this run has 'snapshots'"* ]]
check resume_state_support_refused $? "$out"
# A partial written before -flow_choice existed (no such attribute) was run with the vertex.
$python -c "
import h5py; f = h5py.File('k.h5.partial', 'a'); del f.attrs['flow_choice']"
out=$(run 3 -i v.h5 -o k.h5 -threads 1 -resume); status=$?
[ $status -eq 0 ] && [[ "$out" == *"resuming"* ]]; check resume_killed $? "$out"
msg=$($compare ref.h5 k.h5); check resume_killed_identical $? "$msg"

# SIGTERM (what SLURM sends) after the first write: exit status 4 and how to resume.
out=$(run 2 -i v.h5 -o s.h5 -threads 1 -test_signal_after_writes 1); status=$?
[ $status -ne 0 ] && [[ "$out" == *"stopped by signal 15"*"-resume"* ]] && [ -f s.h5.partial ]
check sigterm $? "$out"
out=$(run 1 -i v.h5 -o s.h5 -threads 1 -resume -summary s.json); msg=$($compare ref.h5 s.h5)
check resume_sigterm_identical $? "$msg $out"
# The resumed run's summary covers both legs: every LP solved once, the first leg's time kept.
msg=$($python -c "
import json; s = json.load(open('s.json')); leg = s['this_leg']
assert s['legs'] == 2, s['legs']
assert s['lps']['solved'] == s['steps'], (s['lps']['solved'], s['steps'])
assert 0 < leg['solved'] < s['steps'], leg['solved']
assert s['stages_seconds']['total'] > leg['stages_seconds']['total'] and s['stages_seconds']['dmd'] > 0
" 2>&1); check resumed_summary $? "$msg"

# A masked province with zones: OD flows, same at 1 and 3 ranks.
"$snapflow" synth province -nx 32 -ny 24 -dx 3000 -dy 3000 -people 2e4 -towns 4 -snapshots 7 \
  -snapshot_dt 7200 -od_window 14400 -o p.h5 > /dev/null || { echo "synth province failed"; exit 1; }
out=$(run 1 -i p.h5 -o p1.h5 -fine_dt 900 -threads 1 -od_window 14400); status=$?
msg=$($python -c "
import h5py, numpy as np; f = h5py.File('p1.h5', 'r'); od = f['od/flow'][()]
assert od.shape[1] == od.shape[2] == len(f['od/zone_ids']) > 1 and od.sum() > 0, od.shape
# Trips: one table per chain (4 h chains here, then the taper), each zone's mass at the
# chain's start found again at its end; the synthetic input's known trips in the same zones.
trips, bounds, zones = f['od/trips'][()], f['od/time'][()], f['od/zones'][()]
density, frame_time, ids = f['frames/density'][()], f['frames/time'][()], f['od/zone_ids'][()]
assert trips.shape[0] == len(bounds) - 1 >= 2 and bounds[0] == 0 and bounds[1] == 14400 and bounds[-1] == 43200, bounds
for w in range(len(trips)):
    start = density[list(frame_time).index(bounds[w])]
    mass = np.array([start[zones == z].sum() for z in ids])
    assert np.allclose(trips[w].sum(axis=1), mass, rtol=0.02), (w, trips[w].sum(axis=1), mass)
truth = h5py.File('p.h5', 'r')['truth/od']
assert truth.shape[1] == len(ids) and np.all(truth[()] >= 0), truth.shape
" 2>&1)
[ $status -eq 0 ]; check od_and_trips $? "$msg $out"
out=$($python "$source_dir/bench/trip_bench.py" p1.h5 p.h5 2>&1)
[[ "$out" == *"trip_bench: CPC snapflow "* ]]; check trip_bench $? "$out"
out=$(run 3 -i p.h5 -o p3.h5 -fine_dt 900 -threads 1 -od_window 14400); msg=$($compare p1.h5 p3.h5)
check province_ranks $? "$msg $out"

# Refusals.
out=$(run 2 -i v.h5 -o k2.h5 -threads 1 -test_kill_after_writes 1)
out=$(run 2 -i v.h5 -o k2.h5 -threads 1 -resume -stencil 4); status=$?
[ $status -eq 1 ] && [[ "$out" == *"was started with stencil = '8'; this run has '4'"* ]]
check resume_mismatch $? "$out"
out=$(run 2 -i v.h5 -o k2.h5 -threads 1); status=$?
[ $status -eq 1 ] && [[ "$out" == *"k2.h5.partial"*"holds an interrupted run ("*"frames done): add -resume"* ]]
check partial_kept $? "$out"
out=$(run 1 -i v.h5 -o v.h5); status=$?
[ $status -eq 1 ] && [[ "$out" == *"is the input 'v.h5'"* ]]; check output_is_input $? "$out"
# -infeasible abort: the run stops naming the step, and no frame holding it is marked done, so
# a resumed run meets it again (on the states as fitted, whose ringing some steps cannot route).
out=$(run 2 -i v.h5 -o ab.h5 -threads 1 -infeasible abort -state_support none); status=$?
[ $status -eq 1 ] && [[ "$out" == *"is infeasible under -balance scale and -infeasible abort"* ]]
check abort $? "$out"
out=$(run 1 -i v.h5 -o ab.h5 -threads 1 -infeasible abort -state_support none -resume); status=$?
[ $status -eq 1 ] && [[ "$out" == *"is infeasible under -balance scale"* ]]
check abort_resumed $? "$out"
out=$(run 1 -i v.h5 -o none.h5 -resume); status=$?
[ $status -eq 1 ] && [[ "$out" == *"there is no interrupted run"*"none.h5.partial"* ]]
check resume_nothing $? "$out"
out=$(run 1 -i v.h5 -o x.h5 -stencil 24); status=$?
[ $status -eq 1 ] && [[ "$out" == *"-stencil 24 does not fit the 9-direction frame output"* ]]
check stencil $? "$out"
out=$(run 1 -i v.h5 -o x.h5 -infeasible maybe); status=$?
[ $status -eq 1 ] && [[ "$out" == *"-infeasible"*"maybe"* ]]; check infeasible_option $? "$out"

# -snapshots FIRST:LAST runs on part of the input: the same as a run on a file cut to it.
$python - << 'PY' || { echo "cutting v.h5 failed"; exit 1; }
import h5py
with h5py.File("v.h5") as a, h5py.File("cut.h5", "w") as b:
    for name in a:
        if name in ("density", "time"):
            b[name] = a[name][4:11]
        elif name == "truth":
            b["truth/velocity"] = a["truth/velocity"][4:11]
        else:
            a.copy(name, b)
    b.attrs.update(a.attrs)
PY
out=$(run 1 -i cut.h5 -o cut_run.h5 -threads 1 && run 2 -i v.h5 -o part.h5 -threads 1 -snapshots 4:10)
msg=$($compare cut_run.h5 part.h5 | grep -v "attribute first_snapshot: 0.0 vs 4.0\|attribute last_snapshot: 6.0 vs 10.0\|attribute input: b'cut.h5' vs b'v.h5'")
[ -z "$(grep "differ\|only in\|attribute" <<< "$msg")" ]; check snapshots_range $? "$msg $out"
out=$(run 1 -i v.h5 -o x.h5 -snapshots 0:40); status=$?
[ $status -eq 1 ] && [[ "$out" == *"-snapshots 0:40: input 'v.h5' holds snapshots 0..15"* ]]
check snapshots_outside $? "$out"
out=$(run 1 -i v.h5 -o x.h5 -snapshots 9:2); status=$?
[ $status -eq 2 ] && [[ "$out" == *"-snapshots 9:2: give FIRST:LAST"* ]]; check snapshots_syntax $? "$out"

# -flow_choice min_energy: on a smooth advection in an odd direction the least-energy optimal
# flows follow the known velocity closer than the simplex's vertex, the same at 1 and 2 ranks
# (up to the DMD's reductions over the ranks).
"$snapflow" synth advect -n 24 -side 4 -vx 1 -vy 0.5 -snapshots 16 -profile smooth -o adv.h5 > /dev/null
tuned="-options_file $source_dir/inputs/run-synthetic.opts"
out=$(run 2 -i adv.h5 -o vertex.h5 $tuned -summary vertex.json &&
  run 2 -i adv.h5 -o energy.h5 $tuned -flow_choice min_energy -summary energy.json &&
  run 1 -i adv.h5 -o energy1.h5 $tuned -flow_choice min_energy)
msg=$($python -c "
import json
v, e = (json.load(open(f + '.json')) for f in ('vertex', 'energy'))
assert e['flow_choice'] == 'min_energy' and e['min_energy_lps_this_leg'] > 0, e
assert e['velocity_error']['relative'] < v['velocity_error']['relative'], (e['velocity_error'], v['velocity_error'])" 2>&1)
check min_energy_follows_the_motion $? "$msg $out"
msg=$($python -c "
import h5py, numpy as np
a, b = (h5py.File(f, 'r')['frames/velocity'][()] for f in ('energy.h5', 'energy1.h5'))
assert np.abs(a - b).max() <= 1e-6 * np.abs(a).max(), np.abs(a - b).max()" 2>&1)
check min_energy_ranks $? "$msg"
out=$(run 1 -i adv.h5 -o x.h5 -flow_choice min_energy -cost_tiebreak 0.001); status=$?
[ $status -eq 2 ] && [[ "$out" == *"-cost_tiebreak"*"-flow_choice min_energy"* ]]; check min_energy_tiebreak $? "$out"

# -state_support snapshots (the default): on a translating box, the fit's ringing in the cells
# the data leaves empty at both ends of an interval is set to zero, and the velocities follow
# the motion closer than from the states as fitted (rectangular cells, motion south-east).
"$snapflow" synth advect -n 32 -ny 24 -side 4 -side_y 3.6 -vx 1 -vy -0.5 -bump_y 2.2 \
  -snapshots 24 -profile box -o box.h5 > /dev/null
out=$(run 2 -i box.h5 -o support.h5 -summary support.json &&
  run 2 -i box.h5 -o fitted.h5 -state_support none -summary fitted.json)
msg=$($python -c "
import json
s, f = (json.load(open(n + '.json')) for n in ('support', 'fitted'))
assert s['state_support'] == 'snapshots' and f['state_support'] == 'none', (s['state_support'], f['state_support'])
es, ef = s['velocity_error']['relative'], f['velocity_error']['relative']
assert es < 0.25 and es < 0.75 * ef, (es, ef)" 2>&1)
status=$?; [ $status -eq 0 ] && [[ "$out" == *"state support: "*"set to 0"* ]]
check state_support_follows_the_box $? "$msg $out"

# -dmd_blend 0.5: the states move between windows over half of each overlap; the states at
# the snapshots of an overlap of three (frame boundaries) are the same as with the whole-span
# blend, the flows in between are not; the value is saved with the output.
out=$(run 2 -i v.h5 -o whole.h5 -threads 1 -fine_dt 0.025 && run 2 -i v.h5 -o half.h5 -threads 1 -fine_dt 0.025 -dmd_blend 0.5)
msg=$($python -c "
import h5py, numpy as np
a, b = h5py.File('whole.h5', 'r'), h5py.File('half.h5', 'r')
assert np.allclose(a['frames/time'][()], np.arange(16) * 0.1), a['frames/time'][()]
assert b.attrs['dmd_blend'] in (b'0.5', '0.5'), b.attrs['dmd_blend']
# windows 0-7, 5-12 and 8-15: the first overlap shares 3 snapshots (5, 6, 7)
assert np.array_equal(a['frames/density'][:8], b['frames/density'][:8])
assert not np.array_equal(a['frames/flow'][()], b['frames/flow'][()])" 2>&1)
check dmd_blend $? "$msg $out"
out=$(run 1 -i v.h5 -o x.h5 -dmd_blend 0); status=$?
[ $status -ne 0 ] && [[ "$out" == *"option -dmd_blend: 0 is out of range"* ]]; check dmd_blend_range $? "$out"

echo "cli_run: $passed passed, $failures failed"
[ $failures -eq 0 ]
