#include "snapflow/pipeline/run_summary.hpp"

#include <cstdio>
#include <sstream>

namespace snapflow {

std::string RunSummary::json() const {
  std::ostringstream json;
  json.precision(10);
  json << "{\n  \"input\": \"" << input << "\",\n  \"output\": \"" << output
       << "\",\n  \"ranks\": " << ranks << ", \"threads\": " << threads
       << ",\n  \"cells\": " << cells << ", \"steps\": " << steps << ", \"frames\": " << frames
       << ", \"fine_dt\": " << fine_dt << ",\n  \"resumed_frames\": " << resumed_frames
       << ",\n  \"stages_seconds\": {\"read\": " << stages.read << ", \"dmd\": " << stages.dmd
       << ", \"states\": " << stages.states << ", \"transport\": " << stages.transport
       << ", \"write\": " << stages.write << ", \"evaluate\": " << stages.evaluate
       << ", \"total\": " << total_seconds << "},\n  \"lps\": {\"optimal\": " << optimal
       << ", \"relaxed\": " << relaxed << ", \"infeasible\": " << infeasible
       << ", \"solved_this_run\": " << solved_this_run << ", \"per_second\": " << lps_per_second
       << "},\n  \"load_balance\": " << load_balance << ",\n  \"mass\": {\"moved\": " << moved
       << ", \"created\": " << created << ", \"destroyed\": " << destroyed
       << ", \"clipped\": " << clipped << "},\n  \"dmd\": {\"windows\": " << dmd_windows
       << ", \"rank\": " << dmd_rank << ", \"snapshot_error_max\": " << dmd_error_max
       << ", \"snapshot_error_mean\": " << dmd_error_mean
       << "},\n  \"peak_memory_mb_per_rank\": " << peak_memory_mb;
  if (with_truth)
    json << ",\n  \"velocity_error\": {\"relative\": " << velocity.relative()
         << ", \"angle_degrees\": " << velocity.angle_degrees()
         << ", \"blocks\": " << velocity.blocks()
         << ", \"block_cells\": 4, \"density_threshold\": 0.1}";
  json << "\n}\n";
  return json.str();
}

void RunSummary::print() const {
  std::printf(
      "run: %ld LPs: %ld optimal, %ld relaxed, %ld infeasible; moved %.6g, created %.6g, "
      "destroyed %.6g, clipped %.6g (mass)\n",
      steps, optimal, relaxed, infeasible, moved, created, destroyed, clipped);
  if (with_truth)
    std::printf(
        "run: velocity vs /truth/velocity (4x4 blocks, density >= 10%% of max): relative "
        "error %.4f, angle error %.2f degrees over %ld blocks\n",
        velocity.relative(), velocity.angle_degrees(), velocity.blocks());
  std::printf(
      "run: stages (s): read %.2f, dmd %.2f, states %.2f, transport %.2f, write %.2f, "
      "evaluate %.2f; total %.2f; load balance %.0f%%; peak memory per rank %.0f MB\n",
      stages.read, stages.dmd, stages.states, stages.transport, stages.write, stages.evaluate,
      total_seconds, 100.0 * load_balance, peak_memory_mb);
  std::printf("run: wrote %s and %s\n", output.c_str(), xdmf.c_str());
}

}  // namespace snapflow
