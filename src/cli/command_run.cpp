// `snapflow run`: the options of the whole pipeline, read into a RunConfig before any work
// (so a typo fails at once), and the pipeline itself (pipeline/run.hpp).
#include <mpi.h>
#include <omp.h>

#include <cstdlib>
#include <limits>

#include "snapflow/cli/commands.hpp"
#include "snapflow/cli/option_groups.hpp"
#include "snapflow/cli/options.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/pipeline/run.hpp"

namespace snapflow {

namespace {

const OptionGroup kRunFiles = {
    "Files",
    {{"i", "FILE", "input snapshots (DESIGN.md section 2.1)"},
     {"o", "FILE", "output flows (DESIGN.md section 2.2), with an XDMF sidecar"},
     {"summary", "FILE",
      "JSON summary: stage timings, LPs by status, mass created and destroyed,\n"
      "velocity error against /truth/velocity"},
     {"snapshots", "FIRST:LAST",
      "use only snapshots FIRST..LAST of the input (numbered from 0, LAST\n"
      "included), e.g. one day of a month-long file (jobs/month.sbatch)"}}};

const OptionGroup kFineStepOptions = {
    "Fine steps",
    {{"fine_dt", "S", "fine step in seconds; or"},
     {"vmax", "V",
      "largest speed (length/s): dt_f = min(dx, dy) / V, the CFL-like rule of the\n"
      "local problem (default: the input's attribute vmax)"},
     {"frame_steps", "N", "fine steps per output frame (default: one snapshot interval)"},
     {"chain_steps", "N",
      "steps one worker solves as one warm-started chain, rounded up to whole\n"
      "frames (default: one snapshot interval); the last chains taper to 1/2,\n"
      "1/4, ... of that, down to one frame, so the workers finish together.\n"
      "Chains always start at the same steps, so the output does not depend on\n"
      "the ranks or threads. Each chain starts cold (5-20x a warm step): on few\n"
      "workers use long chains, keeping >= 4 chains per worker thread"},
     {"od_window", "S",
      "with zones: chains of S seconds (3600) unless -chain_steps is given; each\n"
      "chain is a trip window of /od/trips (mass from zone a at its start in zone\n"
      "b at its end, followed through its fine-step plans)"},
     {"od_trips", "transit|markov",
      "whose mass a plan moves: the latest arrivals first (transit, default), or\n"
      "every unit alike (markov: travellers mix with the residents they pass)"}}};

const OptionGroup kRunTransportOptions = {
    "Infeasible steps and DMD states",
    {{"infeasible", "relax|abort",
      "what to do with a step the balance policy cannot route: solve it relaxed\n"
      "(status 1, counted; the default) or stop the run"},
     {"state_floor", "f",
      "set DMD state values below f x the state's largest to zero: removes the\n"
      "ringing that makes local problems infeasible (0; e.g. 0.01)"},
     {"dmd_blend", "F",
      "share of the snapshots two DMD windows share over which the states move\n"
      "from one window's to the next, centred on the middle shared snapshot (1: all\n"
      "of it; less: fewer steps mix the two windows' different residuals, which the\n"
      "transport pays for; the states at three shared snapshots do not change) (1)"},
     {"state_support", "snapshots|none",
      "snapshots: between two snapshots, set the DMD state to 0 in the cells where\n"
      "neither snapshot holds data above the fit's error there (x_k <= |x_dmd(t_k) - x_k|):\n"
      "the fit's ringing outside the data; cells with data are kept (default); none:\n"
      "the states as fitted"},
     {"flow_choice", "vertex|min_energy",
      "which optimal flow each step keeps: the simplex's vertex (tie-broken by\n"
      "-cost_tiebreak), or the least-energy one (least sum f^2 / a over the optimal\n"
      "flows of the exact costs: mass split between stencil directions as the motion\n"
      "is; slower; no -cost_tiebreak) (vertex)"}}};

const OptionGroup kRunControl = {
    "Run",
    {{"threads", "N",
      "worker threads per rank (default: OMP_NUM_THREADS); the main thread deals\n"
      "chains and writes, mostly asleep"},
     {"resume", "", "continue the interrupted run in OUT.partial"},
     {"progress_seconds", "S", "seconds between progress lines (10)"},
     {"test_signal_after_writes", "N", "(testing) every rank sends itself SIGTERM after write N"},
     {"test_kill_after_writes", "N", "(testing) every rank kills itself (SIGKILL) after write N"},
     {"test_write_delay", "S", "(testing) every write round then waits S seconds"},
     {"test_fail_on_rank", "R",
      "(testing) rank R alone raises an error once the DMD is fitted, leaving the\n"
      "others waiting (the error watchdog must end the job)"}}};

OptionGroups run_options(const std::string&) {
  return {&kRunFiles,   &kFineStepOptions, &kTransportOptions, &kRunTransportOptions,
          &kDmdOptions, &kMissingOptions,  &kRunControl};
}

RunConfig read_run_config(MPI_Comm comm) {
  using namespace transport;
  RunConfig config;
  const auto input = option_string("i");
  const auto output = option_string("o");
  if (!input || !output)
    throw UsageError("give the input with -i FILE and the output with -o FILE");
  config.input = *input;
  config.output = *output;
  config.summary = option_string("summary", "");
  if (const auto range = option_string("snapshots")) {
    const auto colon = range->find(':');
    char* end = nullptr;
    const char* text = range->c_str();
    config.first_snapshot = std::strtol(text, &end, 10);
    const bool first_ok = colon != std::string::npos && end == text + colon && colon > 0;
    config.last_snapshot = first_ok ? std::strtol(text + colon + 1, &end, 10) : -1;
    if (!first_ok || *end != '\0' || end == text + colon + 1 || config.first_snapshot < 0 ||
        config.last_snapshot <= config.first_snapshot)
      throw UsageError("-snapshots " + *range +
                       ": give FIRST:LAST, two snapshot numbers with FIRST < LAST (e.g. 0:96)");
  }
  config.schedule.fine_dt = option_double("fine_dt", 0.0, 0.0, 1e12);
  config.schedule.vmax = option_double("vmax", 0.0, 0.0, 1e12);
  config.schedule.frame_steps = option_long("frame_steps", 0, 1, 1L << 40);
  config.schedule.chain_steps = option_long("chain_steps", 0, 1, 1L << 40);
  config.od_window = option_double("od_window", 3600.0, 1e-9, 1e12);
  config.chain.trip_rule = parse_trip_rule(option_string("od_trips", "transit"));
  TransportSpec& spec = config.chain.spec;
  spec.stencil = parse_stencil(option_string("stencil", "8"));
  SNAPFLOW_VERIFY(spec.stencil == StencilKind::kFour || spec.stencil == StencilKind::kEight,
                  "run: -stencil " << to_string(spec.stencil)
                                   << " does not fit the 9-direction frame output; use 4 or 8 "
                                      "(snapflow transport solves single 24/global problems)");
  spec.cost.kind = parse_cost(option_string("cost", "euclid"));
  spec.cost.power = option_double("cost_power", 1.05, 1e-6, 16.0);
  spec.cost.tiebreak = option_double("cost_tiebreak", 1e-3, 0.0, 0.05);
  config.chain.flow_choice =
      option_choice("flow_choice", "vertex", {"vertex", "min_energy"}) == "min_energy"
          ? transport::FlowChoice::kMinEnergy
          : transport::FlowChoice::kVertex;
  if (config.chain.flow_choice == transport::FlowChoice::kMinEnergy) {
    // The least-energy flow is chosen on the optimal face of the exact costs.
    if (option_string("cost_tiebreak") && spec.cost.tiebreak > 0)
      throw UsageError(
          "-cost_tiebreak picks one vertex among the optimal flows; -flow_choice min_energy "
          "chooses among all of them: give one or the other");
    spec.cost.tiebreak = 0.0;
  }
  spec.balance = parse_balance(option_string("balance", "scale"));
  spec.relax_penalty = option_double("relax_penalty", 0.0, 0.0, std::numeric_limits<double>::max());
  config.chain.relax_infeasible =
      option_choice("infeasible", "relax", {"relax", "abort"}) == "relax";
  config.dmd = dmd_options_from_database();
  config.dmd_windows = dmd_window_request_from_database();
  config.state_floor = option_double("state_floor", 0.0, 0.0, 1.0);
  config.dmd_blend = option_double("dmd_blend", 1.0, 1e-6, 1.0);
  config.state_support =
      option_choice("state_support", "snapshots", {"snapshots", "none"}) == "snapshots";
  config.missing = parse_missing_policy(option_string("missing", "refuse"));
  config.resume = option_flag("resume");
  config.progress_seconds = option_double("progress_seconds", 10.0, 0.0, 1e9);
  config.test.signal_after_writes = option_long("test_signal_after_writes", -1, 0, 1L << 40);
  config.test.kill_after_writes = option_long("test_kill_after_writes", -1, 0, 1L << 40);
  config.test.write_delay_seconds = option_double("test_write_delay", 0.0, 0.0, 3600.0);
  config.test.fail_on_rank = option_long("test_fail_on_rank", -1, 0, 1L << 20);
  config.threads = static_cast<int>(option_long("threads", omp_get_max_threads(), 1, 4096));
  MPI_Bcast(&config.threads, 1, MPI_INT, 0, comm);
  return config;
}

int run_run(const CommandLine&) {
  MPI_Comm comm = MPI_COMM_WORLD;
  return run_pipeline(comm, read_run_config(comm));
}

}  // namespace

const CommandSpec kRunCommand = {
    "run",
    "run -i IN -o OUT     the whole pipeline: DMD, fine-step transport, frames (HDF5 + XDMF)",
    "snapflow run -i IN -o OUT [options]: snapshots -> DMD -> fine-step transport LPs -> flows\n",
    run_options,
    "OUT is written as OUT.partial (attribute complete = 0) and renamed when complete, with an\n"
    "XDMF sidecar for ParaView. SIGTERM or SIGUSR1 finish the frames in flight and stop; a\n"
    "second signal abandons them. -log_view shows the stages Read, DMD, States, Transport,\n"
    "Write and Evaluate.\n",
    run_run};

}  // namespace snapflow
