#include "snapflow/cli/option_groups.hpp"

namespace snapflow {

const OptionGroup kDmdOptions = {
    "DMD",
    {{"dmd_rank", "N|svht", "fixed rank, or the Gavish-Donoho optimal hard threshold"},
     {"dmd_energy", "e",
      "smallest rank keeping the fraction e of sum sigma^2 (default 0.9999\n"
      "when neither -dmd_rank nor -dmd_energy is given)"},
     {"dmd_window", "W", "fit windows of W snapshots (long series; default: one window)"},
     {"dmd_overlap", "O",
      "snapshots shared by consecutive windows (0); each time belongs to one window"}},
    {"svd_", "bv_", "ds_", "eps_", "st_", "rg_", "fn_", "mat_", "vec_", "ksp_", "pc_"}};

const OptionGroup kTransportOptions = {
    "Transport",
    {{"stencil", "4|8|24|global", "where mass may go in one step (8)"},
     {"cost", "euclid|power", "cost of a move (euclid): |p_i - p_j|, or h (|p_i - p_j| / h)^q"},
     {"cost_power", "q", "exponent of the power cost (1.05)"},
     {"cost_tiebreak", "f",
      "moves cost up to f x min(dx, dy) more, fixed per arc: makes the optimal\n"
      "flow unique; the cost found is within (1 + f) of the optimum (0.001;\n"
      "0: exact costs, many optimal flows)"},
     {"balance", "scale|uniform|relaxed", "how unequal totals are balanced (scale)"},
     {"relax_penalty", "P",
      "per unit of mass created or destroyed by the relaxed policy\n"
      "(default 5 max(dx, dy))"}}};

const OptionGroup kMissingOptions = {
    "Missing values (NaN, _FillValue, missing_value)",
    {{"missing", "refuse|zero|interpolate",
      "cells missing at every time are read as empty; other missing values are\n"
      "refused (default), read as 0, or interpolated linearly in time"}}};

}  // namespace snapflow
