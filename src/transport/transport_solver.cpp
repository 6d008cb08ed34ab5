#include "snapflow/transport/transport_solver.hpp"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <utility>

#include "arc_sets.hpp"
#include "lane_pricing.hpp"
#include "network_simplex.hpp"
#include "snapflow/core/error.hpp"

namespace snapflow::transport {

namespace {
// Integer costs resolve 2^-20 of the smaller cell side: fine enough that the tie-breaking
// offsets (arc_sets.hpp) take ~1,000 distinct values at the default -cost_tiebreak, so equal
// sums of them, hence ties between optimal flows, are rare.
constexpr double kCostSteps = 1048576.0;
// Default mass resolution: the first state's total is 2^48 units on local stencils. Where the
// states barely change (a quiet hour), a coarser unit leaves the step's net change at a few
// units per cell, so the rounding residue (one unit here and there, different every step) is
// most of the problem and the warm start chases it; at 2^48 consecutive steps stay nearly
// proportional and keep their basis. Only the objective multiplies flows by costs, and it is
// summed in 128 bits. The global problem keeps 2^36 (its problems are small).
constexpr double kLocalMassSteps = 281474976710656.0;  // 2^48
constexpr double kGlobalMassSteps = 68719476736.0;     // 2^36
// Largest total in units: flow and supply sums stay within int64; a chain whose mass grows
// 4,096-fold past its first step (2^48 units) is refused.
constexpr double kMaxUnits = 1152921504606846976.0;  // 2^60
}  // namespace

std::string to_string(Status status) {
  switch (status) {
    case Status::kOptimal:
      return "optimal";
    case Status::kRelaxed:
      return "relaxed";
    case Status::kInfeasible:
      return "infeasible";
  }
  return "?";
}

struct TransportSolver::Impl {
  TransportSpec spec;
  Stencil stencil;
  std::vector<int32_t> cells;  // active grid cells
  double cost_unit = 1.0;      // length per integer cost unit
  double mass_unit = 0.0;      // fixed by the first solve with mass (0: not yet)
  double solve_unit = 1.0;     // the unit of the last solve
  int64_t penalty_units = 0;
  std::vector<double> real_cost;  // per direction (local) for reporting
  LocalArcs local;
  GlobalArcs global;
  std::unique_ptr<NetworkSimplex<LocalArcs>> local_flow;
  std::unique_ptr<NetworkSimplex<GlobalArcs>> global_flow;
  IntegerMasses masses;
  IntegerMasses states_rounded;  // b rounded on its own: only after an unroutable step

  bool is_global() const { return spec.stencil == StencilKind::kGlobal; }
  int slots() const { return is_global() ? global.slots : local.slots; }
  int64_t flow(int32_t c, int d) const {
    return is_global() ? global_flow->flow(c, d) : local_flow->flow(c, d);
  }
  int64_t created(int32_t c) const {
    return is_global() ? global_flow->created(c) : local_flow->created(c);
  }
  int64_t destroyed(int32_t c) const {
    return is_global() ? global_flow->destroyed(c) : local_flow->destroyed(c);
  }
  int64_t arc_cost(int32_t c, int d) const {
    return is_global() ? global.cost(c, d) : local.cost(c, d);
  }
  int32_t target(int32_t c, int d) const {
    return is_global() ? global.target(c, d) : local.target(c, d);
  }
  int stay_slot(int32_t c) const { return is_global() ? global.stay_slot(c) : local.stay_slot(c); }
};

TransportSolver::TransportSolver(const TransportSpec& spec) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.spec = spec;
  const Grid& g = spec.grid;
  SNAPFLOW_VERIFY(g.nx >= 1 && g.ny >= 1, "transport: empty grid " << g.nx << " x " << g.ny);
  SNAPFLOW_VERIFY(g.dx > 0 && g.dy > 0, "transport: cell sizes must be > 0");
  SNAPFLOW_VERIFY(spec.mask.empty() || static_cast<long>(spec.mask.size()) == g.cells(),
                  "transport: mask has " << spec.mask.size() << " cells, grid has " << g.cells());
  SNAPFLOW_VERIFY(spec.cost.kind == CostKind::kEuclid || spec.cost.power > 0,
                  "transport: option -cost_power must be > 0, got " << spec.cost.power);
  SNAPFLOW_VERIFY(
      spec.cost.tiebreak >= 0 && spec.cost.tiebreak <= 0.05,
      "transport: option -cost_tiebreak must be in [0, 0.05], got " << spec.cost.tiebreak);
  std::vector<int32_t> index(static_cast<size_t>(g.cells()), -1);
  for (int32_t k = 0; k < g.cells(); ++k)
    if (spec.mask.empty() || spec.mask[k]) {
      index[k] = static_cast<int32_t>(s.cells.size());
      s.cells.push_back(k);
    }
  const int32_t m = static_cast<int32_t>(s.cells.size());
  const double h = std::min(g.dx, g.dy);
  s.cost_unit = h / kCostSteps;
  auto integer_cost = [&](double c) { return static_cast<int64_t>(std::llround(c / s.cost_unit)); };
  const double penalty = spec.relax_penalty > 0 ? spec.relax_penalty : 5.0 * std::max(g.dx, g.dy);
  s.penalty_units = integer_cost(penalty);
  const bool reservoir = spec.balance == Balance::kRelaxed;
  const auto tie_range = static_cast<uint32_t>(std::llround(spec.cost.tiebreak * kCostSteps));

