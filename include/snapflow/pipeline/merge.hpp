// `snapflow merge`: the complete run outputs of consecutive time spans (the days of a month,
// from jobs/month.sbatch) as one run output that reads as one series (io/run_series.hpp),
// with a summary of every day.
//
// Every day is checked before anything is written, and every failing day is named at once:
// missing, interrupted (only DAY.partial), not a run output, made with other settings (the
// differing root attribute), or not starting where the day before ends. Days meet at a
// shared snapshot: the series keeps the state the earlier day ends in; how far the next day's
// own start state is from it is reported (a DMD fit per day makes the two differ).
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

#include "snapflow/io/run_series.hpp"

namespace snapflow {

struct MergeOptions {
  std::vector<std::string> days;  // run outputs in time order
  std::string output;             // the series file (an .xmf sidecar is written beside it)
  std::string summary;            // JSON summary path; "" for none
  SeriesLayout layout = SeriesLayout::copy;
};

struct DayFigures {
  std::string file;
  double t_begin = 0, t_end = 0;  // first and last frame boundary
  long frames = 0, steps = 0;
  long optimal = 0, relaxed = 0, infeasible = 0;  // LPs by status
  double moved = 0, created = 0, destroyed = 0;   // mass over the day's fine steps
  double seconds = 0;                             // wall time of the day's run (all legs)
  // sum |start - end of the day before| / sum |end of the day before| of the density at
  // the shared boundary; 0 for the first day.
  double boundary_mismatch = 0;
};

struct MergeReport {
  std::vector<DayFigures> days;
  std::string xdmf;  // the sidecar written
  // The whole series: sums over the days, the largest boundary mismatch, the first start
  // and the last end.
  DayFigures month() const;
};

// Collective (rank 0 does the work); the report is filled on rank 0. Throws snapflow::Error
// on every rank naming every day that cannot be merged, or the file and dataset that could
// not be written.
MergeReport run_merge(MPI_Comm comm, const MergeOptions& options);

// The JSON of -summary: every day's figures and the month's totals.
std::string merge_summary_json(const MergeOptions& options, const MergeReport& report);

}  // namespace snapflow
