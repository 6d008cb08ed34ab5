#include <mpi.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>

#include "snapflow/cli/commands.hpp"
#include "snapflow/cli/option_groups.hpp"
#include "snapflow/cli/options.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/dmd/dmd_model.hpp"
#include "snapflow/dmd/dmd_windows.hpp"
#include "snapflow/io/density_stats.hpp"
#include "snapflow/io/dmd_output.hpp"
#include "snapflow/io/hdf5_handle.hpp"
#include "snapflow/io/snapshot_reader.hpp"
#include "snapflow/parallel/log_stage.hpp"

namespace snapflow {

namespace {

const OptionGroup kDmdFiles = {"Files",
                               {{"i", "FILE", "input snapshots (DESIGN.md section 2.1)"},
                                {"o", "FILE", "output: /dmd (DESIGN.md section 2.2)"}}};

const OptionGroup kDmdOnlyOptions = {
    "Output",
    {{"dmd_save_modes", "", "also write the modes, float32 [r, ny, nx, 2]"},
     {"dmd_holdout", "",
      "also fit on every other snapshot and report the relative error on the\n"
      "skipped ones (the seed paper's eq. 4.1)"}}};

OptionGroups dmd_options(const std::string&) {
  return {&kDmdFiles, &kDmdOptions, &kDmdOnlyOptions, &kMissingOptions};
}

int run_dmd(const CommandLine&) {
  const auto input = option_string("i");
  const auto output = option_string("o");
  if (!input || !output)
    throw UsageError("give the input with -i FILE and the output with -o FILE");
  const MissingPolicy missing = parse_missing_policy(option_string("missing", "refuse"));
  MPI_Comm comm = MPI_COMM_WORLD;
  const bool root = comm_rank(comm) == 0;
  // Before any work: the output must not be the input, and nobody else may be writing it.
  std::unique_ptr<OutputLock> lock;
  collectively(comm, [&] {
    if (!root) return;
    if (check_output_path(*output, {*input}))
      std::printf("dmd: note: %s exists and will be replaced\n", quoted(*output).c_str());
    lock = std::make_unique<OutputLock>(*output);
  });
  double read_seconds = 0.0;
  auto read_stage = std::make_unique<LogStage>("Read", &read_seconds);
  SnapshotReader reader(comm, *input);
  const SnapshotMeta& meta = reader.meta();
  require_snapshots(meta, kMinDmdSnapshots, "DMD needs two snapshot pairs");
  require_uniform_spacing(meta);
  auto density = reader.read_density();
  const auto stats = compute_density_stats(comm, meta, reader.rows(), density, reader.read_mask());
  const std::string missing_note =
      resolve_missing_values(meta, reader.rows(), density, stats, missing);
  require_usable_magnitudes(meta, stats);
  if (root && !missing_note.empty()) std::printf("dmd: %s\n", missing_note.c_str());
  read_stage.reset();

  const DmdOptions options = dmd_options_from_database();
  const long T = meta.snapshots();
  const DmdWindowing windowing = resolve_windowing(dmd_window_request_from_database(), T);
  const long window = windowing.window, overlap = windowing.overlap;
  const double start = MPI_Wtime();
  const DmdSequence sequence = DmdSequence::fit(comm, density.data(), reader.local_cells(),
                                                meta.time, window, overlap, options);
  const double fit_seconds = MPI_Wtime() - start;
  const std::vector<double> errors = sequence.snapshot_errors(comm, density.data(), meta.time);
  const bool holdout = option_flag("dmd_holdout");
  const double held_out = holdout ? holdout_error(comm, density.data(), reader.local_cells(),
                                                  meta.time, options, window, overlap)
                                  : 0.0;

  const bool save_modes = option_flag("dmd_save_modes");
  const std::string partial = partial_path(*output);
  {
    Hid fapl = mpio_file_access(comm);
    Hid file(H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose);
    agree(comm, file.valid(), "cannot create " + quoted(partial) + ": " + hdf5_error_detail());
    write_dmd_sequence(comm, file, reader.grid(), reader.rows(), sequence, errors, save_modes,
                       window, overlap);
    if (holdout) {
      Hid group(H5Gopen2(file, "/dmd", H5P_DEFAULT), H5Gclose);
      write_double_attribute(group, "holdout_error", held_out);
    }
    write_string_attribute(file, "input", *input);
    write_string_attribute(file, "version", SNAPFLOW_VERSION);
    agree(comm, H5Fclose(file.release()) >= 0,
          "cannot close " + quoted(partial) + ": " + hdf5_error_detail());
  }
  collectively(comm, [&] {
    if (root) commit_partial(partial, *output);
  });
  lock.reset();

  DmdTimings total;
  for (const DmdModel& m : sequence.models()) {
    total.svd += m.timings().svd;
    total.projection += m.timings().projection;
    total.modes += m.timings().modes;
    total.amplitudes += m.timings().amplitudes;
  }
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  long peak_kb = usage.ru_maxrss, max_peak_kb = 0;
  MPI_Reduce(&peak_kb, &max_peak_kb, 1, MPI_LONG, MPI_MAX, 0, comm);
  const double share_mb = 8.0 * reader.local_cells() * (T - 1) / 1e6;
  double max_share_mb = 0.0;
  MPI_Reduce(&share_mb, &max_share_mb, 1, MPI_DOUBLE, MPI_MAX, 0, comm);
  if (root) {
    std::printf(
        "dmd: stages (s): read %.3f, svd %.3f, projection+eig %.3f, modes %.3f, "
        "amplitudes %.3f; peak memory per rank %.0f MB (its share of X: %.0f MB)\n",
        read_seconds, total.svd, total.projection, total.modes, total.amplitudes,
        max_peak_kb / 1024.0, max_share_mb);
    double worst = 0.0, mean = 0.0;
    for (double e : errors) {
      worst = std::max(worst, e);
      mean += e / static_cast<double>(errors.size());
    }
    for (size_t k = 0; k < sequence.models().size(); ++k) {
      const DmdModel& model = sequence.models()[k];
      std::printf(
          "dmd: window %zu: snapshots %ld..%ld, rank %d (%s) of %zu singular values, "
          "sigma_1 = %.6g\n",
          k, sequence.windows()[k].first,
          sequence.windows()[k].first + sequence.windows()[k].count - 1, model.rank(),
          model.rule().c_str(), model.sigma().size(), model.sigma().front());
    }
    std::printf(
        "dmd: %ld snapshots of %ld cells, dt = %g s; reconstruction error max %.3e, "
        "mean %.3e; read %.2f s, fit %.2f s on %d rank(s); wrote %s\n",
        T, meta.grid.cells(), meta.time[1] - meta.time[0], worst, mean, read_seconds, fit_seconds,
        comm_size(comm), output->c_str());
    if (holdout)
      std::printf(
          "dmd: held-out check (fit on every other snapshot): relative error %.3e on "
          "the skipped ones\n",
          held_out);
  }
  return 0;
}

}  // namespace

const CommandSpec kDmdCommand = {
    "dmd",
    "dmd -i IN -o OUT     fit exact DMD (SLEPc) and write /dmd",
    "snapflow dmd -i IN -o OUT [options]: fit exact DMD to the snapshots of IN and write /dmd\n",
    dmd_options,
    "SLEPc options (-svd_type, -svd_tol, ...) apply to the truncated SVD of X.\n",
    run_dmd};

}  // namespace snapflow
