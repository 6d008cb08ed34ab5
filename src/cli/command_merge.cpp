#include <mpi.h>

#include <cstdio>

#include "snapflow/cli/commands.hpp"
#include "snapflow/cli/options.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/parallel/mpi_context.hpp"
#include "snapflow/pipeline/merge.hpp"

namespace snapflow {

namespace {

const OptionGroup kMergeFiles = {
    "Input and output",
    {{"o", "FILE", "the series file (DESIGN.md section 2.2), with an XDMF sidecar"},
     {"summary", "FILE",
      "JSON summary: per day and for the whole series, frames, LPs by status, mass\n"
      "moved, created and destroyed, run time, and the state mismatch where days meet"},
     {"layout", "copy|linked",
      "copy (default): the series file holds the data; linked: HDF5 virtual\n"
      "datasets that read the day files where they are (instant, no extra disk;\n"
      "keep the day files beside it)"}}};

OptionGroups merge_options(const std::string&) {
  return {&kMergeFiles};
}

int run_merge_command(const CommandLine& line) {
  MergeOptions o;
  o.days = line.files;
  if (o.days.empty())
    throw UsageError("give the day outputs to merge after the options, in time order");
  const auto output = option_string("o");
  if (!output) throw UsageError("give the series file with -o FILE");
  o.output = *output;
  o.summary = option_string("summary", "");
  o.layout = option_choice("layout", "copy", {"copy", "linked"}) == "copy" ? SeriesLayout::copy
                                                                           : SeriesLayout::linked;
  const MergeReport report = run_merge(MPI_COMM_WORLD, o);
  collectively(MPI_COMM_WORLD, [&] {
    if (comm_rank(MPI_COMM_WORLD) != 0) return;
    const DayFigures month = report.month();
    std::printf(
        "merge: %zu days, %ld frames, %ld LPs (%ld optimal), %.1f s of runs; largest state "
        "mismatch where days meet %.3g (relative L1)\n",
        report.days.size(), month.frames, month.steps, month.optimal, month.seconds,
        month.boundary_mismatch);
    if (!o.summary.empty()) write_text_atomically(o.summary, merge_summary_json(o, report));
    std::printf("merge: wrote %s and %s%s%s\n", o.output.c_str(), report.xdmf.c_str(),
                o.summary.empty() ? "" : " and ", o.summary.c_str());
  });
  return 0;
}

}  // namespace

const CommandSpec kMergeCommand = {
    "merge",
    "merge -o SERIES DAY...           join the runs of consecutive days into one series",
    "snapflow merge -o SERIES.h5 [-summary JSON] [-layout copy|linked] DAY.h5...: join the\n"
    "complete run outputs of consecutive time spans (the days of jobs/month.sbatch) into one\n"
    "run output that reads as one series: /frames, /fine and /od joined along time, each\n"
    "day's DMD models as /dmd/day_NNNN. Days must share their boundary snapshot (runs of\n"
    "one long input with -snapshots, as jobs/month.sbatch makes them) and the settings.\n",
    merge_options,
    "Runs on rank 0. Every day is checked before anything is written; days that are\n"
    "missing, interrupted, made with other settings or not contiguous are all named, with\n"
    "their numbers in the list (= job array tasks) to re-run. The series is written under\n"
    "SERIES.partial and renamed once complete.\n",
    run_merge_command,
    true};

}  // namespace snapflow
