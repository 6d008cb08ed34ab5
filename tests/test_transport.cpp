// The transport kernel against LEMON's NetworkSimplex on random instances, marginals,
// infeasibility, and warm = cold along chains.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "lane_pricing.hpp"
#include "lemon_oracle.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/core/random.hpp"
#include "snapflow/transport/min_energy_flow.hpp"
#include "snapflow/transport/transport_solver.hpp"

namespace snapflow::transport {
namespace {

struct Instance {
  TransportSpec spec;
  std::vector<double> a, b;
};

// Integer flows back from the solver's mass units (exact: flows are unit multiples).
std::vector<int64_t> integer_flows(const TransportSolver& solver) {
  const auto flows = solver.flows();
  std::vector<int64_t> units(flows.size());
  for (size_t k = 0; k < flows.size(); ++k) units[k] = std::llround(flows[k] / solver.mass_unit());
  return units;
}

// Both marginals hold exactly for the integer problem (created/destroyed aside).
void expect_marginals(const TransportSolver& solver) {
  const IntegerProblem p = solver.integer_problem();
  const auto flows = integer_flows(solver);
  const int K = solver.directions();
  const bool global = solver.spec().stencil == StencilKind::kGlobal;
  std::vector<int64_t> out(p.cells, 0), in(p.cells, 0);
  size_t arc = 0;
  for (int32_t c = 0; c < p.cells; ++c)
    for (int d = 0; d < K; ++d) {
      const size_t slot = global ? static_cast<size_t>(c) * K + d
                                 : static_cast<size_t>(solver.active_cells()[c]) * K + d;
      const int64_t f = flows[slot];
      ASSERT_GE(f, 0);
      if (f == 0) continue;
      // Find the arc's target among the problem's arcs of cell c.
      while (arc < p.arcs.size() && p.arcs[arc].from < c) ++arc;
      int32_t target = -1;
      for (size_t k = arc; k < p.arcs.size() && p.arcs[k].from == c; ++k)
        if (global ? p.arcs[k].to == d : true) {
          // Local: the d-th used slot of c; recover it by matching costs/targets below.
          target = global ? d : -1;
          break;
        }
      if (!global) {
        const Stencil& st = solver.stencil();
        const int nx = solver.spec().grid.nx;
        const int32_t cell = solver.active_cells()[c];
        const int32_t to_cell = cell + st.oy[d] * nx + st.ox[d];
        const auto& cells = solver.active_cells();
        target = static_cast<int32_t>(std::lower_bound(cells.begin(), cells.end(), to_cell) -
                                      cells.begin());
        ASSERT_LT(target, p.cells);
        ASSERT_EQ(cells[target], to_cell) << "flow into a masked or missing cell";
      }
      out[c] += f;
      in[target] += f;
    }
  if (p.reservoir) return;  // created/destroyed mass is checked through the objective
  for (int32_t c = 0; c < p.cells; ++c) {
    EXPECT_EQ(out[c], p.a[c]) << "out-marginal of cell " << c;
    EXPECT_EQ(in[c], p.b[c]) << "in-marginal of cell " << c;
  }
}

Instance random_instance(SplitMix64& random, int index) {
  Instance inst;
  TransportSpec& spec = inst.spec;
  // Shapes: 1 x 1, 1 x n, n x 1, and general small grids.
  int nx = 1 + static_cast<int>(random.uniform() * 12),
      ny = 1 + static_cast<int>(random.uniform() * 10);
  if (index % 25 == 0) nx = ny = 1;
  if (index % 25 == 1) ny = 1;
  if (index % 25 == 2) nx = 1;
  spec.grid = Grid{nx, ny, random.uniform(0.5, 2.0), random.uniform(0.5, 2.0), 0, 0};
  const int kind = index % 7;
  spec.stencil = kind < 2   ? StencilKind::kEight
                 : kind < 4 ? StencilKind::kFour
                 : kind < 6 ? StencilKind::kTwentyFour
                            : StencilKind::kGlobal;
  const int cost_kind = (index / 7) % 3;
  spec.cost = cost_kind == 0   ? CostModel{CostKind::kEuclid, 1.0}
              : cost_kind == 1 ? CostModel{CostKind::kPower, 1.05}
                               : CostModel{CostKind::kPower, 2.0};
  if (index % 2 == 0) spec.cost.tiebreak = 0.0;  // exact costs as well as tie-broken ones
  const int balance = (index / 21) % 4;
  spec.balance = balance == 3   ? Balance::kRelaxed
                 : balance == 2 ? Balance::kUniform
                                : Balance::kScale;
  const long n = spec.grid.cells();
  if (index % 3 == 0) {
    spec.mask.resize(n);
    for (auto& m : spec.mask) m = random.uniform() < 0.8;
  }
  inst.a.assign(n, 0.0);
  inst.b.assign(n, 0.0);
  const bool sparse = random.uniform() < 0.4;
  for (long k = 0; k < n; ++k) {
    const bool in = spec.mask.empty() || spec.mask[k];
    inst.a[k] = (sparse && random.uniform() < 0.5) ? 0.0 : random.uniform(0.0, 10.0);
    if (!in) inst.a[k] = random.uniform(0.0, 5.0);  // ignored: masked
  }
  const int mode = (index / 84) % 3;
  for (long k = 0; k < n; ++k) {
    if (mode == 0) {
      inst.b[k] = inst.a[k];  // a = b
    } else if (mode == 1) {
      inst.b[k] = std::max(0.0, inst.a[k] + random.uniform(-2.0, 2.0));  // small change
    } else {
      inst.b[k] = (sparse && random.uniform() < 0.5) ? 0.0 : random.uniform(0.0, 10.0);
    }
  }
  if (index % 11 == 0) inst.a[static_cast<long>(random.uniform() * n)] = -1.5;  // clipped
  return inst;
}

TEST(TransportVsLemon, RandomInstancesHaveTheOracleObjectiveAndStatus) {
  SplitMix64 random(12345);
  int compared = 0, infeasible = 0, relaxed = 0, split = 0;
  for (int index = 0; index < 600; ++index) {
    Instance inst = random_instance(random, index);
    TransportSolver solver(inst.spec);
    const TransportResult result = solver.solve(inst.a.data(), inst.b.data(), false);
    const test::OracleResult oracle = test::lemon_solve(solver.integer_problem());
    SCOPED_TRACE("instance " + std::to_string(index) + ": " + std::to_string(inst.spec.grid.nx) +
                 " x " + std::to_string(inst.spec.grid.ny) + ", stencil " +
                 to_string(inst.spec.stencil) + ", balance " + to_string(inst.spec.balance));
    ASSERT_EQ(result.status == Status::kInfeasible, !oracle.feasible)
        << "status " << to_string(result.status);
    if (oracle.feasible) {
      ASSERT_EQ(solver.objective_units(), oracle.cost);
      expect_marginals(solver);
    } else {
      EXPECT_GT(result.unroutable, 0.0);
      ++infeasible;
    }
    relaxed += result.status == Status::kRelaxed;
    split += result.split_cells > 0 && oracle.feasible;
    ++compared;
  }

  EXPECT_EQ(compared, 600);
  EXPECT_GT(infeasible, 20) << "the instances must include infeasible local problems";
  EXPECT_GT(relaxed, 5);
  // Both forms are exercised: the net-change form's flow is a transport in most instances,
  // not in all (the 4-stencil sends diagonal moves through a neighbour), where cells are split.
  EXPECT_GT(split, 30);
  EXPECT_LT(split, compared - infeasible - 30);
}

TEST(Transport, TranslationOfABumpMovesEverythingOneCellRight) {
  TransportSpec spec;
  spec.grid = Grid{8, 5, 140.0, 130.0, 0, 0};
  std::vector<double> a(40, 0.0), b(40, 0.0);
  for (int j = 1; j < 4; ++j)
    for (int i = 1; i < 5; ++i) {
      a[j * 8 + i] = 3.0 + i;
      b[j * 8 + i + 1] = 3.0 + i;
    }
  TransportSolver solver(spec);
  const TransportResult r = solver.solve(a.data(), b.data(), false);
  EXPECT_EQ(r.status, Status::kOptimal);
  // Every cell passes on all it holds: only the states rounded alike route every unit.
  EXPECT_TRUE(r.rounded_states);
  const double total = std::accumulate(a.begin(), a.end(), 0.0);
  // Net change only: the cheapest plan moves the mass of the leftmost column to the
  // (new) rightmost one through the chain, i.e. the same cost as shifting every cell.
  EXPECT_NEAR(r.cost, total * 140.0, 1e-9 * total * 140.0);
  EXPECT_GT(r.moved, 0.0);
}

TEST(Transport, InfeasibleWhenMassCannotReachItsDestination) {
  TransportSpec spec;
  spec.grid = Grid{6, 1, 1.0, 1.0, 0, 0};
  std::vector<double> a = {5, 0, 0, 0, 0, 0}, b = {0, 0, 0, 0, 0, 5};
  TransportSolver solver(spec);
  const TransportResult r = solver.solve(a.data(), b.data(), false);
  EXPECT_EQ(r.status, Status::kInfeasible);
  EXPECT_NEAR(r.unroutable, 5.0, 1e-9);
  // Far more than the two roundings of b differ by: no second solve on the states rounded alike.
  EXPECT_FALSE(r.rounded_states);
  spec.balance = Balance::kRelaxed;
  TransportSolver relaxed(spec);
  const TransportResult rr = relaxed.solve(a.data(), b.data(), false);
  EXPECT_EQ(rr.status, Status::kRelaxed);
  EXPECT_NEAR(rr.created, 5.0, 1e-9);
  EXPECT_NEAR(rr.destroyed, 5.0, 1e-9);
}

TEST(Transport, UniformPolicyIsInfeasibleOnCompactSupport) {
  TransportSpec spec;
  spec.grid = Grid{10, 10, 1.0, 1.0, 0, 0};
  spec.balance = Balance::kUniform;
  std::vector<double> a(100, 0.0), b(100, 0.0);
  a[55] = 2.0;
  b[55] = 3.0;  // b is heavier: the excess is spread over a's 100 cells, far from b's mass
  TransportSolver solver(spec);
  EXPECT_EQ(solver.solve(a.data(), b.data(), false).status, Status::kInfeasible);
}

TEST(Transport, AnEmptyFirstStepDoesNotFixTheMassResolution) {
  TransportSpec spec;
  spec.grid = Grid{4, 1, 1.0, 1.0, 0, 0};
  std::vector<double> empty(4, 0.0), a = {1e-3, 2e-3, 0, 0}, b = {0, 1e-3, 2e-3, 0};
  TransportSolver chained(spec), fresh(spec);
  EXPECT_EQ(chained.solve(empty.data(), empty.data(), true).status, Status::kOptimal);
  const TransportResult r = chained.solve(a.data(), b.data(), true);
  const TransportResult f = fresh.solve(a.data(), b.data(), false);
  EXPECT_EQ(chained.mass_unit(), fresh.mass_unit());
  EXPECT_LT(chained.mass_unit(), 1e-12);  // not whole units of mass
  EXPECT_EQ(chained.objective_units(), fresh.objective_units());
  EXPECT_NEAR(r.cost, f.cost, 1e-15);
  EXPECT_NEAR(r.moved, 3e-3, 1e-12);
}

// A quiet step's states differ by less than a unit in most cells. Rounded each on its own they
// would get a +-1 in cells that change from step to step (a fresh problem for the warm start);
// the rounded net change keeps them at 0, and proportional changes stay on the same cells.
TEST(IntegerMasses, ProportionalSubUnitChangesRoundToTheSameCells) {
  const size_t n = 2000, movers = 10;
  SplitMix64 rng(7);
  std::vector<double> x0(n), change(n, 0.0);
  double spread = 0.0;
  for (size_t k = 0; k < n; ++k) {
    x0[k] = rng.uniform(1000.0, 1100.0);
    if (k >= movers) spread += change[k] = rng.uniform(0.0, 0.3);
  }
  for (size_t k = 0; k < movers; ++k) change[k] = -spread / movers;
  x0[n - 1] = 0.4;  // a cell that empties: b must not go below 0
  change[n - 1] = 0.4;
  std::vector<int32_t> cells(n);
  std::iota(cells.begin(), cells.end(), 0);
  auto net_change = [&](double from, double to, Rounding rounding) {
    std::vector<double> a(n), b(n);
    for (size_t k = 0; k < n; ++k) {
      a[k] = x0[k] - from * change[k];
      b[k] = x0[k] - to * change[k];
    }
    IntegerMasses m;
    integer_masses(a.data(), b.data(), cells, Balance::kScale, 1.0, rounding, m);
    std::vector<int64_t> net(n);
    for (size_t k = 0; k < n; ++k) {
      EXPECT_GE(m.b[k], 0) << "cell " << k;
      net[k] = m.a[k] - m.b[k];
    }
    EXPECT_EQ(std::accumulate(net.begin(), net.end(), int64_t{0}), 0);
    return net;
  };
  auto cells_that_differ = [&](Rounding rounding) {
    const std::vector<int64_t> first = net_change(0.0, 1.0, rounding),
                               second = net_change(1.0, 2.02, rounding);
    size_t differ = 0;
    for (size_t k = 0; k < n; ++k) differ += (first[k] != 0) != (second[k] != 0);
    for (size_t k = 0; k < movers; ++k) EXPECT_NEAR(first[k], -spread / movers, 2.0);
    return differ;
  };
  // The residue (~300 units) goes to the largest changes; 2% more of it reaches ~6 more cells.
  EXPECT_LE(cells_that_differ(Rounding::kNetChange), 12u);
  // Each state rounded on its own: a +-1 wherever the fractions cross, in other cells each step.
  EXPECT_GT(cells_that_differ(Rounding::kStates), 200u);
}

TEST(Transport, RefusesMassBeyondTheExactIntegerRangeOfAChain) {
  TransportSpec spec;
  spec.grid = Grid{4, 1, 1.0, 1.0, 0, 0};
  std::vector<double> a = {1, 2, 0, 0}, b = {0, 1, 2, 0};
  TransportSolver solver(spec);
  solver.solve(a.data(), b.data(), true);
  for (double& v : a) v *= 1e12;
  for (double& v : b) v *= 1e12;
  std::string message;
  try {
    solver.solve(a.data(), b.data(), true);
  } catch (const snapflow::Error& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("beyond the exact integer range"), std::string::npos) << message;
}

// ||F - G|| / ||F|| over every cell and direction, stays included.
double relative_flow_difference(const std::vector<double>& f, const std::vector<double>& g) {
  double difference = 0.0, norm = 0.0;
  for (size_t k = 0; k < f.size(); ++k) {
    difference += (f[k] - g[k]) * (f[k] - g[k]);
    norm += f[k] * f[k];
  }
  return std::sqrt(difference / norm);
}

// A smooth bump moving diagonally, and the same states perturbed by 0.1%: the optimal costs
// barely differ, and with tie-breaking the optimal flows barely differ either. Exact grid
// costs have many optimal flows, and nearly equal problems can get ones far apart.
TEST(Transport, TieBreakingMakesTheFlowsContinuousInTheData) {
  const int n = 40;
  std::vector<double> a(n * n), b(n * n), a2(n * n), b2(n * n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      const auto bump = [&](double cx, double cy) {
        return 100.0 * std::exp(-((i - cx) * (i - cx) + (j - cy) * (j - cy)) / 30.0);
      };
      const int c = j * n + i;
      a[c] = bump(15.0, 14.0);
      b[c] = bump(15.4, 14.3);
      a2[c] = a[c] * (1.0 + 1e-3 * std::sin(1.0 * c));
      b2[c] = b[c] * (1.0 + 1e-3 * std::cos(1.0 * c));
    }
  double difference[2], cost[2];
  for (int tie_broken = 0; tie_broken < 2; ++tie_broken) {
    TransportSpec spec;
    spec.grid = Grid{n, n, 1.0, 1.0, 0, 0};
    spec.cost.tiebreak = tie_broken ? 1e-3 : 0.0;
    TransportSolver first(spec), second(spec);
    cost[tie_broken] = first.solve(a.data(), b.data(), false).cost;
    second.solve(a2.data(), b2.data(), false);
    difference[tie_broken] = relative_flow_difference(first.flows(), second.flows());
  }
  EXPECT_LT(difference[1], 0.05) << "tie-broken flows should follow the data";
  EXPECT_GT(difference[0], difference[1]);
  // The tie-broken flows cost at most (1 + tiebreak) times the optimum (integer cost
  // rounding aside).
  EXPECT_LE(cost[1], cost[0] * (1.0 + 1e-3));
  EXPECT_GE(cost[1], cost[0] * (1.0 - 1e-4));
}

// A chain of slowly moving, noisy states on `spec`'s grid: every warm solve reaches the cold
// objective (and LEMON's), with less work, and the warm-start repairs and the skipping of
// clean pricing grains are exercised. With `sparse_change` only the ends of a bar of mass
// sliding a quarter cell per step change (no mask, static noise, dyadic masses: the total is
// exact, so the scale policy changes no other cell), as on the province's DMD states: most tree
// arcs carry no flow, and the block moves of balanced subtrees are exercised too. Adds the
// number of warm steps solved with split cells to `split_steps`.
void check_warm_chain(TransportSpec spec, int steps, int& split_steps, bool sparse_change = false) {
  const int nx = spec.grid.nx, ny = spec.grid.ny;
  spec.mask.assign(static_cast<size_t>(nx) * ny, 1);
  if (!sparse_change)
    for (size_t k = 0; k < spec.mask.size(); k += 17) spec.mask[k] = 0;
  TransportSolver warm(spec), cold(spec);
  SplitMix64 random(99);
  std::vector<double> noise(spec.mask.size());
  for (double& v : noise) v = random.uniform(0.0, 0.05);
  auto state = [&](int step) {
    std::vector<double> x(spec.mask.size());
    if (sparse_change) {
      const double left = 2.0 + 0.25 * step, right = left + 5.0;  // the bar, 3 rows high
      for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
          const double inside = std::max(0.0, std::min(i + 1.0, right) - std::max(1.0 * i, left));
          const double bar = std::abs(j - ny / 2) <= 1 ? 10.0 * inside : 0.0;
          x[j * nx + i] = 1.0 + std::floor(noise[j * nx + i] * 1024.0) / 1024.0 + bar;
        }
      return x;
    }
    const double cx = 0.2 * nx + 0.25 * step, cy = 0.3 * ny + 0.1 * step;
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        const double r2 = (i - cx) * (i - cx) + (j - cy) * (j - cy);
        x[j * nx + i] = 50.0 * std::exp(-r2 / 8.0) + 1.0 + noise[j * nx + i] * std::sin(step + i);
      }
    return x;
  };
  long warm_work = 0, cold_work = 0, repairs = 0, skipped = 0, block_moves = 0;
  std::vector<double> a = state(0);
  for (int step = 1; step <= steps; ++step) {
    const std::vector<double> b = state(step);
    const TransportResult rw = warm.solve(a.data(), b.data(), true);
    const TransportResult rc = cold.solve(a.data(), b.data(), false);
    // Balanced chains are feasible; the relaxed policy may create or destroy mass.
    if (spec.balance == Balance::kRelaxed)
      ASSERT_NE(rw.status, Status::kInfeasible) << "step " << step;
    else
      ASSERT_EQ(rw.status, Status::kOptimal) << "step " << step;
    ASSERT_EQ(warm.objective_units(), cold.objective_units()) << "step " << step;
    const auto oracle = test::lemon_solve(warm.integer_problem());
    ASSERT_EQ(warm.objective_units(), oracle.cost) << "step " << step;
    expect_marginals(warm);
    repairs += rw.repairs;
    skipped += rw.skipped_units;
    block_moves += rw.block_moves;
    ASSERT_EQ(rw.grain_misses, 0) << "step " << step << ": the search skipped a negative arc";
    split_steps += rw.split_cells > 0;
    // Work: tree updates; pivots on the sparse chain, whose cold solves start next to the
    // optimum (a tiny net change) and re-hang about as many nodes as the warm ones.
    if (step > 1) {
      warm_work += sparse_change ? rw.pivots : rw.tree_updates;
      cold_work += sparse_change ? rc.pivots : rc.tree_updates;
    }
    a = b;
  }
  EXPECT_LT(warm_work, cold_work) << "warm starts should save work";
  EXPECT_GT(repairs, 0) << "the chain should exercise the warm-start repairs";
  if (sparse_change) {
    EXPECT_GT(block_moves, 0) << "the chain should exercise the block moves of balanced subtrees";
  }
  // Local stencils: the search skips grains that cannot price negative (global: never).
  if (spec.stencil == StencilKind::kGlobal)
    EXPECT_EQ(skipped, 0);
  else
    EXPECT_GT(skipped, 0) << "the search should skip clean grains";
}

