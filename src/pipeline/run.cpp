#include "snapflow/pipeline/run.hpp"

#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "snapflow/core/error.hpp"
#include "snapflow/core/interrupt.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/dmd/replicated_modes.hpp"
#include "snapflow/dmd/state_support.hpp"
#include "snapflow/io/dmd_output.hpp"
#include "snapflow/io/run_output.hpp"
#include "snapflow/parallel/log_stage.hpp"
#include "snapflow/parallel/mpi_context.hpp"
#include "snapflow/pipeline/rank_report.hpp"
#include "snapflow/pipeline/run_summary.hpp"
#include "snapflow/pipeline/velocity_check.hpp"
#include "snapflow/schedule/chain_farm.hpp"
#include "snapflow/schedule/mode_sum.hpp"

namespace snapflow {

namespace {

using transport::Status;

// Longest wait of a rank's main thread between synchronisations with the other ranks.
constexpr double kSyncSeconds = 0.2;

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return "--:--:--";
  const long s = std::lround(std::max(0.0, seconds));
  char text[32];
  std::snprintf(text, sizeof(text), "%02ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return text;
}

// Zone ids in ascending order and each cell's zone number (or -1).
void number_zones(const std::vector<int32_t>& zones, std::vector<int32_t>& ids,
                  std::vector<int32_t>& index) {
  ids.clear();
  for (int32_t z : zones)
    if (z >= 0) ids.push_back(z);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  index.assign(zones.size(), -1);
  for (size_t c = 0; c < zones.size(); ++c)
    if (zones[c] >= 0)
      index[c] =
          static_cast<int32_t>(std::lower_bound(ids.begin(), ids.end(), zones[c]) - ids.begin());
}

// The input as the run uses it.
struct RunInput {
  std::unique_ptr<SnapshotReader> reader;
  FineSchedule schedule;
  ChainSettings settings;  // the configured problem with the input's grid, mask and zones
  std::vector<int32_t> zone_ids;
  std::vector<double> density;  // this rank's rows, [T][rows]; freed once the DMD is fitted
  DmdWindowing windowing;
};

RunInput read_input(MPI_Comm comm, const RunConfig& config) {
  RunInput in;
  in.reader = std::make_unique<SnapshotReader>(comm, config.input);
  if (config.last_snapshot >= 0)
    in.reader->select_snapshots(config.first_snapshot, config.last_snapshot, "-snapshots");
  const SnapshotMeta& meta = in.reader->meta();
  require_snapshots(meta, kMinDmdSnapshots, "DMD needs two snapshot pairs");
  require_uniform_spacing(meta);
  in.windowing = resolve_windowing(config.dmd_windows, meta.snapshots());
  FineScheduleOptions schedule_options = config.schedule;
  if (schedule_options.fine_dt <= 0.0 && schedule_options.vmax <= 0.0)
    schedule_options.vmax = meta.vmax;
  if (meta.has_zones) schedule_options.chain_seconds = config.od_window;
  in.schedule =
      FineSchedule::plan(meta.time, std::min(meta.grid.dx, meta.grid.dy), schedule_options);
  in.settings = config.chain;
  in.settings.spec.grid = meta.grid;
  in.settings.spec.mask = in.reader->read_whole_mask(true);
  number_zones(in.reader->read_whole_zones(true), in.zone_ids, in.settings.zone_index);
  if (in.zone_ids.empty()) in.settings.zone_index.clear();
  in.settings.zones = static_cast<int>(in.zone_ids.size());
  SNAPFLOW_VERIFY(in.settings.zones <= 4096, meta.path << ": /zones holds " << in.settings.zones
                                                       << " distinct zones; the OD output "
                                                          "allows at most 4096");
  in.density = in.reader->read_density();
  const DensityStats stats =
      compute_density_stats(comm, meta, in.reader->rows(), in.density, in.reader->read_mask());
  const std::string missing_note =
      resolve_missing_values(meta, in.reader->rows(), in.density, stats, config.missing);
  require_usable_magnitudes(meta, stats);
  in.reader->check_truth_velocity();
  if (comm_rank(comm) == 0 && !missing_note.empty()) std::printf("run: %s\n", missing_note.c_str());
  return in;
}

// What defines the run's output: a resumed run must be started with the same.
RunDescription describe_run(const RunConfig& config, const RunInput& in) {
  const SnapshotMeta& meta = in.reader->meta();
  const FineSchedule& schedule = in.schedule;
  const transport::TransportSpec& spec = in.settings.spec;
  RunDescription description;
  description.grid = meta.grid;
  description.schedule = schedule;
  description.zone_ids = in.zone_ids;
  description.zone_of_cell = in.settings.zone_index;
  description.defining_numbers = {
      {"fine_dt", schedule.dt()},
      {"fine_steps", static_cast<double>(schedule.steps())},
      {"frame_steps", static_cast<double>(schedule.frame_steps())},
      {"frames", static_cast<double>(schedule.frames())},
      {"segment_frames", static_cast<double>(schedule.chain_frames())},  // the name files keep
      {"cost_power", spec.cost.power},
      {"cost_tiebreak", spec.cost.tiebreak},
      {"relax_penalty", spec.relax_penalty},
      {"state_floor", config.state_floor},
      {"nx", meta.grid.nx},
      {"ny", meta.grid.ny},
      {"first_snapshot", static_cast<double>(in.reader->first_snapshot())},
      {"last_snapshot", static_cast<double>(in.reader->first_snapshot() + meta.snapshots() - 1)}};
  // Outputs begun before an option existed ran as its value here says.
  description.defining_string_defaults = {
      {"flow_choice", "vertex"}, {"state_support", "none"}, {"dmd_blend", "1"}};
  description.defining_strings = {
      {"input", meta.path},
      {"stencil", to_string(spec.stencil)},
      {"flow_choice",
       in.settings.flow_choice == transport::FlowChoice::kMinEnergy ? "min_energy" : "vertex"},
      {"state_support", config.state_support ? "snapshots" : "none"},
      {"dmd_blend", exact_text(config.dmd_blend)},
      {"cost", to_string(spec.cost.kind)},
      {"balance", to_string(spec.balance)},
      {"infeasible", in.settings.relax_infeasible ? "relax" : "abort"},
      {"od_trips", to_string(in.settings.trip_rule)},
      {"dmd_options", "rank=" + config.dmd.rank_option +
                          " energy=" + std::to_string(config.dmd.energy) +
                          " window=" + std::to_string(in.windowing.window) +
                          " overlap=" + std::to_string(in.windowing.overlap) +
                          " amplitudes=" + (config.dmd.amplitudes_from_all ? "all" : "first")}};
  description.labels = {meta.crs, meta.units, meta.time_is_epoch};
  description.notes = {{"fine_dt_rule", schedule.rule()}};
  if (!meta.crs.empty()) description.notes["crs"] = meta.crs;
  if (!meta.units.empty()) description.notes["units"] = meta.units;
  if (!meta.time_units.empty()) description.notes["time_units"] = meta.time_units;
  return description;
}

struct FittedStates {
  DmdSequence sequence;
  StateSupport support;                      // empty under -state_support none
  double error_max = 0.0, error_mean = 0.0;  // relative to the snapshots
};

// Fits the DMD (not when resuming), stores it at float32 precision and uses the stored model.
FittedStates fit_states(MPI_Comm comm, const RunConfig& config, RunInput& in, RunOutput& output) {
  const SnapshotMeta& meta = in.reader->meta();
  FittedStates fitted;
  std::vector<double> errors;
  if (!output.resumed()) {
    // The run's states feed the transport, which moves every mode kept: by default keep the
    // modes above the noise (Gavish-Donoho), not those holding 99.99% of the energy, which on
    // measured snapshots include the noise (docs/dmd.md).
    DmdOptions options = config.dmd;
    if (options.rank_option.empty() && options.energy <= 0) options.rank_option = "svht";
    const DmdSequence sequence =
        DmdSequence::fit(comm, in.density.data(), in.reader->local_cells(), meta.time,
                         in.windowing.window, in.windowing.overlap, options);
    errors = sequence.snapshot_errors(comm, in.density.data(), meta.time);
    write_dmd_sequence(comm, output.file(), meta.grid, in.reader->rows(), sequence, errors, true,
                       in.windowing.window, in.windowing.overlap, DmdPrecision::kFloat32);
  }
  fitted.sequence = read_dmd_sequence(comm, output.file(), meta.grid, in.reader->rows(),
                                      quoted(output.partial_path()));
  fitted.sequence.set_blend_fraction(config.dmd_blend);
  if (output.resumed())
    errors = fitted.sequence.snapshot_errors(comm, in.density.data(), meta.time);
  if (config.state_support)  // from the stored model, so that a resumed run has the same states
    fitted.support = StateSupport::from_fit(
        comm, fitted.sequence, in.density.data(), in.reader->local_cells(),
        in.reader->rows().begin * meta.grid.nx, meta.grid.cells(), meta.time);
  for (double e : errors) {
    fitted.error_max = std::max(fitted.error_max, e);
    fitted.error_mean += e / static_cast<double>(errors.size());
  }
  std::vector<double>().swap(in.density);
  return fitted;
}

// The chains with a frame not done yet (all of them unless resuming).
std::vector<long> pending_chains(const FineSchedule& schedule, const std::vector<uint8_t>& done) {
  std::vector<long> pending;
  for (long s = 0; s < schedule.chains(); ++s) {
    const StepRange frames = schedule.chain_frame_range(s);
    bool complete = true;
    for (long f = frames.begin; f < frames.end; ++f) complete = complete && done[f];
    if (!complete) pending.push_back(s);
  }
  return pending;
}

struct TransportTally {
  long steps_done = 0;        // solved and written by this run, all ranks
  long min_energy_steps = 0;  // of those, the steps that kept the least-energy flow
  long frames_done = 0;       // done in the output, all ranks
  double busy_seconds = 0.0;  // this rank's workers' time on chains
  double wall_seconds = 0.0;
  bool stopped = false;  // a signal stopped the run
};

// Farms the pending chains over ranks x threads. On every rank `threads` workers solve the
// chains dealt to them, while the main thread synchronises with the other ranks whenever one
// of its chains finishes (at least every kSyncSeconds): it deals the next chains to the ranks
// whose workers ask for them and writes every finished chain in one collective write. No
// worker waits for a slower chain.
TransportTally farm_transport(MPI_Comm comm, const RunConfig& config, const RunInput& in,
                              const StateFunction& state, const std::vector<long>& pending,
                              long frames_before, RunOutput& output, StageSeconds& stage,
                              const std::function<RecordedTotals(long, double)>& totals_so_far) {
  const FineSchedule& schedule = in.schedule;
  const ChainSettings& settings = in.settings;
  const int rank = comm_rank(comm), size = comm_size(comm);
  const int threads = config.threads;
  TransportTally tally;
  tally.frames_done = frames_before;
  long writes = 0, steps_pending = 0;
  for (long s : pending) {
    const StepRange f = schedule.chain_frame_range(s);
    steps_pending +=
        schedule.frame_step_range(f.end - 1).end - schedule.frame_step_range(f.begin).begin;
  }
  const double start = MPI_Wtime();
  double last_progress = start;
  int thread_level = MPI_THREAD_SINGLE;
  MPI_Query_thread(&thread_level);
  SNAPFLOW_VERIFY(thread_level >= MPI_THREAD_FUNNELED,
                  "run: MPI was initialised without MPI_THREAD_FUNNELED, which the worker threads "
                  "need (only the main thread calls MPI)");
  ChainDealer dealer(pending);
  ChainFarm farm(schedule, state, settings, threads, [] { return interrupt_requests() >= 2; });
  const auto write_finished = [&](std::vector<ChainResult>& finished, long writes_now) {
    // Under -infeasible abort, stop at the first infeasible step before it is written, so that
    // no frame holding it is ever marked done (a resumed run meets it again).
    long first_infeasible = std::numeric_limits<long>::max();
    if (!settings.relax_infeasible)
      for (const ChainResult& r : finished)
        for (size_t k = 0; k < r.step_results.size(); ++k)
          if (r.step_results[k].status == Status::kInfeasible)
            first_infeasible = std::min(first_infeasible, r.steps.begin + static_cast<long>(k));
    MPI_Allreduce(MPI_IN_PLACE, &first_infeasible, 1, MPI_LONG, MPI_MIN, comm);
    SNAPFLOW_VERIFY(first_infeasible == std::numeric_limits<long>::max(),
                    "run: fine step "
                        << first_infeasible << " (t = " << schedule.step_time(first_infeasible)
                        << " s) is infeasible under -balance " << to_string(settings.spec.balance)
                        << " and -infeasible abort was given; use -infeasible "
                           "relax, a smaller -fine_dt or -balance relaxed");
    std::vector<const ChainResult*> written(static_cast<size_t>(writes_now), nullptr);
    long counts[3] = {0, 0, 0};
    for (size_t k = 0; k < finished.size(); ++k) {
      tally.busy_seconds += finished[k].seconds;
      if (finished[k].abandoned) continue;
      written[k] = &finished[k];
      counts[0] += finished[k].steps.size();
      counts[1] += finished[k].frames.size();
      for (const transport::TransportResult& step : finished[k].step_results)
        counts[2] += step.min_energy;
    }
    MPI_Allreduce(MPI_IN_PLACE, counts, 3, MPI_LONG, MPI_SUM, comm);
    tally.steps_done += counts[0];
    tally.frames_done += counts[1];
    tally.min_energy_steps += counts[2];
    {
      LogStage write_stage("Write", &stage.write);
      for (const ChainResult* r : written) output.write_chain(r);
      output.mark_done(written, totals_so_far(tally.steps_done, MPI_Wtime() - start));
    }
    ++writes;
    if (config.test.write_delay_seconds > 0)
      std::this_thread::sleep_for(std::chrono::duration<double>(config.test.write_delay_seconds));
    if (writes == config.test.kill_after_writes) std::raise(SIGKILL);
    if (writes == config.test.signal_after_writes) std::raise(SIGTERM);
    finished.clear();
  };
  {
    LogStage transport_stage("Transport", &stage.transport);
    farm.run([&] {
      std::vector<ChainResult> finished;
      for (;; farm.wait(kSyncSeconds)) {
        // busy before collecting: a chain that finishes in between is counted busy, not lost.
        RankReport mine;
        mine.busy = farm.busy();
        for (ChainResult& r : farm.take_finished()) finished.push_back(std::move(r));
        mine.chains_wanted =
            tally.stopped ? 0
                          : chains_wanted(threads, mine.busy, dealer.remaining(), size * threads);
        mine.finished = static_cast<long>(finished.size());
        mine.interrupted = interrupt_requests() > 0;
        mine.failed = !farm.failure().empty();
        const RoundReports round = exchange_reports(comm, mine);
        tally.stopped = tally.stopped || round.interrupted;
        if (round.failed) agree(comm, farm.failure().empty(), "run: " + farm.failure());
        // Done when no rank holds a chain and none is left to deal (before this deal).
        const bool last = round.total_busy == 0 && (tally.stopped || dealer.remaining() == 0);
        if (tally.stopped)
          farm.drop_queued();
        else
          for (long s : dealer.deal(round.chains_wanted, rank)) farm.submit(s);
        if (round.most_finished > 0) write_finished(finished, round.most_finished);

        const double now = MPI_Wtime();
        if (rank == 0 && round.most_finished > 0 &&
            (now - last_progress >= config.progress_seconds || last || tally.stopped)) {
          const double elapsed = now - start;
          const double rate = tally.steps_done / std::max(elapsed, 1e-9);
          std::printf(
              "run: frames %ld/%ld (%.1f%%), %ld LPs at %.2f LP/s, elapsed %s, ETA %s\n",
              tally.frames_done, schedule.frames(), 100.0 * tally.frames_done / schedule.frames(),
              tally.steps_done, rate, format_duration(elapsed).c_str(),
              format_duration((steps_pending - tally.steps_done) / std::max(rate, 1e-12)).c_str());
          std::fflush(stdout);
          last_progress = now;
        }
        if (last) return;
      }
    });
  }
  stage.transport -= stage.write;
  tally.wall_seconds = MPI_Wtime() - start;
  return tally;
}

// LPs by status and the mass moved, created, destroyed and clipped, from the whole output.
void count_steps(const RunOutput& output, RunSummary& summary) {
  const std::vector<double> status = output.read_fine("status");
  const std::vector<double> created = output.read_fine("created");
  const std::vector<double> destroyed = output.read_fine("destroyed");
  const std::vector<double> clipped = output.read_fine("clipped");
  const std::vector<double> moved = output.read_fine("moved");
  long by_status[3] = {0, 0, 0};
  for (size_t k = 0; k < status.size(); ++k) {
    by_status[std::clamp(static_cast<int>(status[k]), 0, 2)] += 1;
    summary.created += created[k];
    summary.destroyed += destroyed[k];
    summary.clipped += clipped[k];
    summary.moved += moved[k];
  }
  summary.optimal = by_status[0];
  summary.relaxed = by_status[1];
  summary.infeasible = by_status[2];
}

}  // namespace

int run_pipeline(MPI_Comm comm, const RunConfig& config) {
  const double run_start = MPI_Wtime();
  const int rank = comm_rank(comm), size = comm_size(comm);
  const bool root = rank == 0;
  install_interrupt_handlers();
  StageSeconds stage;
  // Where the results go, before any work: never over the input, never into a directory.
  collectively(comm, [&] {
    if (!root) return;
    if (check_output_path(config.output, {config.input}) && !config.resume)
      std::printf("run: note: %s exists and will be replaced when this run completes\n",
                  quoted(config.output).c_str());
    if (!config.summary.empty())
      check_output_path(config.summary, {config.input, config.output, partial_path(config.output)},
                        "-summary");
  });

  auto read_stage = std::make_unique<LogStage>("Read", &stage.read);
  RunInput in = read_input(comm, config);
  read_stage.reset();
  const SnapshotMeta& meta = in.reader->meta();
  const FineSchedule& schedule = in.schedule;

  RunOutput output(comm, config.output, describe_run(config, in), config.resume);
  if (root && !output.note().empty()) std::printf("run: %s\n", output.note().c_str());
  const RunTotals earlier = RunTotals::from_map(output.recorded_totals());

  FittedStates fitted;
  {
    LogStage dmd_stage("DMD", &stage.dmd);
    fitted = fit_states(comm, config, in, output);
  }
  const DmdSequence& sequence = fitted.sequence;
  SNAPFLOW_VERIFY(rank != config.test.fail_on_rank,
                  "-test_fail_on_rank: rank " << rank << " fails alone");

  std::vector<std::unique_ptr<ReplicatedModes>> modes;
  {
    LogStage states_stage("States", &stage.states);
    for (const DmdModel& model : sequence.models())
      modes.push_back(std::make_unique<ReplicatedModes>(comm, model));
  }
  const long cells = meta.grid.cells();
  const StateFunction state = [&](double t, double* out) {
    const auto [k, weight] = sequence.blend(t);
    modes[k]->state(t, out);
    if (weight != 0.0) {
      thread_local std::vector<double> later;
      later.resize(static_cast<size_t>(cells));
      modes[k + 1]->state(t, later.data());
      for (long i = 0; i < cells; ++i) out[i] += weight * (later[i] - out[i]);
    }
    floor_dmd_state(out, cells, config.state_floor);
    fitted.support.apply(t, out);
  };

  int nodes = 0;  // for the log: how many copies of the modes there are
  {
    MPI_Comm node = node_comm(comm);
    int leader = comm_rank(node) == 0;
    MPI_Comm_free(&node);
    MPI_Allreduce(&leader, &nodes, 1, MPI_INT, MPI_SUM, comm);
  }
  const std::vector<uint8_t> done = output.done_frames();
  long frames_before = 0;
  for (uint8_t d : done) frames_before += d;
  const std::vector<long> pending = pending_chains(schedule, done);
  if (root) {
    std::printf(
        "run: %s: %d x %d cells, %ld snapshots; DMD %zu window(s), rank %d, reconstruction "
        "error max %.3e mean %.3e\n",
        meta.path.c_str(), meta.grid.ny, meta.grid.nx, meta.snapshots(), sequence.models().size(),
        sequence.models().front().rank(), fitted.error_max, fitted.error_mean);
    if (!fitted.support.empty())
      std::printf(
          "run: state support: %.2f%% of the intervals between two snapshots of the %ld cells "
          "with data hold no data at either end (the fit's error there is above it); the states "
          "there are set to 0\n",
          100.0 * static_cast<double>(fitted.support.absent_populated_intervals()) /
              std::max(1.0, static_cast<double>(fitted.support.populated_cells()) *
                                static_cast<double>(meta.snapshots() - 1)),
          fitted.support.populated_cells());
    std::printf(
        "run: %ld fine steps of %.6g s (%s), %ld frames of %ld steps, %ld chains of up to %ld "
        "frame(s) over %d rank(s) on %d node(s) x %d worker thread(s)\n",
        schedule.steps(), schedule.dt(), schedule.rule().c_str(), schedule.frames(),
        schedule.frame_steps(), schedule.chains(), schedule.chain_frames(), size, nodes,
        config.threads);
    if (output.resumed())
      std::printf("run: resuming %s: %ld of %ld frames were done, %zu chains left\n",
                  output.partial_path().c_str(), frames_before, schedule.frames(), pending.size());
    std::fflush(stdout);
  }

  // The write stage runs inside the transport stage's time while farming.
  const auto totals_so_far = [&](long solved, double farm_seconds) {
    StageSeconds so_far = stage;
    so_far.transport = farm_seconds - stage.write;
    return earlier.plus_leg(so_far, MPI_Wtime() - run_start, solved, farm_seconds).to_map();
  };
  const TransportTally tally =
      farm_transport(comm, config, in, state, pending, frames_before, output, stage, totals_so_far);
  if (tally.stopped) {
    if (root)
      std::printf(
          "run: stopped by signal %d after %ld of %ld frames; they are safe in %s.\n"
          "run: resume with the same command and options plus -resume\n",
          last_interrupt_signal(), tally.frames_done, schedule.frames(),
          output.partial_path().c_str());
    return 4;
  }

  RunSummary summary;
  count_steps(output, summary);
  summary.with_truth = meta.has_truth_velocity;
  if (summary.with_truth) {
    LogStage evaluate_stage("Evaluate", &stage.evaluate);
    summary.velocity = check_frame_velocities(comm, *in.reader, output, schedule);
  }
  // Load balance: the least busy rank's share of its workers' time while farming.
  double busy_min = tally.busy_seconds;
  MPI_Allreduce(MPI_IN_PLACE, &busy_min, 1, MPI_DOUBLE, MPI_MIN, comm);
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  double peak_mb = usage.ru_maxrss / 1024.0;
  MPI_Allreduce(MPI_IN_PLACE, &peak_mb, 1, MPI_DOUBLE, MPI_MAX, comm);
  const double total_seconds = MPI_Wtime() - run_start;

  const RunTotals whole =
      earlier.plus_leg(stage, total_seconds, tally.steps_done, tally.wall_seconds);
  output.finish(whole.to_map(), {{"seconds_read", stage.read},
                                 {"seconds_dmd", stage.dmd},
                                 {"seconds_states", stage.states},
                                 {"seconds_transport", stage.transport},
                                 {"seconds_write", stage.write},
                                 {"seconds_total", total_seconds}});

  summary.input = meta.path;
  summary.output = config.output;
  summary.xdmf = xdmf_path(config.output);
  summary.ranks = size;
  summary.threads = config.threads;
  summary.cells = meta.grid.cells();
  summary.steps = schedule.steps();
  summary.frames = schedule.frames();
  summary.fine_dt = schedule.dt();
  summary.resumed_frames = frames_before;
  summary.stages = stage;
  summary.whole = whole;
  summary.total_seconds = total_seconds;
  summary.solved_this_run = tally.steps_done;
  summary.min_energy_choice = config.chain.flow_choice == transport::FlowChoice::kMinEnergy;
  summary.state_support = config.state_support;
  summary.min_energy_this_run = tally.min_energy_steps;
  summary.lps_per_second = tally.steps_done / std::max(tally.wall_seconds, 1e-9);
  summary.load_balance =
      tally.wall_seconds > 0 ? busy_min / (config.threads * tally.wall_seconds) : 1.0;
  summary.dmd_windows = sequence.models().size();
  summary.dmd_rank = sequence.models().front().rank();
  summary.dmd_error_max = fitted.error_max;
  summary.dmd_error_mean = fitted.error_mean;
  summary.peak_memory_mb = peak_mb;
  if (!config.summary.empty())
    collectively(comm, [&] {
      if (root) write_text_atomically(config.summary, summary.json());
    });
  if (root) summary.print();
  return 0;
}

}  // namespace snapflow