  if (s.is_global()) {
    SNAPFLOW_VERIFY(static_cast<double>(m) * m <= 4.0e8, "transport: the global problem has "
                                                             << m << " x " << m
                                                             << " arcs; use a local -stencil");
    s.global.slots = m;
    s.global.nx = g.nx;
    s.global.tie_range = tie_range;
    for (int32_t c : s.cells) {
      s.global.column.push_back(c % g.nx);
      s.global.row.push_back(c / g.nx);
    }
    s.global.offset_cost.resize(static_cast<size_t>(g.cells()));
    for (int dj = 0; dj < g.ny; ++dj)
      for (int di = 0; di < g.nx; ++di)
        s.global.offset_cost[static_cast<size_t>(di + dj * g.nx)] =
            integer_cost(spec.cost(di * g.dx, dj * g.dy, h));
    s.global_flow =
        std::make_unique<NetworkSimplex<GlobalArcs>>(s.global, m, reservoir, s.penalty_units);
    return;
  }
  s.stencil = make_stencil(spec.stencil);
  const int K = s.stencil.directions();
  s.local.slots = K;
  s.local.neighbour.assign(static_cast<size_t>(m) * K, -1);
  s.local.tie.assign(static_cast<size_t>(m) * K, 0);
  for (int d = 0; d < K; ++d) {
    s.real_cost.push_back(spec.cost(s.stencil.ox[d] * g.dx, s.stencil.oy[d] * g.dy, h));
    s.local.direction_cost.push_back(integer_cost(s.real_cost.back()));
  }
  for (int32_t c = 0; c < m; ++c) {
    const int i = s.cells[c] % g.nx, j = s.cells[c] / g.nx;
    for (int d = 0; d < K; ++d) {
      const int ti = i + s.stencil.ox[d], tj = j + s.stencil.oy[d];
      if (!s.stencil.used[d] || ti < 0 || tj < 0 || ti >= g.nx || tj >= g.ny) continue;
      s.local.neighbour[static_cast<size_t>(c) * K + d] = index[g.index(tj, ti)];
      if (d != s.local.stay_slot(c))
        s.local.tie[static_cast<size_t>(c) * K + d] =
            static_cast<uint16_t>(tie_break(c, d, tie_range));
    }
  }
  s.local.index_lane_blocks(kLanes);
  s.local_flow =
      std::make_unique<NetworkSimplex<LocalArcs>>(s.local, m, reservoir, s.penalty_units);
}

TransportSolver::~TransportSolver() = default;

