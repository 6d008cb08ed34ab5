#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <limits>

#include "snapflow/cli/commands.hpp"
#include "snapflow/cli/options.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/dmd/dmd_model.hpp"
#include "snapflow/io/density_stats.hpp"
#include "snapflow/io/dmd_output.hpp"
#include "snapflow/io/hdf5_handle.hpp"
#include "snapflow/io/snapshot_reader.hpp"

namespace snapflow {

const char kDmdHelp[] =
    "snapflow dmd -i IN -o OUT [options]: fit exact DMD to the snapshots of IN and write /dmd\n"
    "  -dmd_rank N|svht   fixed rank, or the Gavish-Donoho optimal hard threshold\n"
    "  -dmd_energy e      smallest rank keeping the fraction e of sum sigma^2 (default 0.9999)\n"
    "  -dmd_save_modes    also write the modes, float32 [r, ny, nx, 2]\n"
    "SLEPc options (-svd_type, -svd_tol, ...) apply to the truncated SVD of X.\n";

int run_dmd(const CommandLine&) {
  const auto input = option_string("i");
  const auto output = option_string("o");
  SNAPFLOW_VERIFY(input && output, "dmd: give the input with -i FILE and the output with -o FILE");
  MPI_Comm comm = MPI_COMM_WORLD;
  const bool root = comm_rank(comm) == 0;
  double start = MPI_Wtime();
  SnapshotReader reader(comm, *input);
  const SnapshotMeta& meta = reader.meta();
  require_uniform_spacing(meta);
  const auto density = reader.read_density();
  const auto stats = compute_density_stats(comm, meta, reader.rows(), density, reader.read_mask());
  require_finite_density(meta, stats);
  const double read_seconds = MPI_Wtime() - start;

  DmdOptions options;
  options.rank_option = option_string("dmd_rank", "");
  options.energy = option_double("dmd_energy", 0.0, std::numeric_limits<double>::min(), 1.0);
  const long T = meta.snapshots();
  const double dt = (meta.time.back() - meta.time.front()) / static_cast<double>(T - 1);
  start = MPI_Wtime();
  const DmdModel model =
      DmdModel::fit(comm, density, reader.local_cells(), T, meta.time.front(), dt, options);
  const double fit_seconds = MPI_Wtime() - start;
  const std::vector<double> errors = model.snapshot_errors(comm, density, T);

  const bool save_modes = option_flag("dmd_save_modes");
  const std::string partial = *output + ".partial";
  {
    Hid fapl = mpio_file_access(comm);
    Hid file(H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose);
    agree(comm, file.valid(), "cannot create " + quoted(partial) + ": " + hdf5_error_detail());
    Hid group(H5Gcreate2(file, "/dmd", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    write_dmd_group(comm, group, reader.grid(), reader.rows(), model, errors, save_modes);
    write_string_attribute(file, "input", *input);
    write_string_attribute(file, "version", SNAPFLOW_VERSION);
  }
  int renamed = 1;
  if (root) renamed = std::rename(partial.c_str(), output->c_str()) == 0;
  MPI_Bcast(&renamed, 1, MPI_INT, 0, comm);
  SNAPFLOW_VERIFY(renamed, "cannot rename " << quoted(partial) << " to " << quoted(*output));

  if (root) {
    const double worst = *std::max_element(errors.begin(), errors.end());
    std::printf("dmd: %ld snapshots of %ld cells, dt = %g s; rank %d (%s) of %zu singular values\n",
                T, meta.grid.cells(), dt, model.rank(), model.rule().c_str(), model.sigma().size());
    std::printf(
        "dmd: sigma_1 = %.6g, sigma_r = %.6g; reconstruction error max %.3e, "
        "mean %.3e; read %.2f s, fit %.2f s on %d rank(s); wrote %s\n",
        model.sigma().front(), model.sigma()[model.rank() - 1], worst,
        [&] {
          double s = 0;
          for (double e : errors) s += e;
          return s / errors.size();
        }(),
        read_seconds, fit_seconds, comm_size(comm), output->c_str());
  }
  return 0;
}

}  // namespace snapflow
