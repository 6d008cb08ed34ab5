#!/usr/bin/env bash
# mpirun that lets snapflow stop cleanly on SIGTERM. OpenMPI's mpirun turns a SIGTERM into a
# kill of the whole job (SIGTERM to the ranks, SIGKILL a few seconds later, exit status 1),
# which can cut off the frames the ranks are saving; it passes SIGUSR1 on instead. This
# launcher runs mpirun with the given arguments, passes SIGTERM and SIGINT on as SIGUSR1 (a
# second one as another SIGUSR1: snapflow then abandons the chains in flight), and exits
# with mpirun's status (4 when `snapflow run` stopped and saved its frames).
#   scripts/mpirun_signals.sh -n 4 build/bin/snapflow run -i IN -o OUT ...
set -u
mpirun "$@" &
launched=$!
trap 'kill -USR1 "$launched" 2>/dev/null' TERM INT
while true; do
  wait "$launched"
  status=$?
  # wait returns early (status > 128) when a trapped signal arrives; mpirun is still running.
  kill -0 "$launched" 2>/dev/null || exit "$status"
done