TransportResult TransportSolver::solve(const double* a, const double* b, bool warm) {
  Impl& s = *impl_;
  const auto start = std::chrono::steady_clock::now();
  double total = 0.0;
  for (int32_t c : s.cells) total += std::max(a[c], 0.0) + std::max(b[c], 0.0);
  // The unit is fixed by the first solve with any mass and kept, so warm starts stay exact; an
  // all-empty step leaves it open (nothing moves, any unit does).
  const double mass_steps = s.is_global() ? kGlobalMassSteps : kLocalMassSteps;
  if (s.mass_unit <= 0.0) {
    if (s.spec.mass_unit > 0.0)
      s.mass_unit = s.spec.mass_unit;
    else if (total > 0.0)
      s.mass_unit = 0.5 * total / mass_steps;
  }
  const double unit = s.solve_unit = s.mass_unit > 0.0 ? s.mass_unit : 1.0;
  SNAPFLOW_VERIFY(total / unit <= kMaxUnits,
                  "transport: the states hold "
                      << total << " mass, " << total * 0.5 / mass_steps / unit
                      << " times the chain's first step: beyond the exact "
                         "integer range of this solver (start a new chain)");
  const auto solve_masses = [&](bool from_basis) {
    return s.is_global() ? s.global_flow->solve(s.masses.a, s.masses.b, from_basis)
                         : s.local_flow->solve(s.masses.a, s.masses.b, from_basis);
  };
  integer_masses(a, b, s.cells, s.spec.balance, unit, Rounding::kNetChange, s.masses);
  FlowStats stats = solve_masses(warm);
  TransportResult r;
  r.warm = warm;
  if (stats.unroutable > 0 && s.masses.net_change_rounded) {
    // The net-change rounding can put a unit where only cells passing on all they hold could
    // bring it (an exact shift of a state). b rounded on its own differs from it by `apart`
    // units in all, which can make at most that many units routable: only then is a second,
    // cold solve worth it (the failed one split every cell); a step that cannot route real
    // mass keeps its verdict without one.
    integer_masses(a, b, s.cells, s.spec.balance, unit, Rounding::kStates, s.states_rounded);
    int64_t apart = 0;
    for (size_t k = 0; k < s.masses.b.size(); ++k)
      apart += std::llabs(s.states_rounded.b[k] - s.masses.b[k]);
    if (stats.unroutable <= apart) {
      std::swap(s.masses, s.states_rounded);
      const long tried = stats.pivots;
      stats = solve_masses(false);
      stats.pivots += tried;
      r.warm = false;
      r.rounded_states = true;
    }
  }

  const int K = s.slots();
  const double h = std::min(s.spec.grid.dx, s.spec.grid.dy);
  const int32_t m = static_cast<int32_t>(s.cells.size());
  for (int32_t c = 0; c < m; ++c)
    for (int d = 0; d < K; ++d) {
      if (s.target(c, d) < 0 || d == s.stay_slot(c)) continue;
      const int64_t f = s.flow(c, d);
      if (f == 0) continue;
      r.moved += static_cast<double>(f);
      double c_real;
      if (s.is_global()) {
        const Grid& g = s.spec.grid;
        c_real = s.spec.cost((s.global.column[d] - s.global.column[c]) * g.dx,
                             (s.global.row[d] - s.global.row[c]) * g.dy, h);
      } else {
        c_real = s.real_cost[d];
      }
      r.cost += static_cast<double>(f) * c_real;
    }
  r.moved *= s.solve_unit;
  r.cost *= s.solve_unit;
  if (s.spec.balance == Balance::kRelaxed) {
    int64_t created = 0, destroyed = 0;
    for (int32_t c = 0; c < m; ++c) {
      created += s.created(c);
      destroyed += s.destroyed(c);
    }
    r.created = s.solve_unit * static_cast<double>(created);
    r.destroyed = s.solve_unit * static_cast<double>(destroyed);
  }
  r.clipped = s.masses.clipped;
  r.rebalanced = s.masses.rebalanced;
  r.unroutable = s.solve_unit * static_cast<double>(stats.unroutable);
  r.pivots = stats.pivots;
  r.block_moves = stats.block_moves;
  r.tree_updates = stats.moved_nodes;
  r.repairs = stats.repairs;
  r.searched_units = stats.searched_units;
  r.skipped_units = stats.skipped_units;
  r.grain_misses = stats.grain_misses;
  r.split_cells = stats.split_cells;
  if (stats.unroutable > 0)
    r.status = Status::kInfeasible;
  else if (r.created > 0 || r.destroyed > 0)
    r.status = Status::kRelaxed;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

const TransportSpec& TransportSolver::spec() const {
  return impl_->spec;
}
const Stencil& TransportSolver::stencil() const {
  return impl_->stencil;
}
int TransportSolver::directions() const {
  return impl_->slots();
}
const std::vector<int32_t>& TransportSolver::active_cells() const {
  return impl_->cells;
}
double TransportSolver::mass_unit() const {
  return impl_->solve_unit;
}
double TransportSolver::cost_unit() const {
  return impl_->cost_unit;
}

size_t TransportSolver::memory_bytes() const {
  const Impl& s = *impl_;
  size_t bytes =
      4 * (s.cells.capacity() + s.local.neighbour.capacity() + s.global.column.capacity() +
           s.global.row.capacity()) +
      8 * (s.global.offset_cost.capacity() + s.masses.a.capacity() + s.masses.b.capacity() +
           s.masses.scaled_a.capacity() + s.masses.scaled_b.capacity()) +
      16 * s.masses.remainder.capacity() +
      2 * (s.local.tie.capacity() + s.local.tie_by_block.capacity()) +
      s.local.lane_block.capacity();
  bytes += s.is_global() ? s.global_flow->memory_bytes() : s.local_flow->memory_bytes();
  return bytes;
}

std::vector<double> TransportSolver::flows() const {
  std::vector<double> out;
  flows(out);
  return out;
}

void TransportSolver::flows(std::vector<double>& out) const {
  const Impl& s = *impl_;
  const int K = s.slots();
  const int32_t m = static_cast<int32_t>(s.cells.size());
  // Global: [active][active]; local: [grid cell][direction].
  out.assign(
      s.is_global() ? static_cast<size_t>(m) * K : static_cast<size_t>(s.spec.grid.cells()) * K,
      0.0);
  for (int32_t c = 0; c < m; ++c) {
    const size_t row = s.is_global() ? static_cast<size_t>(c) : static_cast<size_t>(s.cells[c]);
    for (int d = 0; d < K; ++d)
      if (s.target(c, d) >= 0) out[row * K + d] = s.solve_unit * static_cast<double>(s.flow(c, d));
  }
}

ObjectiveUnits TransportSolver::objective_units() const {
  const Impl& s = *impl_;
  const int K = s.slots();
  __int128 total = 0;
  const int32_t m = static_cast<int32_t>(s.cells.size());
  for (int32_t c = 0; c < m; ++c) {
    for (int d = 0; d < K; ++d)
      if (s.target(c, d) >= 0) total += static_cast<__int128>(s.flow(c, d)) * s.arc_cost(c, d);
    total += static_cast<__int128>(s.created(c) + s.destroyed(c)) * s.penalty_units;
  }
  return total;
}

IntegerProblem TransportSolver::integer_problem() const {
  const Impl& s = *impl_;
  IntegerProblem p;
  p.cells = static_cast<int32_t>(s.cells.size());
  p.a = s.masses.a;
  p.b = s.masses.b;
  p.reservoir = s.spec.balance == Balance::kRelaxed;
  p.penalty = s.penalty_units;
  const int K = s.slots();
  for (int32_t c = 0; c < p.cells; ++c)
    for (int d = 0; d < K; ++d) {
      const int32_t j = s.target(c, d);
      if (j >= 0) p.arcs.push_back({c, j, s.arc_cost(c, d)});
    }
  return p;
}

OptimalFace TransportSolver::optimal_face() const {
  const Impl& s = *impl_;
  SNAPFLOW_VERIFY(!s.is_global(), "transport: the optimal face is kept for local stencils only");
  OptimalFace face;
  const int32_t m = static_cast<int32_t>(s.cells.size());
  const int K = s.slots();
  face.apart.assign(static_cast<size_t>(m), 0);
  face.a.resize(static_cast<size_t>(m));
  face.b.resize(static_cast<size_t>(m));
  for (int32_t c = 0; c < m; ++c) {
    // The relaxed policy's creation and destruction kept as this solve has them: the moves then
    // balance what is left.
    face.a[c] = s.solve_unit * static_cast<double>(s.masses.a[c] - s.destroyed(c));
    face.b[c] = s.solve_unit * static_cast<double>(s.masses.b[c] - s.created(c));
    const int stay = s.stay_slot(c);
    face.apart[c] = s.local_flow->split(c) && !s.local_flow->prices_at_zero(c, stay);
    for (int d = 0; d < K; ++d)
      if (d != stay && s.target(c, d) >= 0 && s.local_flow->prices_at_zero(c, d))
        face.moves.push_back({c, s.target(c, d), d});
  }
  return face;
}

}  // namespace snapflow::transport