TEST(Transport, WarmStartedChainReachesTheColdObjectiveAtEveryStep) {
  int split_steps = 0;
  for (StencilKind kind : {StencilKind::kEight, StencilKind::kFour, StencilKind::kTwentyFour}) {
    SCOPED_TRACE(to_string(kind));
    TransportSpec spec;
    spec.grid = Grid{24, 18, 140.0, 130.0, 0, 0};
    spec.stencil = kind;
    check_warm_chain(spec, 50, split_steps);
    SCOPED_TRACE("sparse net change");
    check_warm_chain(spec, 30, split_steps, true);
  }
  // Warm chains in both forms (the 4-stencil's diagonal moves overdraw the cell between).
  EXPECT_GT(split_steps, 0);
  EXPECT_LT(split_steps, 240);
}

// The same with the relaxed policy's reservoir node in the tree, and on the global graph.
TEST(Transport, WarmStartedRelaxedAndGlobalChainsReachTheColdObjective) {
  TransportSpec relaxed;
  relaxed.grid = Grid{24, 18, 140.0, 130.0, 0, 0};
  relaxed.balance = Balance::kRelaxed;
  int split_steps = 0;
  check_warm_chain(relaxed, 30, split_steps);
  TransportSpec global;
  global.grid = Grid{12, 9, 140.0, 130.0, 0, 0};
  global.stencil = StencilKind::kGlobal;
  check_warm_chain(global, 20, split_steps);
}

