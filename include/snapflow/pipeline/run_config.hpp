// What `snapflow run` is asked to do, as read from the options before any work: files, fine
// steps, the transport problem, the DMD, and how the run is controlled. The command line
// fills it (src/cli/command_run.cpp); run_pipeline (run.hpp) carries it out.
#pragma once

#include <string>

#include "snapflow/dmd/dmd_model.hpp"
#include "snapflow/dmd/dmd_windows.hpp"
#include "snapflow/io/density_stats.hpp"
#include "snapflow/schedule/chain_solver.hpp"
#include "snapflow/schedule/fine_schedule.hpp"

namespace snapflow {

// Faults the tests inject (-test_*): negative values are off.
struct RunTestHooks {
  long signal_after_writes = -1;  // every rank sends itself SIGTERM after this write
  long kill_after_writes = -1;    // every rank kills itself (SIGKILL) after this write
  long fail_on_rank = -1;         // this rank alone fails once the DMD is fitted
  // Every write round then waits this long, so that a small case runs long enough for a
  // signal from outside (a scheduler's) to arrive in the middle of it.
  double write_delay_seconds = 0.0;
};

struct RunConfig {
  std::string input, output;
  std::string summary;  // JSON summary path; empty: none
  // -snapshots FIRST:LAST: the run reads only these snapshots of the input (inclusive), e.g.
  // one day of a month-long file; last < 0: all of them.
  long first_snapshot = 0, last_snapshot = -1;
  // Neither fine_dt nor vmax given: the input's vmax attribute sets the fine step.
  FineScheduleOptions schedule;
  // With zones and no -chain_steps: the chains, and so the trip windows of /od/trips, last
  // this many seconds (-od_window).
  double od_window = 3600.0;
  // The transport problem; its grid, mask and zones come from the input.
  ChainSettings chain;
  DmdOptions dmd;
  DmdWindowRequest dmd_windows;
  double state_floor = 0.0;   // -state_floor
  bool state_support = true;  // -state_support snapshots (true) | none
  double dmd_blend = 1.0;     // -dmd_blend: share of each window overlap the states blend over
  MissingPolicy missing = MissingPolicy::kRefuse;
  bool resume = false;
  double progress_seconds = 10.0;
  int threads = 1;  // worker threads per rank (the same on every rank)
  RunTestHooks test;
};

}  // namespace snapflow
