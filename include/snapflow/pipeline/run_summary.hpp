// The figures of a finished `snapflow run`: what it printed at the end and what -summary
// writes as JSON (stage timings, LPs by status, mass moved/created/destroyed/clipped, the DMD's
// errors, peak memory and, with a known velocity, the velocity error).
#pragma once

#include <map>
#include <string>

#include "snapflow/analysis/velocity_error.hpp"

namespace snapflow {

// Wall seconds of the run's stages (also its PETSc log stages).
struct StageSeconds {
  double read = 0, dmd = 0, states = 0, transport = 0, write = 0, evaluate = 0;
};

// The whole run's figures over its legs: a resumed run continues an interrupted one, and
// every write round of the transport keeps these in the output (RunOutput::record_totals).
struct RunTotals {
  long legs = 0;
  StageSeconds stages;
  double seconds = 0.0;       // wall time of all legs
  long solved = 0;            // LPs solved and written
  double farm_seconds = 0.0;  // wall time spent farming the transport

  static RunTotals from_map(const std::map<std::string, double>& recorded);
  std::map<std::string, double> to_map() const;
  // These totals plus one more leg's figures.
  RunTotals plus_leg(const StageSeconds& leg, double leg_seconds, long leg_solved,
                     double leg_farm_seconds) const;
};

struct RunSummary {
  std::string input, output, xdmf;
  int ranks = 1, threads = 1;
  long cells = 0, steps = 0, frames = 0;
  double fine_dt = 0.0;
  long resumed_frames = 0;  // frames done before this leg (-resume)
  StageSeconds stages;      // this leg
  double total_seconds = 0.0;
  RunTotals whole;                                // every leg, this one included
  long optimal = 0, relaxed = 0, infeasible = 0;  // every step of the output, by status
  long solved_this_run = 0;
  bool min_energy_choice = false;  // -flow_choice min_energy
  bool state_support = false;      // -state_support snapshots
  long min_energy_this_run = 0;    // steps solved by this run that kept the least-energy flow
  double lps_per_second = 0.0;
  double load_balance = 1.0;  // the least busy rank's share of its workers' time
  double moved = 0, created = 0, destroyed = 0, clipped = 0;
  size_t dmd_windows = 0;
  int dmd_rank = 0;  // the first window's
  double dmd_error_max = 0.0, dmd_error_mean = 0.0;
  double peak_memory_mb = 0.0;  // largest over the ranks
  bool with_truth = false;
  VelocityError velocity;

  std::string json() const;
  void print() const;  // the closing lines on stdout (rank 0 calls it)
};

}  // namespace snapflow
