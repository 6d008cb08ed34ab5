#include "snapflow/pipeline/evaluate.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <utility>

#include "snapflow/core/error.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/io/hdf5_handle.hpp"
#include "snapflow/io/snapshot_reader.hpp"
#include "snapflow/parallel/mpi_context.hpp"
#include "snapflow/pipeline/plan_predictions.hpp"

namespace snapflow {

namespace {

double relative_l2(const std::vector<double>& prediction, const std::vector<double>& truth) {
  double difference = 0.0, norm = 0.0;
  for (size_t c = 0; c < truth.size(); ++c) {
    difference += (prediction[c] - truth[c]) * (prediction[c] - truth[c]);
    norm += truth[c] * truth[c];
  }
  return norm > 0 ? std::sqrt(difference / norm) : 0.0;
}

// This rank's rows of every snapshot gathered into one whole grid on rank `owner`.
std::vector<double> gather_rows(MPI_Comm comm, const std::vector<double>& local, long cells,
                                int owner) {
  const int size = comm_size(comm);
  int count = static_cast<int>(local.size());
  std::vector<int> counts(size), offsets(size, 0);
  MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm);
  for (int r = 1; r < size; ++r) offsets[r] = offsets[r - 1] + counts[r - 1];
  std::vector<double> whole(comm_rank(comm) == owner ? static_cast<size_t>(cells) : 0);
  MPI_Gatherv(local.data(), count, MPI_DOUBLE, whole.data(), counts.data(), offsets.data(),
              MPI_DOUBLE, owner, comm);
  return whole;
}

void write_evaluation(const std::string& path, const EvaluateOptions& o, const SnapshotMeta& meta,
                      const std::vector<EvaluateScore>& scores,
                      const std::vector<double>& predicted, double time_scale) {
  const std::string partial = partial_path(path);
  Hid file(H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  SNAPFLOW_VERIFY(file.valid(), "cannot create " << quoted(partial) << ": " << hdf5_error_detail()
                                                 << full_disk_note(partial));
  const hsize_t H = scores.size(), ny = meta.grid.ny, nx = meta.grid.nx;
  std::vector<double> time, w1, l2;
  std::vector<long> index;
  for (const EvaluateScore& s : scores) {
    time.push_back(s.time);
    w1.push_back(s.w1);
    l2.push_back(s.l2);
    index.push_back(s.snapshot);
  }
  const auto write = [&](const char* name, hid_t file_type, hid_t memory_type,
                         const std::vector<hsize_t>& dims, const void* data) {
    write_whole(file, name, file_type, memory_type, dims, data, quoted(partial));
  };
  write("/evaluate/time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {H}, time.data());
  write("/evaluate/snapshot", H5T_STD_I64LE, H5T_NATIVE_LONG, {H}, index.data());
  write("/evaluate/w1", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {H}, w1.data());
  write("/evaluate/l2", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {H}, l2.data());
  write("/evaluate/predicted", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {H, ny, nx}, predicted.data());
  write_string_attribute(file, "method", o.method);
  write_string_attribute(file, "holdout", o.holdout);
  write_string_attribute(file, "input", o.input);
  write_string_attribute(file, "w1_units", "length units of the grid (mass-normalised)");
  for (const auto& [name, value] : {std::pair<const char*, double>{"dx", meta.grid.dx},
                                    {"dy", meta.grid.dy},
                                    {"x0", meta.grid.x0},
                                    {"y0", meta.grid.y0}})
    write_double_attribute(file, name, value);
  if (!std::isnan(time_scale)) write_double_attribute(file, "time_scale_steps", time_scale);
  write_long_attribute(file, "complete", 1);
  SNAPFLOW_VERIFY(H5Fclose(file.release()) >= 0,
                  "cannot close " << quoted(partial) << ": " << hdf5_error_detail());
  commit_partial(partial, path);
}

}  // namespace

std::vector<long> parse_holdout(const std::string& holdout, long snapshots) {
  std::vector<long> held;
  if (holdout == "every_other") {
    for (long t = 1; t < snapshots - 1; t += 2) held.push_back(t);
  } else if (holdout.rfind("last:", 0) == 0) {
    char* end = nullptr;
    const long k = std::strtol(holdout.c_str() + 5, &end, 10);
    SNAPFLOW_VERIFY(end && *end == '\0' && k >= 1,
                    "option -holdout: " << quoted(holdout) << " wants last:K with K >= 1");
    for (long t = std::max(0L, snapshots - k); t < snapshots; ++t) held.push_back(t);
  } else {
    std::istringstream items(holdout);
    std::string item;
    while (std::getline(items, item, ',')) {
      char* end = nullptr;
      const long t = std::strtol(item.c_str(), &end, 10);
      SNAPFLOW_VERIFY(!item.empty() && end && *end == '\0' && t >= 0 && t < snapshots,
                      "option -holdout: " << quoted(item) << " is not a snapshot index in [0, "
                                          << snapshots - 1 << "]");
      held.push_back(t);
    }
  }
  std::sort(held.begin(), held.end());
  held.erase(std::unique(held.begin(), held.end()), held.end());
  SNAPFLOW_VERIFY(!held.empty(), "option -holdout: " << quoted(holdout) << " holds out nothing");
  SNAPFLOW_VERIFY(snapshots - static_cast<long>(held.size()) >= 2,
                  "option -holdout: " << quoted(holdout) << " leaves "
                                      << snapshots - static_cast<long>(held.size()) << " of "
                                      << snapshots << " snapshots to fit on (need 2)");
  return held;
}

std::vector<EvaluateScore> run_evaluate(MPI_Comm comm, const EvaluateOptions& o) {
  const int rank = comm_rank(comm), size = comm_size(comm);
  SnapshotReader reader(comm, o.input);
  const SnapshotMeta& meta = reader.meta();
  const Grid& grid = meta.grid;
  const long T = meta.snapshots(), cells = grid.cells();
  const std::vector<long> held = parse_holdout(o.holdout, T);
  std::vector<long> training;
  for (long t = 0; t < T; ++t)
    if (!std::binary_search(held.begin(), held.end(), t)) training.push_back(t);
  std::vector<double> training_time;
  for (long t : training) training_time.push_back(meta.time[t]);
  const auto owner = [&](size_t k) { return static_cast<int>(k % size); };

  // Per held-out snapshot, on its owner: the prediction and the truth.
  std::vector<std::vector<double>> prediction(held.size()), truth(held.size());
  double time_scale = std::numeric_limits<double>::quiet_NaN();  // affine_flow only
  if (o.method == "dmd") {
    even_step(training_time, "dmd");
    SNAPFLOW_VERIFY(training.size() >= 3, "evaluate -method dmd: option -holdout "
                                              << quoted(o.holdout) << " leaves " << training.size()
                                              << " snapshots to fit on; DMD needs 3");
    const std::vector<double> density = reader.read_density();
    bool complete = true;
    for (double v : density) complete = complete && std::isfinite(v);
    agree(comm, complete,
          "evaluate: " + quoted(o.input) +
              " has missing (NaN) or infinite density values; fill them first (snapflow run "
              "-missing interpolate, or the writer)");
    const long local = reader.local_cells();
    std::vector<double> fitted;
    for (long t : training)
      fitted.insert(fitted.end(), density.begin() + t * local, density.begin() + (t + 1) * local);
    const DmdWindowing windowing =
        resolve_windowing(o.dmd_windows, static_cast<long>(training.size()));
    const DmdSequence sequence = DmdSequence::fit(comm, fitted.data(), local, training_time,
                                                  windowing.window, windowing.overlap, o.dmd);
    for (size_t k = 0; k < held.size(); ++k) {
      std::vector<double> mine(static_cast<size_t>(local));
      sequence.state(meta.time[held[k]], mine.data());
      prediction[k] = gather_rows(comm, mine, cells, owner(k));
      truth[k] = reader.read_whole_snapshot(held[k], rank == owner(k), true);
    }
  } else {
    const HeldOut problem{reader, training, held, owner};
    if (o.method == "affine_flow") {
      const AffineFlowChoice choice = predict_by_affine_flow(comm, problem, prediction);
      time_scale = choice.scale;
      if (rank == 0 && choice.validated >= 0) {
        std::printf(
            "evaluate: affine flow time scale (training steps) by forecasting snapshot %ld:",
            choice.validated);
        for (const auto& [scale, w1] : choice.scores) std::printf(" %g: W1 %.4g;", scale, w1);
        std::printf(" chosen %g\n", choice.scale);
      }
    } else {
      prediction = predict_along_plans(comm, problem, o.method == "second_order");
    }
    for (size_t k = 0; k < held.size(); ++k)
      truth[k] = reader.read_whole_snapshot(held[k], rank == owner(k), true);
  }

  std::vector<double> scores(4 * held.size(), 0.0);  // w1, l2, seconds, per held-out
  std::vector<double> predicted(held.size() * static_cast<size_t>(cells), 0.0);
  collectively(comm, [&] {
    for (size_t k = 0; k < held.size(); ++k) {
      if (rank != owner(k)) continue;
      const auto start = std::chrono::steady_clock::now();
      std::vector<double>& p = prediction[k];
      const double mass = total_mass(truth[k]);
      SNAPFLOW_VERIFY(mass > 0, "evaluate: held-out snapshot " << held[k] << " of "
                                                               << quoted(o.input)
                                                               << " holds no mass to compare with");
      clip_and_scale(p, mass);
      scores[4 * k] = exact_w1(grid, truth[k], p);
      scores[4 * k + 1] = relative_l2(p, truth[k]);
      scores[4 * k + 2] =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::copy(p.begin(), p.end(), predicted.begin() + k * cells);
    }
  });
  MPI_Allreduce(MPI_IN_PLACE, scores.data(), static_cast<int>(scores.size()), MPI_DOUBLE, MPI_SUM,
                comm);
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : predicted.data(), predicted.data(),
             static_cast<int>(predicted.size()), MPI_DOUBLE, MPI_SUM, 0, comm);
  std::vector<EvaluateScore> result;
  for (size_t k = 0; k < held.size(); ++k)
    result.push_back(
        {held[k], meta.time[held[k]], scores[4 * k], scores[4 * k + 1], scores[4 * k + 2]});
  collectively(comm, [&] {
    if (rank == 0) write_evaluation(o.output, o, meta, result, predicted, time_scale);
  });
  return result;
}

}  // namespace snapflow
