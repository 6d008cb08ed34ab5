#include "snapflow/pipeline/run_summary.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace snapflow {

RunTotals RunTotals::from_map(const std::map<std::string, double>& recorded) {
  const auto get = [&](const char* name) {
    const auto found = recorded.find(name);
    return found == recorded.end() ? 0.0 : found->second;
  };
  RunTotals t;
  t.legs = static_cast<long>(get("legs"));
  t.stages = {get("seconds_read"),      get("seconds_dmd"),   get("seconds_states"),
              get("seconds_transport"), get("seconds_write"), get("seconds_evaluate")};
  t.seconds = get("seconds_total");
  t.solved = static_cast<long>(get("lps_solved"));
  t.farm_seconds = get("seconds_farming");
  return t;
}

std::map<std::string, double> RunTotals::to_map() const {
  return {{"legs", static_cast<double>(legs)},
          {"seconds_read", stages.read},
          {"seconds_dmd", stages.dmd},
          {"seconds_states", stages.states},
          {"seconds_transport", stages.transport},
          {"seconds_write", stages.write},
          {"seconds_evaluate", stages.evaluate},
          {"seconds_total", seconds},
          {"lps_solved", static_cast<double>(solved)},
          {"seconds_farming", farm_seconds}};
}

RunTotals RunTotals::plus_leg(const StageSeconds& leg, double leg_seconds, long leg_solved,
                              double leg_farm_seconds) const {
  RunTotals t = *this;
  t.legs += 1;
  t.stages.read += leg.read;
  t.stages.dmd += leg.dmd;
  t.stages.states += leg.states;
  t.stages.transport += leg.transport;
  t.stages.write += leg.write;
  t.stages.evaluate += leg.evaluate;
  t.seconds += leg_seconds;
  t.solved += leg_solved;
  t.farm_seconds += leg_farm_seconds;
  return t;
}

namespace {

void stage_json(std::ostringstream& json, const StageSeconds& s, double total) {
  json << "{\"read\": " << s.read << ", \"dmd\": " << s.dmd << ", \"states\": " << s.states
       << ", \"transport\": " << s.transport << ", \"write\": " << s.write
       << ", \"evaluate\": " << s.evaluate << ", \"total\": " << total << "}";
}

}  // namespace

std::string RunSummary::json() const {
  std::ostringstream json;
  json.precision(10);
  json << "{\n  \"input\": \"" << input << "\",\n  \"output\": \"" << output
       << "\",\n  \"ranks\": " << ranks << ", \"threads\": " << threads
       << ",\n  \"cells\": " << cells << ", \"steps\": " << steps << ", \"frames\": " << frames
       << ", \"fine_dt\": " << fine_dt << ",\n  \"legs\": " << whole.legs
       << ", \"resumed_frames\": " << resumed_frames << ",\n  \"stages_seconds\": ";
  stage_json(json, whole.stages, whole.seconds);
  json << ",\n  \"lps\": {\"optimal\": " << optimal << ", \"relaxed\": " << relaxed
       << ", \"infeasible\": " << infeasible << ", \"solved\": " << whole.solved
       << ", \"per_second\": " << whole.solved / std::max(whole.farm_seconds, 1e-9)
       << "},\n  \"state_support\": \"" << (state_support ? "snapshots" : "none")
       << "\",\n  \"flow_choice\": \"" << (min_energy_choice ? "min_energy" : "vertex")
       << "\", \"min_energy_lps_this_leg\": " << min_energy_this_run
       << ",\n  \"this_leg\": {\"stages_seconds\": ";
  stage_json(json, stages, total_seconds);
  json << ", \"solved\": " << solved_this_run << ", \"per_second\": " << lps_per_second
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
  if (min_energy_choice)
    std::printf(
        "run: flows: the least-energy optimum in %ld of the %ld LPs solved by this run (the "
        "others keep the simplex's vertex)\n",
        min_energy_this_run, solved_this_run);
  if (with_truth)
    std::printf(
        "run: velocity vs /truth/velocity (4x4 blocks, density >= 10%% of max): relative "
        "error %.4f, angle error %.2f degrees over %ld blocks\n",
        velocity.relative(), velocity.angle_degrees(), velocity.blocks());
  if (whole.legs > 1)
    std::printf(
        "run: the whole run over %ld legs: %ld LPs solved in %.2f s of farming (%.2f LP/s); "
        "total %.2f s\n",
        whole.legs, whole.solved, whole.farm_seconds,
        whole.solved / std::max(whole.farm_seconds, 1e-9), whole.seconds);
  std::printf(
      "run: stages (s): read %.2f, dmd %.2f, states %.2f, transport %.2f, write %.2f, "
      "evaluate %.2f; total %.2f; load balance %.0f%%; peak memory per rank %.0f MB\n",
      stages.read, stages.dmd, stages.states, stages.transport, stages.write, stages.evaluate,
      total_seconds, 100.0 * load_balance, peak_memory_mb);
  std::printf("run: wrote %s and %s\n", output.c_str(), xdmf.c_str());
}

}  // namespace snapflow
