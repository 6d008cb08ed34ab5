#include <mpi.h>

#include <cstdio>
#include <limits>

#include "snapflow/cli/commands.hpp"
#include "snapflow/cli/options.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/io/snapshot_reader.hpp"
#include "snapflow/io/transport_output.hpp"
#include "snapflow/transport/transport_solver.hpp"

namespace snapflow {

const char kTransportHelp[] =
    "snapflow transport -i IN -from K -to L [options]: solve the transport LP between\n"
    "snapshots K and L of IN and print one JSON line\n"
    "  {\"status\": ..., \"cost\": ... (mass x length), \"moved\": ... (mass), \"seconds\": ...}\n"
    "  -stencil 4|8|24|global (8)  where mass may go in one step\n"
    "  -cost euclid|power (euclid)  -cost_power q (1.05): power cost h (|p_i - p_j| / h)^q\n"
    "  -cost_tiebreak f (0.001)  moves cost up to f x min(dx, dy) more, fixed per arc: makes\n"
    "     the optimal flow unique; the cost found is within (1 + f) of the optimum\n"
    "  -balance scale|uniform|relaxed (scale)  -relax_penalty P (5 max(dx, dy)): per unit\n"
    "     of mass created or destroyed by the relaxed policy\n"
    "  -o FILE  also write the flows (HDF5: /transport/flow [ny, nx, D], /transport/offsets)\n"
    "The problem is solved whole by one rank (an exact integer network simplex).\n";

namespace {
std::string json_number(double value) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.17g", value);
  return text;
}
}  // namespace

int run_transport(const CommandLine&) {
  using namespace transport;
  const auto input = option_string("i");
  SNAPFLOW_VERIFY(input.has_value(), "transport: give the input file with -i FILE");
  SNAPFLOW_VERIFY(option_string("from") && option_string("to"),
                  "transport: give the two snapshots with -from K -to L");
  MPI_Comm comm = MPI_COMM_WORLD;
  const bool root = comm_rank(comm) == 0;
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
  const auto output = option_string("o");
  const std::vector<double> a = reader.read_whole_snapshot(from, root);
  const std::vector<double> b = reader.read_whole_snapshot(to, root);
  spec.mask = reader.read_whole_mask(root);
  if (!root) return 0;

  TransportSolver solver(spec);
  const TransportResult r = solver.solve(a.data(), b.data(), false);
  std::printf(
      "{\"status\": \"%s\", \"cost\": %s, \"moved\": %s, \"seconds\": %s, \"created\": %s, "
      "\"destroyed\": %s, \"clipped\": %s, \"unroutable\": %s, \"from\": %ld, \"to\": %ld, "
      "\"stencil\": \"%s\", \"cells\": %zu}\n",
      to_string(r.status).c_str(), json_number(r.cost).c_str(), json_number(r.moved).c_str(),
      json_number(r.seconds).c_str(), json_number(r.created).c_str(),
      json_number(r.destroyed).c_str(), json_number(r.clipped).c_str(),
      json_number(r.unroutable).c_str(), from, to, to_string(spec.stencil).c_str(),
      solver.active_cells().size());
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

}  // namespace snapflow
