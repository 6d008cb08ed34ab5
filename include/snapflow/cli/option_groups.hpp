// Option groups shared by several commands (DMD by dmd and run, transport by transport and
// run, the handling of missing input values by every command that reads densities).
#pragma once

#include "snapflow/cli/option_table.hpp"
#include "snapflow/dmd/dmd_model.hpp"
#include "snapflow/dmd/dmd_windows.hpp"

namespace snapflow {

extern const OptionGroup kDmdOptions;        // -dmd_rank, -dmd_energy, windows, SLEPc's -svd_*
extern const OptionGroup kTransportOptions;  // -stencil, -cost, -balance, ...
extern const OptionGroup kMissingOptions;    // -missing

// The DMD group's values from the options database (checked; throws naming the option).
DmdOptions dmd_options_from_database();
// -dmd_window W|auto|0 and -dmd_overlap O for a series of `snapshots` (auto by default; the
// overlap defaults to 3, or less in short windows, when there are windows).
DmdWindowing dmd_windowing_from_database(long snapshots);

}  // namespace snapflow
