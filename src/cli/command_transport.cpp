#include <mpi.h>

#include <cstdio>
#include <limits>

#include "snapflow/cli/commands.hpp"
#include "snapflow/cli/option_groups.hpp"
#include "snapflow/cli/options.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/core/output_file.hpp"
#include "snapflow/io/snapshot_reader.hpp"
#include "snapflow/io/transport_output.hpp"
#include "snapflow/transport/transport_solver.hpp"

namespace snapflow {

namespace {

const OptionGroup kTransportProblem = {
    "Problem",
    {{"i", "FILE", "input snapshots (DESIGN.md section 2.1)"},
     {"from", "K", "the snapshot mass leaves"},
     {"to", "L", "the snapshot mass arrives at"},
     {"o", "FILE",
      "also write the flows (HDF5: /transport/flow [ny, nx, D], /transport/offsets)"}}};

const OptionGroup kTransportMissing = {
    "Missing values (NaN, _FillValue, missing_value)",
    {{"missing", "refuse|zero",
      "refuse snapshots with missing values (default), or read them as 0"}}};

OptionGroups transport_options(const std::string&) {
  return {&kTransportProblem, &kTransportOptions, &kTransportMissing};
}

int run_transport(const CommandLine&) {
  using namespace transport;
  const auto input = option_string("i");
  if (!input) throw UsageError("give the input file with -i FILE");
  if (!option_string("from") || !option_string("to"))
    throw UsageError("give the two snapshots with -from K -to L");
  const bool missing_as_zero = option_choice("missing", "refuse", {"refuse", "zero"}) == "zero";
  MPI_Comm comm = MPI_COMM_WORLD;
  const bool root = comm_rank(comm) == 0;
  const auto output = option_string("o");
  if (output)
    collectively(comm, [&] {
      if (root && check_output_path(*output, {*input}))
        std::printf("transport: note: %s exists and will be replaced\n", quoted(*output).c_str());
    });
  SnapshotReader reader(comm, *input);
  const long last = reader.meta().snapshots() - 1;
  const long from = option_long("from", 0, 0, last);
  const long to = option_long("to", 0, 0, last);

  TransportSpec spec;
  spec.grid = reader.grid();
  spec.stencil = parse_stencil(option_string("stencil", "8"));
  spec.cost.kind = parse_cost(option_string("cost", "euclid"));
  spec.cost.power = option_double("cost_power", 1.05, 1e-6, 16.0);
  spec.cost.tiebreak = option_double("cost_tiebreak", 1e-3, 0.0, 0.05);
  spec.balance = parse_balance(option_string("balance", "scale"));
  spec.relax_penalty = option_double("relax_penalty", 0.0, 0.0, std::numeric_limits<double>::max());
  const std::vector<double> a = reader.read_whole_snapshot(from, root, missing_as_zero);
  const std::vector<double> b = reader.read_whole_snapshot(to, root, missing_as_zero);
  spec.mask = reader.read_whole_mask(root);
  if (!root) return 0;

  TransportSolver solver(spec);
  const TransportResult r = solver.solve(a.data(), b.data(), false);
  std::printf(
      "{\"status\": \"%s\", \"cost\": %s, \"moved\": %s, \"seconds\": %s, \"created\": %s, "
      "\"destroyed\": %s, \"clipped\": %s, \"unroutable\": %s, \"from\": %ld, \"to\": %ld, "
      "\"stencil\": \"%s\", \"cells\": %zu}\n",
      to_string(r.status).c_str(), exact_text(r.cost).c_str(), exact_text(r.moved).c_str(),
      exact_text(r.seconds).c_str(), exact_text(r.created).c_str(), exact_text(r.destroyed).c_str(),
      exact_text(r.clipped).c_str(), exact_text(r.unroutable).c_str(), from, to,
      to_string(spec.stencil).c_str(), solver.active_cells().size());
  std::fflush(stdout);
  if (r.clipped > 0)
    std::fprintf(stderr, "snapflow transport: note: %g mass of negative values was clipped\n",
                 r.clipped);
  if (r.status == Status::kInfeasible)
    std::fprintf(stderr,
                 "snapflow transport: warning: the local problem %ld -> %ld is infeasible: %g mass "
                 "cannot reach its destination within the %s-stencil; use a wider -stencil, "
                 "snapshots closer in time, or -balance relaxed\n",
                 from, to, r.unroutable, to_string(spec.stencil).c_str());
  if (output) write_transport_output(*output, solver, r, from, to);
  return 0;
}

}  // namespace

const CommandSpec kTransportCommand = {
    "transport",
    "transport -i IN -from K -to L   one transport LP between two snapshots (JSON line)",
    "snapflow transport -i IN -from K -to L [options]: solve the transport LP between\n"
    "snapshots K and L of IN and print one JSON line\n"
    "  {\"status\": ..., \"cost\": ... (mass x length), \"moved\": ... (mass), \"seconds\": ...}\n",
    transport_options,
    "The problem is solved whole by one rank (an exact integer network simplex).\n",
    run_transport};

}  // namespace snapflow
