#!/usr/bin/env bash
# Fuzzes the input reader and the ingest parsers with libFuzzer for a bounded time each.
#   bash bench/fuzz.sh [SECONDS_PER_TARGET=60]
# Builds tests/fuzz with clang (ASan + UBSan + libFuzzer instrumentation) into build-fuzz/,
# seeds each target with well-formed inputs, runs it, and prints one line per target: runs,
# rate, coverage and the outcome. A crash, sanitizer report or timeout is a finding: its
# reproducer is kept under build-fuzz/fuzz/TARGET/ and the script exits 1.
set -euo pipefail
seconds=${1:-60}
cd "$(dirname "$0")/.."
root=$PWD
build=${SNAPFLOW_FUZZ_BUILD:-$root/build-fuzz}
bash scripts/install_packages.sh clang libomp-dev
source scripts/mpi_env.sh
targets=(fuzz_npy fuzz_milano_rows fuzz_time_text fuzz_input_file)
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSNAPFLOW_FUZZ=ON \
  -DSNAPFLOW_BUILD_TESTS=OFF > "$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
rm -f "$build.configure.log"
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

work=$build/fuzz
rm -rf "$work" && mkdir -p "$work"
/usr/bin/python3 - "$work" <<'PY'
import io, os, sys
import numpy as np
work = sys.argv[1]
def seed(target, name, data):
    os.makedirs(f"{work}/{target}/seeds", exist_ok=True)
    with open(f"{work}/{target}/seeds/{name}", "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
for name, array in [("f8", np.arange(12.0).reshape(3, 4)), ("f4be", np.ones(5, ">f4")),
                    ("i2", np.arange(6, dtype=np.int16)), ("u1", np.zeros((2, 2, 2), np.uint8))]:
    buffer = io.BytesIO(); np.save(buffer, array); seed("fuzz_npy", name, buffer.getvalue())
buffer = io.BytesIO()
np.lib.format.write_array(buffer, np.arange(4.0), version=(2, 0)); seed("fuzz_npy", "v2", buffer.getvalue())
seed("fuzz_milano_rows", "rows",
     "1\t1383260400000\t39\t0.0260\t0.0300\t\t\t0.1\n"
     "1\t1383260400000\t0\t\t\t\t\t0.5\n"
     "7\t1383261000000\t39\t0.1\t0.2\t0.3\t0.4\t2.5\n")
seed("fuzz_milano_rows", "bad", "x\ty\n100\t1383260400000\t39\t1e400\t-1\tnan\t\t\n\n")
for k, text in enumerate(["minutes since 2013-11-01 00:00:00", "seconds since 1970-01-01T00:00:00Z",
                          "days since 2000-1-1 12:00 +02:00", "2013-11-01T00:10:00Z",
                          "1383260400", "2013/11/01 00:10:00"]):
    seed("fuzz_time_text", f"t{k}", text)
rng = np.random.default_rng(7)
for k in range(8):
    seed("fuzz_input_file", f"r{k}", rng.integers(0, 256, 64 + 32 * k, dtype=np.uint8).tobytes())
PY

findings=0
for target in "${targets[@]}"; do
  dir=$work/$target
  mkdir -p "$dir/corpus"
  # MPI, HDF5 and GDAL keep allocations until exit: leak reports would be theirs, not ours.
  status=0
  (cd "$dir" && ASAN_OPTIONS=detect_leaks=0 "$build/bin/$target" -max_total_time="$seconds" \
    -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$dir/" corpus seeds \
    > log 2>&1) || status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$dir/log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -1 | grep -o '[0-9]*' || echo 0)
  if [ $status -eq 0 ]; then
    outcome="no finding"
  else
    findings=$((findings + 1))
    outcome="FINDING (exit $status): $(grep -m1 -E 'ERROR|runtime error|SUMMARY' "$dir/log" || tail -1 "$dir/log"); reproducer $(ls "$dir" | grep -E '^(crash|timeout|oom|leak)-' | head -1)"
  fi
  printf '%-18s %9s runs  %7s exec/s  cov %5s  %s\n' "$target" "$runs" "$rate" "$cov" "$outcome"
done
echo "fuzz: ${#targets[@]} targets, ${seconds} s each, $findings with findings"
[ $findings -eq 0 ]
