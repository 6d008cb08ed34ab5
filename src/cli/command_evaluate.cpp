#include <mpi.h>

#include <cstdio>

#include "snapflow/cli/commands.hpp"
#include "snapflow/cli/option_groups.hpp"
#include "snapflow/cli/options.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/parallel/mpi_context.hpp"
#include "snapflow/pipeline/evaluate.hpp"

namespace snapflow {

namespace {

const OptionGroup kEvaluateGeneral = {
    "Held-out snapshots",
    {{"i", "IN", "input snapshots (DESIGN.md section 2.1)"},
     {"o", "EVAL", "the evaluation: /evaluate/time, predicted, w1, l2 (DESIGN.md section 2.5)"},
     {"holdout", "LIST|every_other|last:K",
      "snapshot indices to hold out (e.g. 1,3,5,7), every other one (the odd\n"
      "indices but the last), or the last K (a forecast)"},
     {"method", "dmd|mccann|second_order|affine_flow",
      "dmd: the DMD state fitted to the other snapshots; mccann: displacement\n"
      "interpolation along the exact plan between the training snapshots around\n"
      "the held-out time (extrapolated beyond the last); second_order: along the\n"
      "curve (Catmull-Rom, or a parabola at the ends) through where the plans of\n"
      "the neighbouring intervals say the mass came from and goes to; affine_flow:\n"
      "the nearest earlier training snapshot carried by the affine flow (x -> A x + b\n"
      "per step: rotations, spirals, shears) fitted to all the exact plans, intervals\n"
      "near the held-out time weighted most over a time scale chosen by forecasting\n"
      "the last training snapshot"}}};

OptionGroups evaluate_options(const std::string&) {
  return {&kEvaluateGeneral, &kDmdOptions};
}

int run_evaluate_command(const CommandLine&) {
  EvaluateOptions o;
  const auto input = option_string("i");
  const auto output = option_string("o");
  if (!input || !output) throw UsageError("give the input with -i IN and the output with -o EVAL");
  o.input = *input;
  o.output = *output;
  const auto holdout = option_string("holdout");
  if (!holdout)
    throw UsageError("give the snapshots to hold out with -holdout LIST|every_other|last:K");
  o.holdout = *holdout;
  o.method = option_choice("method", "mccann", {"dmd", "mccann", "second_order", "affine_flow"});
  o.dmd = dmd_options_from_database();
  o.dmd_windows = dmd_window_request_from_database();
  collectively(MPI_COMM_WORLD, [&] {
    if (comm_rank(MPI_COMM_WORLD) == 0) check_output_path(o.output, {o.input});
  });
  const std::vector<EvaluateScore> scores = run_evaluate(MPI_COMM_WORLD, o);
  if (comm_rank(MPI_COMM_WORLD) == 0) {
    double w1 = 0, l2 = 0;
    for (const EvaluateScore& s : scores) {
      std::printf("evaluate: snapshot %ld (t = %.6g s): W1 %.6g, relative L2 %.4f (%.2f s)\n",
                  s.snapshot, s.time, s.w1, s.l2, s.seconds);
      w1 += s.w1 / scores.size();
      l2 += s.l2 / scores.size();
    }
    std::printf(
        "evaluate: -method %s on %zu held-out snapshot(s): mean W1 %.6g, mean relative "
        "L2 %.4f; wrote %s\n",
        o.method.c_str(), scores.size(), w1, l2, o.output.c_str());
  }
  return 0;
}

}  // namespace

const CommandSpec kEvaluateCommand = {
    "evaluate",
    "evaluate -i IN -holdout H -method M -o EVAL   score predictions of held-out snapshots",
    "snapflow evaluate -i IN -holdout LIST|every_other|last:K\n"
    "-method dmd|mccann|second_order|affine_flow -o EVAL:\n"
    "fit on the snapshots not held out, predict the held-out ones on the grid (with the mass\n"
    "of each held-out snapshot) and score them by the exact Wasserstein-1 distance (the global\n"
    "transport LP, euclidean cost, divided by the mass) and the relative L2 error.\n",
    evaluate_options,
    "Held-out snapshots are shared over the ranks; each global LP is solved by one rank.\n",
    run_evaluate_command};

}  // namespace snapflow
