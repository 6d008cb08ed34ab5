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
// -dmd_window and -dmd_overlap as given (resolve_windowing applies them to a series).
DmdWindowRequest dmd_window_request_from_database();

}  // namespace snapflow
