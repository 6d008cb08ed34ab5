// Writes a fitted DMD model as the /dmd group of DESIGN.md section 2.2.
#pragma once

#include <hdf5.h>
#include <mpi.h>

#include <vector>

#include "snapflow/core/grid.hpp"
#include "snapflow/dmd/dmd_model.hpp"
#include "snapflow/dmd/dmd_windows.hpp"
#include "snapflow/parallel/mpi_context.hpp"

namespace snapflow {

// kFloat32 stores every array rounded to float32 precision relative to its largest value
// (as float64 numbers; modes as float32 rounded to 2^-36 of each mode's largest, tiny noise
// flushed to zero): what `snapflow run` uses, so that the states built from the stored model
// are reproducible from the file, and fits on different rank counts (sums in another order,
// SLEPc's iterative SVD) round to the same stored values unless they straddle a rounding
// boundary (never on the test cases; 1,504 of 14.3 million values on the province).
enum class DmdPrecision { kFull, kFloat32 };

// Collective. `group` is an open (empty) group of a file opened with MPI-IO on `comm`;
// `rows` are this rank's grid rows (the model's local rows are rows x nx). Writes sigma,
// lambda, omega, amplitude and snapshot_error, the modes as float32 [r, ny, nx, 2] when
// `with_modes`, and the attributes rank, rank_rule, dt, t0.
void write_dmd_group(MPI_Comm comm, hid_t group, const Grid& grid, Range rows,
                     const DmdModel& model, const std::vector<double>& snapshot_error,
                     bool with_modes, DmdPrecision precision = DmdPrecision::kFull);

// Collective: loads the model of a group written by write_dmd_group with modes (this rank's
// `rows`); throws naming `where` and the dataset when something is missing. The modes were
// saved as float32, so the loaded states agree with the fitted ones to ~1e-7 relative.
DmdModel read_dmd_group(MPI_Comm comm, hid_t group, const Grid& grid, Range rows,
                        const std::string& where);

// Collective: /snapshot_error [T] in `group` (used directly for a sequence of windows).
void write_dmd_snapshot_errors(MPI_Comm comm, hid_t group, const std::vector<double>& errors);

// Collective: the /dmd group of a sequence in the open `file`: one model as /dmd itself, or
// one group /dmd/window_NNNN per window (attributes first_snapshot, owned_from, owned_to)
// with the whole series' snapshot_error in /dmd. `window`/`overlap` are the options used.
void write_dmd_sequence(MPI_Comm comm, hid_t file, const Grid& grid, Range rows,
                        const DmdSequence& sequence, const std::vector<double>& snapshot_error,
                        bool with_modes, long window, long overlap,
                        DmdPrecision precision = DmdPrecision::kFull);

// Collective: loads a sequence written by write_dmd_sequence with modes; `where` names the
// file in messages.
DmdSequence read_dmd_sequence(MPI_Comm comm, hid_t file, const Grid& grid, Range rows,
                              const std::string& where);

}  // namespace snapflow
