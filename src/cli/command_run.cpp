// `snapflow run`: the whole pipeline (DESIGN.md sections 1.4 and 2.2). Read the snapshots by
// row blocks, fit DMD, replicate its modes once per node, farm the segments of fine steps
// over ranks x threads (the main thread of each rank deals them and writes finished ones
// collectively while its workers solve), then check the recovered velocity against /truth/velocity
// when the input has it.
#include <mpi.h>
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <thread>

#include "snapflow/analysis/velocity_error.hpp"
#include "snapflow/cli/commands.hpp"
#include "snapflow/cli/option_groups.hpp"
#include "snapflow/cli/options.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/core/interrupt.hpp"
#include "snapflow/core/log_stage.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/dmd/dmd_windows.hpp"
#include "snapflow/dmd/mode_sum.hpp"
#include "snapflow/dmd/replicated_modes.hpp"
#include "snapflow/io/density_stats.hpp"
#include "snapflow/io/dmd_output.hpp"
#include "snapflow/io/run_output.hpp"
#include "snapflow/io/snapshot_reader.hpp"
#include "snapflow/schedule/fine_schedule.hpp"
#include "snapflow/schedule/segment_farm.hpp"
#include "snapflow/schedule/segment_solver.hpp"

namespace snapflow {

namespace {

const OptionGroup kRunFiles = {
    "Files",
    {{"i", "FILE", "input snapshots (DESIGN.md section 2.1)"},
     {"o", "FILE", "output flows (DESIGN.md section 2.2), with an XDMF sidecar"},
     {"summary", "FILE",
      "JSON summary: stage timings, LPs by status, mass created and destroyed,\n"
      "velocity error against /truth/velocity"}}};

const OptionGroup kFineStepOptions = {
    "Fine steps",
    {{"fine_dt", "S", "fine step in seconds; or"},
     {"vmax", "V",
      "largest speed (length/s): dt_f = min(dx, dy) / V, the CFL-like rule of the\n"
      "local problem (default: the input's attribute vmax)"},
     {"frame_steps", "N", "fine steps per output frame (default: one snapshot interval)"},
     {"chain_steps", "N",
      "steps one worker solves as one warm-started chain, rounded up to whole\n"
      "frames (default: one snapshot interval); the last chains taper to 1/2,\n"
      "1/4, ... of that, down to one frame, so the workers finish together.\n"
      "Chains always start at the same steps, so the output does not depend on\n"
      "the ranks or threads. Each chain starts cold (5-20x a warm step): on few\n"
      "workers use long chains, keeping >= 4 chains per worker thread"}}};

const OptionGroup kRunTransportOptions = {
    "Infeasible steps and DMD states",
    {{"infeasible", "relax|abort",
      "what to do with a step the balance policy cannot route: solve it relaxed\n"
      "(status 1, counted; the default) or stop the run"},
     {"state_floor", "f",
      "set DMD state values below f x the state's largest to zero: removes the\n"
      "ringing that makes local problems infeasible (0; e.g. 0.01)"}}};

const OptionGroup kRunControl = {
    "Run",
    {{"threads", "N",
      "worker threads per rank (default: OMP_NUM_THREADS); the main thread deals\n"
      "chains and writes, mostly asleep"},
     {"resume", "", "continue the interrupted run in OUT.partial"},
     {"progress_seconds", "S", "seconds between progress lines (10)"},
     {"test_signal_after_writes", "N", "(testing) every rank sends itself SIGTERM after write N"},
     {"test_kill_after_writes", "N", "(testing) every rank kills itself (SIGKILL) after write N"},
     {"test_fail_on_rank", "R",
      "(testing) rank R alone raises an error once the DMD is fitted, leaving the\n"
      "others waiting (the error watchdog must end the job)"}}};

OptionGroups run_options(const std::string&) {
  return {&kRunFiles,   &kFineStepOptions, &kTransportOptions, &kRunTransportOptions,
          &kDmdOptions, &kMissingOptions,  &kRunControl};
}

// Longest wait of a rank's main thread between synchronisations with the other ranks.
constexpr double kSyncSeconds = 0.2;

// MPI_Allgather that sleeps while it waits: a rank's main thread shares a core with a worker,
// and OpenMPI's blocking collectives busy-wait for the last rank (which may sleep up to
// kSyncSeconds before it comes).
void gather_without_spinning(const long* mine, int count, long* all, MPI_Comm comm) {
  MPI_Request request;
  MPI_Iallgather(mine, count, MPI_LONG, all, count, MPI_LONG, comm, &request);
  for (int done = 0;;) {
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

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

struct StageSeconds {
  double read = 0, dmd = 0, states = 0, transport = 0, write = 0, evaluate = 0;
};

// The mass-weighted velocity error of every frame against the truth interpolated to the
// frame's middle time; frames are shared out over the ranks.
VelocityError evaluate_velocity(MPI_Comm comm, const SnapshotReader& reader,
                                const RunOutput& output, const FineSchedule& schedule) {
  const SnapshotMeta& meta = reader.meta();
  const Grid& grid = meta.grid;
  const long cells = grid.cells();
  const int size = comm_size(comm), rank = comm_rank(comm);
  const double snapshot_dt = meta.time[1] - meta.time[0];
  VelocityError error;
  const long F = schedule.frames();
  for (long round = 0; round * size < F; ++round) {
    const long f = round * size + rank < F ? round * size + rank : -1;
    const std::vector<float> velocity = output.read_frame("/frames/velocity", f);
    const std::vector<float> start = output.read_frame("/frames/density", f);
    const std::vector<float> end = output.read_frame("/frames/density", f >= 0 ? f + 1 : -1);
    double weight = 0.0;
    long before = -1, after = -1;
    if (f >= 0) {
      const double middle = 0.5 * (schedule.frame_time(f) + schedule.frame_time(f + 1));
      const double position = (middle - meta.time.front()) / snapshot_dt;
      before = std::clamp<long>(static_cast<long>(std::floor(position)), 0, meta.snapshots() - 1);
      after = std::min(before + 1, meta.snapshots() - 1);
      weight = std::clamp(position - static_cast<double>(before), 0.0, 1.0);
    }
    const std::vector<double> truth_before = reader.read_whole_truth_velocity(before);
    const std::vector<double> truth_after = reader.read_whole_truth_velocity(after);
    if (f < 0) continue;
    std::vector<double> truth(2 * cells), mass(cells);
    for (long k = 0; k < 2 * cells; ++k)
      truth[k] = (1.0 - weight) * truth_before[k] + weight * truth_after[k];
    for (long c = 0; c < cells; ++c) mass[c] = 0.5 * (start[c] + end[c]);
    error.add(grid, velocity.data(), truth.data(), mass.data());
  }
  double sums[VelocityError::kSums];
  error.sums(sums);
  MPI_Allreduce(MPI_IN_PLACE, sums, VelocityError::kSums, MPI_DOUBLE, MPI_SUM, comm);
  error.set_sums(sums);
  return error;
}

int run_run(const CommandLine&) {
  using namespace transport;
  const double run_start = MPI_Wtime();
  const auto input = option_string("i");
  const auto output_path = option_string("o");
  if (!input || !output_path)
    throw UsageError("give the input with -i FILE and the output with -o FILE");
  MPI_Comm comm = MPI_COMM_WORLD;
  const int rank = comm_rank(comm), size = comm_size(comm);
  const bool root = rank == 0;
  install_interrupt_handlers();
  StageSeconds stage;

  // Options first, so that a typo fails before any work.
  FineScheduleOptions schedule_options;
  schedule_options.fine_dt = option_double("fine_dt", 0.0, 0.0, 1e12);
  schedule_options.vmax = option_double("vmax", 0.0, 0.0, 1e12);
  schedule_options.frame_steps = option_long("frame_steps", 0, 1, 1L << 40);
  schedule_options.chain_steps = option_long("chain_steps", 0, 1, 1L << 40);
  SegmentSettings settings;
  settings.spec.stencil = parse_stencil(option_string("stencil", "8"));
  SNAPFLOW_VERIFY(
      settings.spec.stencil == StencilKind::kFour || settings.spec.stencil == StencilKind::kEight,
      "run: -stencil " << to_string(settings.spec.stencil)
                       << " does not fit the 9-direction frame output; use 4 or 8 "
                          "(snapflow transport solves single 24/global problems)");
  settings.spec.cost.kind = parse_cost(option_string("cost", "euclid"));
  settings.spec.cost.power = option_double("cost_power", 1.05, 1e-6, 16.0);
  settings.spec.cost.tiebreak = option_double("cost_tiebreak", 1e-3, 0.0, 0.05);
  settings.spec.balance = parse_balance(option_string("balance", "scale"));
  settings.spec.relax_penalty =
      option_double("relax_penalty", 0.0, 0.0, std::numeric_limits<double>::max());
  settings.relax_infeasible = option_choice("infeasible", "relax", {"relax", "abort"}) == "relax";
  const DmdOptions dmd_options = dmd_options_from_database();
  const double state_floor = option_double("state_floor", 0.0, 0.0, 1.0);
  const MissingPolicy missing = parse_missing_policy(option_string("missing", "refuse"));
  const bool resume = option_flag("resume");
  const std::string summary_path = option_string("summary", "");
  // Where the results go, before any work: never over the input, never into a directory.
  collectively(comm, [&] {
    if (!root) return;
    if (check_output_path(*output_path, {*input}) && !resume)
      std::printf("run: note: %s exists and will be replaced when this run completes\n",
                  quoted(*output_path).c_str());
    if (!summary_path.empty())
      check_output_path(summary_path, {*input, *output_path, partial_path(*output_path)},
                        "-summary");
  });
  const double progress_seconds = option_double("progress_seconds", 10.0, 0.0, 1e9);
  const long signal_after = option_long("test_signal_after_writes", -1, 0, 1L << 40);
  const long kill_after = option_long("test_kill_after_writes", -1, 0, 1L << 40);
  const long fail_on_rank = option_long("test_fail_on_rank", -1, 0, 1L << 20);
  int threads = static_cast<int>(option_long("threads", omp_get_max_threads(), 1, 4096));
  MPI_Bcast(&threads, 1, MPI_INT, 0, comm);

  // Read.
  auto read_stage = std::make_unique<LogStage>("Read", &stage.read);
  SnapshotReader reader(comm, *input);
  const SnapshotMeta& meta = reader.meta();
  require_snapshots(meta, kMinDmdSnapshots, "DMD needs two snapshot pairs");
  require_uniform_spacing(meta);
  const long T = meta.snapshots();
  const DmdWindowing windowing = dmd_windowing_from_database(T);
  const long window = windowing.window, overlap = windowing.overlap;
  if (schedule_options.fine_dt <= 0.0 && schedule_options.vmax <= 0.0)
    schedule_options.vmax = meta.vmax;
  const FineSchedule schedule =
      FineSchedule::plan(meta.time, std::min(meta.grid.dx, meta.grid.dy), schedule_options);
  settings.spec.grid = meta.grid;
  settings.spec.mask = reader.read_whole_mask(true);
  std::vector<int32_t> zone_ids;
  number_zones(reader.read_whole_zones(true), zone_ids, settings.zone_index);
  if (zone_ids.empty()) settings.zone_index.clear();
  settings.zones = static_cast<int>(zone_ids.size());
  SNAPFLOW_VERIFY(settings.zones <= 4096, meta.path << ": /zones holds " << settings.zones
                                                    << " distinct zones; the OD output allows "
                                                       "at most 4096");
  std::vector<double> density = reader.read_density();
  const DensityStats stats =
      compute_density_stats(comm, meta, reader.rows(), density, reader.read_mask());
  const std::string missing_note =
      resolve_missing_values(meta, reader.rows(), density, stats, missing);
  require_usable_magnitudes(meta, stats);
  reader.check_truth_velocity();
  if (root && !missing_note.empty()) std::printf("run: %s\n", missing_note.c_str());
  read_stage.reset();

  RunDescription description;
  description.grid = meta.grid;
  description.schedule = schedule;
  description.zone_ids = zone_ids;
  description.defining_numbers = {
      {"fine_dt", schedule.dt()},
      {"fine_steps", static_cast<double>(schedule.steps())},
      {"frame_steps", static_cast<double>(schedule.frame_steps())},
      {"frames", static_cast<double>(schedule.frames())},
      {"segment_frames", static_cast<double>(schedule.segment_frames())},
      {"cost_power", settings.spec.cost.power},
      {"cost_tiebreak", settings.spec.cost.tiebreak},
      {"relax_penalty", settings.spec.relax_penalty},
      {"state_floor", state_floor},
      {"nx", meta.grid.nx},
      {"ny", meta.grid.ny}};
  description.defining_strings = {
      {"input", meta.path},
      {"stencil", to_string(settings.spec.stencil)},
      {"cost", to_string(settings.spec.cost.kind)},
      {"balance", to_string(settings.spec.balance)},
      {"infeasible", settings.relax_infeasible ? "relax" : "abort"},
      {"dmd_options",
       "rank=" + dmd_options.rank_option + " energy=" + std::to_string(dmd_options.energy) +
           " window=" + std::to_string(window) + " overlap=" + std::to_string(overlap) +
           " amplitudes=" + (dmd_options.amplitudes_from_all ? "all" : "first")}};
  description.notes = {{"fine_dt_rule", schedule.rule()}};
  if (!meta.crs.empty()) description.notes["crs"] = meta.crs;
  if (!meta.units.empty()) description.notes["units"] = meta.units;
  if (!meta.time_units.empty()) description.notes["time_units"] = meta.time_units;
  RunOutput output(comm, *output_path, description, resume);
  if (root && !output.note().empty()) std::printf("run: %s\n", output.note().c_str());

  // DMD: fit and store it at float32 precision, then use the stored model, so that the
  // states are bitwise the same for any rank count and for a resumed run.
  double dmd_error_max = 0.0, dmd_error_mean = 0.0;
  DmdSequence sequence;
  {
    LogStage dmd_stage("DMD", &stage.dmd);
    std::vector<double> errors;
    if (!output.resumed()) {
      const DmdSequence fitted = DmdSequence::fit(comm, density.data(), reader.local_cells(),
                                                  meta.time, window, overlap, dmd_options);
      errors = fitted.snapshot_errors(comm, density.data(), meta.time);
      write_dmd_sequence(comm, output.file(), meta.grid, reader.rows(), fitted, errors, true,
                         window, overlap, DmdPrecision::kFloat32);
    }
    sequence = read_dmd_sequence(comm, output.file(), meta.grid, reader.rows(),
                                 quoted(output.partial_path()));
    if (output.resumed()) errors = sequence.snapshot_errors(comm, density.data(), meta.time);
    for (double e : errors) {
      dmd_error_max = std::max(dmd_error_max, e);
      dmd_error_mean += e / static_cast<double>(errors.size());
    }
  }
  std::vector<double>().swap(density);
  SNAPFLOW_VERIFY(rank != fail_on_rank, "-test_fail_on_rank: rank " << rank << " fails alone");

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
    floor_dmd_state(out, cells, state_floor);
  };

  const std::vector<uint8_t> done = output.done_frames();
  std::vector<long> pending;
  long frames_before = 0;
  for (uint8_t d : done) frames_before += d;
  for (long s = 0; s < schedule.segments(); ++s) {
    const StepRange frames = schedule.segment_frame_range(s);
    bool complete = true;
    for (long f = frames.begin; f < frames.end; ++f) complete = complete && done[f];
    if (!complete) pending.push_back(s);
  }
  if (root) {
    std::printf(
        "run: %s: %d x %d cells, %ld snapshots; DMD %zu window(s), rank %d, reconstruction "
        "error max %.3e mean %.3e\n",
        meta.path.c_str(), meta.grid.ny, meta.grid.nx, T, sequence.models().size(),
        sequence.models().front().rank(), dmd_error_max, dmd_error_mean);
    std::printf(
        "run: %ld fine steps of %.6g s (%s), %ld frames of %ld steps, %ld chains of up to %ld "
        "frame(s) over %d rank(s) x %d worker thread(s)\n",
        schedule.steps(), schedule.dt(), schedule.rule().c_str(), schedule.frames(),
        schedule.frame_steps(), schedule.segments(), schedule.segment_frames(), size, threads);
    if (output.resumed())
      std::printf("run: resuming %s: %ld of %ld frames were done, %zu chains left\n",
                  output.partial_path().c_str(), frames_before, schedule.frames(), pending.size());
    std::fflush(stdout);
  }

  // Transport. On every rank `threads` workers solve the chains dealt to them, while the main
  // thread synchronises with the other ranks whenever one of its chains finishes (at least
  // every kSyncSeconds): it deals the next chains to the ranks whose workers ask for them and
  // writes every finished chain in one collective write. No worker waits for a slower chain.
  long steps_done = 0, frames_done = frames_before, writes = 0;
  double busy_seconds = 0.0;
  long steps_pending = 0;
  for (long s : pending) {
    const StepRange f = schedule.segment_frame_range(s);
    steps_pending +=
        schedule.frame_step_range(f.end - 1).end - schedule.frame_step_range(f.begin).begin;
  }
  const double transport_start = MPI_Wtime();
  double last_progress = transport_start;
  bool stop_requested = false;
  int thread_level = MPI_THREAD_SINGLE;
  MPI_Query_thread(&thread_level);
  SNAPFLOW_VERIFY(thread_level >= MPI_THREAD_FUNNELED,
                  "run: MPI was initialised without MPI_THREAD_FUNNELED, which the worker threads "
                  "need (only the main thread calls MPI)");
  SegmentDealer dealer(pending);
  SegmentFarm farm(schedule, state, settings, threads, [] { return interrupt_requests() >= 2; });
  const auto write_finished = [&](std::vector<SegmentResult>& finished, long writes_now) {
    // Under -infeasible abort, stop at the first infeasible step before it is written, so that
    // no frame holding it is ever marked done (a resumed run meets it again).
    long first_infeasible = std::numeric_limits<long>::max();
    if (!settings.relax_infeasible)
      for (const SegmentResult& r : finished)
        for (size_t k = 0; k < r.step_records.size(); ++k)
          if (r.step_records[k].status == Status::kInfeasible)
            first_infeasible = std::min(first_infeasible, r.steps.begin + static_cast<long>(k));
    MPI_Allreduce(MPI_IN_PLACE, &first_infeasible, 1, MPI_LONG, MPI_MIN, comm);
    SNAPFLOW_VERIFY(first_infeasible == std::numeric_limits<long>::max(),
                    "run: fine step "
                        << first_infeasible << " (t = " << schedule.step_time(first_infeasible)
                        << " s) is infeasible under -balance " << to_string(settings.spec.balance)
                        << " and -infeasible abort was given; use -infeasible "
                           "relax, a smaller -fine_dt or -balance relaxed");
    std::vector<const SegmentResult*> written(static_cast<size_t>(writes_now), nullptr);
    long counts[2] = {0, 0};
    for (size_t k = 0; k < finished.size(); ++k) {
      busy_seconds += finished[k].seconds;
      if (finished[k].abandoned) continue;
      written[k] = &finished[k];
      counts[0] += finished[k].steps.size();
      counts[1] += finished[k].frames.size();
    }
    {
      LogStage write_stage("Write", &stage.write);
      for (const SegmentResult* r : written) output.write_segment(r);
      output.mark_done(written);
    }
    ++writes;
    if (writes == kill_after) std::raise(SIGKILL);
    if (writes == signal_after) std::raise(SIGTERM);
    MPI_Allreduce(MPI_IN_PLACE, counts, 2, MPI_LONG, MPI_SUM, comm);
    steps_done += counts[0];
    frames_done += counts[1];
    finished.clear();
  };
  {
    LogStage transport_stage("Transport", &stage.transport);
    farm.run([&] {
      std::vector<SegmentResult> finished;
      for (;; farm.wait(kSyncSeconds)) {
        // busy before collecting: a chain that finishes in between is counted busy, not lost.
        const long busy = farm.busy();
        for (SegmentResult& r : farm.take_finished()) finished.push_back(std::move(r));
        const long report[5] = {
            stop_requested ? 0 : segments_wanted(threads, busy, dealer.remaining(), size * threads),
            static_cast<long>(finished.size()), busy, interrupt_requests() > 0 ? 1L : 0L,
            farm.failure().empty() ? 0L : 1L};
        std::vector<long> reports(5 * static_cast<size_t>(size));
        gather_without_spinning(report, 5, reports.data(), comm);
        std::vector<long> wanted(size);
        long most_finished = 0, all_busy = 0, failed = 0;
        for (int p = 0; p < size; ++p) {
          wanted[p] = reports[5 * p];
          most_finished = std::max(most_finished, reports[5 * p + 1]);
          all_busy += reports[5 * p + 2];
          stop_requested = stop_requested || reports[5 * p + 3] != 0;
          failed += reports[5 * p + 4];
        }
        if (failed) agree(comm, farm.failure().empty(), "run: " + farm.failure());
        // Done when no rank holds a chain and none is left to deal (before this deal).
        const bool last = all_busy == 0 && (stop_requested || dealer.remaining() == 0);
        if (stop_requested)
          farm.drop_queued();
        else
          for (long s : dealer.deal(wanted, rank)) farm.submit(s);
        if (most_finished > 0) write_finished(finished, most_finished);

        const double now = MPI_Wtime();
        if (root && most_finished > 0 &&
            (now - last_progress >= progress_seconds || last || stop_requested)) {
          const double elapsed = now - transport_start;
          const double rate = steps_done / std::max(elapsed, 1e-9);
          std::printf(
              "run: frames %ld/%ld (%.1f%%), %ld LPs at %.2f LP/s, elapsed %s, ETA %s\n",
              frames_done, schedule.frames(), 100.0 * frames_done / schedule.frames(), steps_done,
              rate, format_duration(elapsed).c_str(),
              format_duration((steps_pending - steps_done) / std::max(rate, 1e-12)).c_str());
          std::fflush(stdout);
          last_progress = now;
        }
        if (last) return;
      }
    });
  }
  stage.transport -= stage.write;
  const double transport_wall = MPI_Wtime() - transport_start;

  if (stop_requested) {
    if (root)
      std::printf(
          "run: stopped by signal %d after %ld of %ld frames; they are safe in %s.\n"
          "run: resume with the same command and options plus -resume\n",
          last_interrupt_signal(), frames_done, schedule.frames(), output.partial_path().c_str());
    return 4;
  }

  // Evaluate against the truth, sum up, commit.
  const std::vector<double> status = output.read_fine("status");
  const std::vector<double> created = output.read_fine("created");
  const std::vector<double> destroyed = output.read_fine("destroyed");
  const std::vector<double> clipped = output.read_fine("clipped");
  const std::vector<double> moved = output.read_fine("moved");
  long by_status[3] = {0, 0, 0};
  double mass_created = 0, mass_destroyed = 0, mass_clipped = 0, mass_moved = 0;
  for (size_t k = 0; k < status.size(); ++k) {
    by_status[std::clamp(static_cast<int>(status[k]), 0, 2)] += 1;
    mass_created += created[k];
    mass_destroyed += destroyed[k];
    mass_clipped += clipped[k];
    mass_moved += moved[k];
  }
  const bool with_truth = meta.has_truth_velocity;
  VelocityError velocity_error;
  if (with_truth) {
    LogStage evaluate_stage("Evaluate", &stage.evaluate);
    velocity_error = evaluate_velocity(comm, reader, output, schedule);
  }

  // Load balance: the least busy rank's share of its workers' time while farming.
  double busy_min = busy_seconds;
  MPI_Allreduce(MPI_IN_PLACE, &busy_min, 1, MPI_DOUBLE, MPI_MIN, comm);
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  double peak_mb = usage.ru_maxrss / 1024.0;
  MPI_Allreduce(MPI_IN_PLACE, &peak_mb, 1, MPI_DOUBLE, MPI_MAX, comm);
  const double total_seconds = MPI_Wtime() - run_start;
  const double balance = transport_wall > 0 ? busy_min / (threads * transport_wall) : 1.0;

  output.finish({{"seconds_read", stage.read},
                 {"seconds_dmd", stage.dmd},
                 {"seconds_states", stage.states},
                 {"seconds_transport", stage.transport},
                 {"seconds_write", stage.write},
                 {"seconds_total", total_seconds}});

  std::ostringstream json;
  json.precision(10);
  json << "{\n  \"input\": \"" << meta.path << "\",\n  \"output\": \"" << *output_path
       << "\",\n  \"ranks\": " << size << ", \"threads\": " << threads
       << ",\n  \"cells\": " << meta.grid.cells() << ", \"steps\": " << schedule.steps()
       << ", \"frames\": " << schedule.frames() << ", \"fine_dt\": " << schedule.dt()
       << ",\n  \"resumed_frames\": " << frames_before
       << ",\n  \"stages_seconds\": {\"read\": " << stage.read << ", \"dmd\": " << stage.dmd
       << ", \"states\": " << stage.states << ", \"transport\": " << stage.transport
       << ", \"write\": " << stage.write << ", \"evaluate\": " << stage.evaluate
       << ", \"total\": " << total_seconds << "},\n  \"lps\": {\"optimal\": " << by_status[0]
       << ", \"relaxed\": " << by_status[1] << ", \"infeasible\": " << by_status[2]
       << ", \"solved_this_run\": " << steps_done
       << ", \"per_second\": " << steps_done / std::max(transport_wall, 1e-9)
       << "},\n  \"load_balance\": " << balance << ",\n  \"mass\": {\"moved\": " << mass_moved
       << ", \"created\": " << mass_created << ", \"destroyed\": " << mass_destroyed
       << ", \"clipped\": " << mass_clipped
       << "},\n  \"dmd\": {\"windows\": " << sequence.models().size()
       << ", \"rank\": " << sequence.models().front().rank()
       << ", \"snapshot_error_max\": " << dmd_error_max
       << ", \"snapshot_error_mean\": " << dmd_error_mean
       << "},\n  \"peak_memory_mb_per_rank\": " << peak_mb;
  if (with_truth)
    json << ",\n  \"velocity_error\": {\"relative\": " << velocity_error.relative()
         << ", \"angle_degrees\": " << velocity_error.angle_degrees()
         << ", \"blocks\": " << velocity_error.blocks()
         << ", \"block_cells\": 4, \"density_threshold\": 0.1}";
  json << "\n}\n";
  if (!summary_path.empty())
    collectively(comm, [&] {
      if (root) write_text_atomically(summary_path, json.str());
    });
  if (root) {
    std::printf(
        "run: %ld LPs: %ld optimal, %ld relaxed, %ld infeasible; moved %.6g, created %.6g, "
        "destroyed %.6g, clipped %.6g (mass)\n",
        schedule.steps(), by_status[0], by_status[1], by_status[2], mass_moved, mass_created,
        mass_destroyed, mass_clipped);
    if (with_truth)
      std::printf(
          "run: velocity vs /truth/velocity (4x4 blocks, density >= 10%% of max): relative "
          "error %.4f, angle error %.2f degrees over %ld blocks\n",
          velocity_error.relative(), velocity_error.angle_degrees(), velocity_error.blocks());
    std::printf(
        "run: stages (s): read %.2f, dmd %.2f, states %.2f, transport %.2f, write %.2f, "
        "evaluate %.2f; total %.2f; load balance %.0f%%; peak memory per rank %.0f MB\n",
        stage.read, stage.dmd, stage.states, stage.transport, stage.write, stage.evaluate,
        total_seconds, 100.0 * balance, peak_mb);
    std::printf("run: wrote %s and %s\n", output_path->c_str(), xdmf_path(*output_path).c_str());
  }
  return 0;
}

}  // namespace

const CommandSpec kRunCommand = {
    "run",
    "run -i IN -o OUT     the whole pipeline: DMD, fine-step transport, frames (HDF5 + XDMF)",
    "snapflow run -i IN -o OUT [options]: snapshots -> DMD -> fine-step transport LPs -> flows\n",
    run_options,
    "OUT is written as OUT.partial (attribute complete = 0) and renamed when complete, with an\n"
    "XDMF sidecar for ParaView. SIGTERM or SIGUSR1 finish the frames in flight and stop; a\n"
    "second signal abandons them. -log_view shows the stages Read, DMD, States, Transport,\n"
    "Write and Evaluate.\n",
    run_run};

}  // namespace snapflow