// The lane kernels (eight cells priced at once) against a plain loop over every arc: the least
// reduced cost of each cell and the first slot reaching it, with split targets and many ties.
TEST(LanePricing, KernelsAgreeWithTheArcByArcMinimum) {
  const int nx = 37, ny = 9, K = 9;
  const int32_t m = nx * ny, in_base = m + 1;
  LocalArcs arcs;
  arcs.slots = K;
  arcs.neighbour.assign(static_cast<size_t>(m) * K, -1);
  arcs.tie.assign(static_cast<size_t>(m) * K, 0);
  arcs.direction_cost = {7, 5, 7, 5, 0, 5, 7, 5, 7};
  SplitMix64 random(7);
  for (int32_t c = 0; c < m; ++c)
    for (int d = 0; d < K; ++d) {
      const int i = c % nx + d % 3 - 1, j = c / nx + d / 3 - 1;
      if (i < 0 || j < 0 || i >= nx || j >= ny) continue;
      arcs.neighbour[static_cast<size_t>(c) * K + d] = j * nx + i;
      if (d != 4) arcs.tie[static_cast<size_t>(c) * K + d] = random.next() % 3;
    }
  arcs.index_lane_blocks(kLanes);
  std::vector<int64_t> potential(static_cast<size_t>(in_base + m));
  std::vector<uint8_t> split(static_cast<size_t>(m));
  int32_t first_lane_block = 0;
  while (first_lane_block < m / kLanes && !arcs.lane_block[first_lane_block]) ++first_lane_block;
  ASSERT_LT(first_lane_block, m / kLanes) << "the grid has no lane block";
  const bool avx2 = [&] {
    LaneMinima probe;
    return price_lane_block_avx2(arcs, first_lane_block * kLanes, potential.data(), split.data(),
                                 in_base, false, probe);
  }();
  int blocks = 0, ties = 0;
  for (int round = 0; round < 40; ++round) {
    // Few distinct values: many equal reduced costs, so the first-slot rule is exercised.
    for (int64_t& p : potential) p = static_cast<int64_t>(random.next() % 6) - 3;
    for (uint8_t& f : split) f = round % 2 && random.uniform() < 0.2;
    const bool any_split = round % 2;
    for (int32_t block = 0; block < m / kLanes; ++block) {
      if (!arcs.lane_block[block]) continue;
      const int32_t c = block * kLanes;
      LaneMinima scalar, vector;
      price_lane_block_scalar(arcs, c, potential.data(), split.data(), in_base, any_split, scalar);
      if (avx2)
        price_lane_block_avx2(arcs, c, potential.data(), split.data(), in_base, any_split, vector);
      for (int k = 0; k < kLanes; ++k) {
        int64_t least = INT64_MAX;
        int first = -1, reaching = 0;
        for (int d = 0; d < K; ++d) {
          const int32_t j = arcs.target(c + k, d);
          const int64_t rc = arcs.cost(c + k, d) + potential[c + k] -
                             potential[j + (any_split && split[j] ? in_base : 0)];
          reaching += rc == least;
          if (rc < least) least = rc, first = d, reaching = 1;
        }
        ties += reaching > 1;
        ASSERT_EQ(scalar.rc[k], least) << "cell " << c + k;
        ASSERT_EQ(scalar.slot[k], first) << "cell " << c + k;
        if (avx2) {
          ASSERT_EQ(vector.rc[k], least) << "cell " << c + k;
          ASSERT_EQ(vector.slot[k], first) << "cell " << c + k;
        }
      }
      ++blocks;
    }
  }
  // Rows 1..7 hold the blocks whose eight cells lie in columns 1..35.
  EXPECT_GT(blocks, 40 * 7);
  EXPECT_GT(ties, 100);
}

