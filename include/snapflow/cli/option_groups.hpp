// Option groups shared by several commands (DMD by dmd and run, transport by transport and
// run, the handling of missing input values by every command that reads densities).
#pragma once

#include "snapflow/cli/option_table.hpp"

namespace snapflow {

extern const OptionGroup kDmdOptions;        // -dmd_rank, -dmd_energy, windows, SLEPc's -svd_*
extern const OptionGroup kTransportOptions;  // -stencil, -cost, -balance, ...
extern const OptionGroup kMissingOptions;    // -missing

}  // namespace snapflow
