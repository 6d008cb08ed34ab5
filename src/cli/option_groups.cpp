#include "snapflow/cli/option_groups.hpp"

#include <limits>

#include "snapflow/cli/options.hpp"

namespace snapflow {

const OptionGroup kDmdOptions = {
    "DMD",
    {{"dmd_rank", "N|svht", "fixed rank, or the Gavish-Donoho optimal hard threshold"},
     {"dmd_energy", "e",
      "smallest rank keeping the fraction e of sum sigma^2; when neither\n"
      "-dmd_rank nor -dmd_energy is given: run uses svht, dmd and evaluate 0.9999"},
     {"dmd_amplitudes", "all|first",
      "fit the amplitudes to every snapshot of a window (all), or to its first\n"
      "snapshot alone, as the seed paper does (first)"},
     {"dmd_window", "W|auto",
      "fit windows of W snapshots; 0: one window; auto (default): 8 when\n"
      "there are at least 16 snapshots, else one window"},
     {"dmd_overlap", "O",
      "snapshots shared by consecutive windows (3 when there are windows); the\n"
      "states blend smoothly from one window to the next across the shared span"}},
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

DmdOptions dmd_options_from_database() {
  DmdOptions options;
  options.rank_option = option_string("dmd_rank", "");
  options.energy = option_double("dmd_energy", 0.0, std::numeric_limits<double>::min(), 1.0);
  options.amplitudes_from_all = option_choice("dmd_amplitudes", "all", {"all", "first"}) == "all";
  return options;
}

DmdWindowRequest dmd_window_request_from_database() {
  DmdWindowRequest request;
  request.window = option_string("dmd_window", "auto");
  request.overlap = option_long("dmd_overlap", -1, 0, 1L << 40);
  return request;
}

}  // namespace snapflow