// A smooth bump advected half a cell in an odd direction, (1, 0.5): every optimal vertex uses
// about one move per cell, so per-cell velocities from the vertex are far off; the least-energy
// optimum splits east and north-east moves as the motion does. Its flows stay on the optimal
// face (the LP's cost) and meet both marginals.
TEST(MinEnergyFlow, RecoversAnAdvectionBetweenStencilDirections) {
  const int n = 32;
  const double vx = 1.0, vy = 0.5, shift = 0.5 / std::hypot(vx, vy);  // cells per step
  std::vector<double> a(n * n), b(n * n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      const auto bump = [&](double cx, double cy) {
        return 0.01 + std::exp(-((i - cx) * (i - cx) + (j - cy) * (j - cy)) / (2 * 3.5 * 3.5));
      };
      a[j * n + i] = bump(14.0, 15.0);
      b[j * n + i] = bump(14.0 + vx * shift, 15.0 + vy * shift);
    }
  TransportSpec spec;
  spec.grid = Grid{n, n, 1.0, 1.0, 0, 0};
  spec.cost.tiebreak = 0.0;  // the face of the exact costs
  TransportSolver solver(spec);
  const TransportResult r = solver.solve(a.data(), b.data(), false);
  ASSERT_EQ(r.status, Status::kOptimal);
  const Stencil& stencil = solver.stencil();
  const int K = stencil.directions();
  // Mass-weighted per-cell velocity error (cells >= 10% of the largest), in cells per step.
  const auto velocity_error = [&](const std::vector<double>& flows) {
    const double largest = *std::max_element(a.begin(), a.end());
    double error = 0.0, norm = 0.0;
    for (int c = 0; c < n * n; ++c) {
      if (a[c] < 0.1 * largest) continue;
      double ux = 0.0, uy = 0.0;
      for (int d = 0; d < K; ++d) {
        ux += flows[c * K + d] * stencil.ox[d];
        uy += flows[c * K + d] * stencil.oy[d];
      }
      error += a[c] * std::hypot(ux / a[c] - vx * shift, uy / a[c] - vy * shift);
      norm += a[c] * shift * std::hypot(vx, vy);
    }
    return error / norm;
  };
  const std::vector<double> vertex = solver.flows();
  std::vector<double> flows = vertex;
  MinEnergyFlow chooser;
  const MinEnergyResult chosen =
      chooser.choose(solver.optimal_face(), solver.active_cells(), stencil, flows);
  ASSERT_TRUE(chosen.chosen) << "residual " << chosen.residual;
  EXPECT_LT(velocity_error(flows), 0.1);
  EXPECT_GT(velocity_error(vertex), 3 * velocity_error(flows));
  double cost = 0.0, total = std::accumulate(a.begin(), a.end(), 0.0);
  std::vector<double> sent(n * n, 0.0), received(n * n, 0.0);
  for (int c = 0; c < n * n; ++c)
    for (int d = 0; d < K; ++d) {
      const int ox = stencil.ox[d], oy = stencil.oy[d];
      const int i = c % n + ox, j = c / n + oy;
      if (flows[c * K + d] == 0.0) continue;
      ASSERT_TRUE(i >= 0 && i < n && j >= 0 && j < n);
      EXPECT_GE(flows[c * K + d], 0.0);
      cost += flows[c * K + d] * std::hypot(ox, oy);
      sent[c] += flows[c * K + d];
      received[j * n + i] += flows[c * K + d];
    }
  EXPECT_NEAR(cost, r.cost, 1e-6 * r.cost);
  const double scale = total / std::accumulate(b.begin(), b.end(), 0.0);
  for (int c = 0; c < n * n; ++c) {
    EXPECT_NEAR(sent[c], a[c], 1e-9 * total);
    EXPECT_NEAR(received[c], b[c] * scale, 1e-5 * total / n);
  }
}

}  // namespace
}  // namespace snapflow::transport
