#!/usr/bin/env bash
# The job scripts under a real Slurm: a single-node slurmctld + slurmd (and munge) started here
# with their own configuration and state under DIR, stopped by PID at the end. Skipped (exit
# 77) with the reason where the daemons cannot run (not root, Slurm not installed, they do
# not come up).
#  1. jobs/run.sbatch, submitted from a data folder, is sent Slurm's warning signal in the
#     middle of the run (scancel --batch -s USR1, as --signal=B:USR1 does before the time
#     limit): the run saves its frames, exits 4, the job requeues itself and resumes; the
#     output equals a plain run's.
#  2. jobs/month.sbatch submit: a 3-day "month" of one long input as a job array plus the
#     merge; each day equals a plain run of its snapshots, the series joins them; a failed
#     day is named by the merge and re-run alone.
set -u
snapflow=$1 mpiexec=$2 dir=$3 source_dir=$4
python=/usr/bin/python3
compare="$python $source_dir/scripts/compare_runs.py"
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "the Slurm daemons of this test run as root"
for tool in slurmctld slurmd sbatch scontrol munged mungekey; do
  command -v $tool > /dev/null || skip "$tool is not installed (Debian: slurm-wlm munge)"
done
rm -rf "$dir" && mkdir -p "$dir"/slurm/{state,spool,log} "$dir/data" && cd "$dir"
slurm=$dir/slurm
failures=0 passed=0
check() {  # name, condition (0 = pass), detail
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else echo "FAIL $1: $3"; failures=$((failures + 1)); fi
}
stop_daemons() {
  for pid_file in "$slurm"/slurmd.pid "$slurm"/slurmctld.pid "$slurm"/munged.pid; do
    [ -f "$pid_file" ] && kill "$(cat "$pid_file")" 2> /dev/null
  done
  sleep 1
}
trap stop_daemons EXIT

# Free ports for this cluster (several test trees may run at once).
read -r ctld_port slurmd_port < <($python -c "
import socket
s = [socket.socket() for _ in range(2)]
[x.bind(('127.0.0.1', 0)) for x in s]
print(*[x.getsockname()[1] for x in s])")
node=$(hostname -s)
cpus=$(nproc)
memory=$(($(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024 / 2))
mungekey -c -k "$slurm/munge.key" -b 1024 > /dev/null 2>&1 && chmod 600 "$slurm/munge.key" ||
  skip "mungekey cannot make a key"
munged -f --socket="$slurm/munge.sock" --key-file="$slurm/munge.key" --pid-file="$slurm/munged.pid" \
  --log-file="$slurm/log/munged.log" --seed-file="$slurm/munge.seed" 2> "$slurm/log/munged.err" ||
  skip "munged does not start: $(cat "$slurm/log/munged.err")"
cat > "$slurm/slurm.conf" << EOF
ClusterName=snapflowtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$slurm/munge.sock
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$slurm/state
SlurmdSpoolDir=$slurm/spool
SlurmctldPidFile=$slurm/slurmctld.pid
SlurmdPidFile=$slurm/slurmd.pid
SlurmctldLogFile=$slurm/log/slurmctld.log
SlurmdLogFile=$slurm/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SchedulerParameters=sched_interval=1
MinJobAge=3600
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus Boards=1 SocketsPerBoard=1 CoresPerSocket=$cpus ThreadsPerCore=1 RealMemory=$memory
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$slurm/slurm.conf
slurmctld -f "$SLURM_CONF" 2> "$slurm/log/slurmctld.err" || skip "slurmctld does not start: $(cat "$slurm/log/slurmctld.err")"
slurmd -f "$SLURM_CONF" 2> "$slurm/log/slurmd.err" || skip "slurmd does not start: $(cat "$slurm/log/slurmd.err")"
for _ in $(seq 60); do
  [[ "$(sinfo -h -o %T 2> /dev/null)" == idle* ]] && break
  sleep 0.5
done
[[ "$(sinfo -h -o %T 2> /dev/null)" == idle* ]] ||
  skip "the node does not come up: $(sinfo 2>&1 | tail -1); $(tail -3 "$slurm/log/slurmd.log")"
echo "slurm: $(sinfo -h -o '%P %D %c %T') (node $node, ports $ctld_port/$slurmd_port)"

# Waits for job $1 (all its array tasks) to leave the queue; fails after $2 seconds.
wait_job() {
  for _ in $(seq $((2 * $2))); do
    local queued
    queued=$(squeue -h -o %r -j "$1" 2> /dev/null)
    [ -z "$queued" ] && return 0
    [[ "$queued" == *DependencyNeverSatisfied* ]] && { echo "job $1 will never run: $queued"; scancel "$1"; return 1; }
    sleep 0.5
  done
  echo "job $1 still queued after $2 s: $(squeue -j "$1")"
  return 1
}
# The final state of job $1 as slurmctld keeps it (MinJobAge).
job_state() { scontrol show job "$1" 2> /dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1; }

# Plain runs to compare with, from the same binary.
source "$source_dir/scripts/mpi_env.sh"
"$snapflow" synth vortex -n 32 -snapshots 16 -o data/v.h5 > /dev/null || { echo "synth failed"; exit 1; }
(cd data && "$mpiexec" -n 1 "$snapflow" run -i v.h5 -o plain.h5 -threads 1 > plain.log 2>&1) ||
  { cat data/plain.log; exit 1; }

# 1. Signal before the time limit, requeue, resume. Each write round waits 1 s so the
# warning surely arrives mid-run; it is sent once the run has written its first frames.
cd data
job=$(sbatch --parsable -n 1 -c 1 -o run-%j.out "$source_dir/jobs/run.sbatch" v.h5 slurm.h5 \
  -progress_seconds 0 -test_write_delay 1)
signalled=1
for _ in $(seq 120); do
  if grep -q "run: frames [1-9]" run-"$job".out 2> /dev/null; then
    scancel --batch -s USR1 "$job" && signalled=0
    break
  fi
  sleep 0.5
done
check signal_sent $signalled "$(cat run-"$job".out 2> /dev/null)"
wait_job "$job" 300
log=$(cat run-"$job".out)
[[ "$log" == *"requeueing job $job to resume"* ]] && [[ "$log" == *"run: resuming slurm.h5"* ]]
check requeued_and_resumed $? "$log"
[ "$(job_state "$job")" = COMPLETED ] && [ -f slurm.h5 ] && [ ! -e slurm.h5.partial ]
check job_completed $? "state $(job_state "$job"); $log"
msg=$($compare plain.h5 slurm.h5); check signal_resume_identical $? "$msg"
cd ..

# 2. A month of three days from one long input (5 snapshot intervals a day).
out=$(cd data && bash "$source_dir/jobs/month.sbatch" submit -n 1 -c 1 -o month-%A_%a.out -- v.h5:5 month 2>&1)
status=$?
array=$(sed -n 's/.*as job array \([0-9]*\).*/\1/p' <<< "$out")
merge=$(sed -n 's/.*merged by job \([0-9]*\).*/\1/p' <<< "$out")
[ $status -eq 0 ] && [ -n "$array" ] && [ -n "$merge" ] && [[ "$out" == *"3 days"* ]]
check month_submitted $? "$out"
[ -n "$merge" ] && wait_job "$merge" 300
[ "$(job_state "$merge")" = COMPLETED ] && [ -f data/month/month.h5 ] && [ -f data/month/month.json ]
check month_merged $? "merge job $merge: $(job_state "$merge"); $(cat data/slurm-*"$merge"*.out data/month-*.out 2> /dev/null | tail -20)"
days=()
for d in 0 1 2; do
  first=$((5 * d)) last=$((5 * d + 5))
  (cd data && "$mpiexec" -n 1 "$snapflow" run -i v.h5 -o plain_day$d.h5 -threads 1 -snapshots $first:$last > /dev/null 2>&1)
  msg=$($compare data/plain_day$d.h5 "$(printf 'data/month/day_%04d.h5' $d)"); check month_day_$d $? "$msg"
  days+=("$(printf 'data/month/day_%04d.h5' $d)")
done
msg=$($python "$source_dir/tests/merge_check.py" data/month/month.h5 "${days[@]}" 2>&1); check month_series $? "$msg"
msg=$($python -c "
import json; s = json.load(open('data/month/month.json'))
assert s['days'] == 3 and len(s['per_day']) == 3, s
assert s['month']['lps'] == sum(d['lps'] for d in s['per_day']) > 0, s
assert s['month']['optimal'] + s['month']['relaxed'] + s['month']['infeasible'] == s['month']['lps'], s
" 2>&1); check month_summary $? "$msg"

# A failed day: the merge names it, the day alone is re-run, the merge then succeeds.
mv data/month/day_0001.h5 data/month/day_0001.failed
out=$(cd data && "$mpiexec" -n 1 "$snapflow" merge -o month/again.h5 month/day_0000.h5 month/day_0001.h5 month/day_0002.h5 2>&1)
status=$?
[ $status -ne 0 ] && [[ "$out" == *"day 1 ("*"missing"* ]] && [[ "$out" == *"--array=1 "* ]]
check merge_names_failed_day $? "$out"
job=$(cd data && sbatch --parsable --array=1 -n 1 -c 1 -o rerun-%A_%a.out "$source_dir/jobs/month.sbatch" day v.h5:5 month)
wait_job "$job" 300
msg=$($compare data/plain_day1.h5 data/month/day_0001.h5); check rerun_day_identical $? "$msg"

echo "cli_slurm: $passed passed, $failures failed"
[ $failures -eq 0 ]
