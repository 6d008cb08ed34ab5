// Fine steps, frames and chains; one chain's solve; farming chains over threads and dealing
// them to ranks; the velocity error measure. Plain C++ (no MPI).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "snapflow/analysis/affine_flow.hpp"
#include "snapflow/analysis/velocity_error.hpp"
#include "snapflow/core/error.hpp"
#include "snapflow/core/random.hpp"
#include "snapflow/schedule/chain_farm.hpp"
#include "snapflow/schedule/chain_solver.hpp"
#include "snapflow/schedule/fine_schedule.hpp"
#include "snapflow/schedule/trip_tracker.hpp"

namespace snapflow {
namespace {

std::vector<double> times(int count, double dt) {
  std::vector<double> t(count);
  for (int k = 0; k < count; ++k) t[k] = 1000.0 + k * dt;
  return t;
}

TEST(FineSchedule, FineDtSpansTheSnapshotsInWholeSteps) {
  FineScheduleOptions o;
  o.fine_dt = 10.0;
  const FineSchedule s = FineSchedule::plan(times(5, 900.0), 130.0, o);
  EXPECT_EQ(s.steps(), 360);
  EXPECT_DOUBLE_EQ(s.dt(), 10.0);
  EXPECT_EQ(s.frame_steps(), 90);  // one snapshot interval
  EXPECT_EQ(s.frames(), 4);
  EXPECT_EQ(s.chains(), 4);
  EXPECT_DOUBLE_EQ(s.step_time(0), 1000.0);
  EXPECT_DOUBLE_EQ(s.step_time(360), 4600.0);
  EXPECT_DOUBLE_EQ(s.frame_time(1), 1900.0);

  o.fine_dt = 30.0;  // 100 s / 30 s: 4 steps of 25 s
  const FineSchedule short_steps = FineSchedule::plan(times(2, 100.0), 1.0, o);
  EXPECT_EQ(short_steps.steps(), 4);
  EXPECT_DOUBLE_EQ(short_steps.dt(), 25.0);
}

TEST(FineSchedule, VmaxGivesTheCflStep) {
  FineScheduleOptions o;
  o.vmax = 50.0 / 3.6;  // 50 km/h over 130 m cells: dt_f <= 9.36 s
  const FineSchedule s = FineSchedule::plan(times(2, 900.0), 130.0, o);
  EXPECT_EQ(s.steps(), 97);
  EXPECT_LE(s.dt() * o.vmax, 130.0);
  EXPECT_NE(s.rule().find("CFL"), std::string::npos);
  EXPECT_THROW(FineSchedule::plan(times(2, 900.0), 130.0, FineScheduleOptions{}), Error);

  // Over several intervals the steps are whole per interval: frames stay on the snapshots.
  const FineSchedule day = FineSchedule::plan(times(5, 900.0), 130.0, o);
  EXPECT_EQ(day.steps(), 4 * 97);
  EXPECT_EQ(day.frame_steps(), 97);
  EXPECT_DOUBLE_EQ(day.frame_time(1), 1900.0);
  EXPECT_DOUBLE_EQ(day.frame_time(3), 3700.0);
}

TEST(FineSchedule, FramesAndChainsCoverEveryStepOnce) {
  FineScheduleOptions o;
  o.fine_dt = 1.0;
  o.frame_steps = 7;
  o.chain_steps = 10;  // two frames per chain
  const FineSchedule s = FineSchedule::plan(times(3, 10.0), 1.0, o);
  ASSERT_EQ(s.steps(), 20);
  ASSERT_EQ(s.frames(), 3);
  EXPECT_EQ(s.chain_frames(), 2);
  EXPECT_EQ(s.chains(), 2);
  EXPECT_EQ(s.frame_step_range(2).begin, 14);
  EXPECT_EQ(s.frame_step_range(2).end, 20);
  EXPECT_EQ(s.chain_frame_range(1).begin, 2);
  EXPECT_EQ(s.chain_frame_range(1).end, 3);
  o.frame_steps = 21;
  EXPECT_THROW(FineSchedule::plan(times(3, 10.0), 1.0, o), Error);
}

TEST(FineSchedule, TheLastChainsTaperDownToOneFrame) {
  FineScheduleOptions o;
  o.fine_dt = 10.0;
  o.chain_steps = 540;  // 6 frames of 90 steps
  const FineSchedule day = FineSchedule::plan(times(96, 900.0), 130.0, o);
  ASSERT_EQ(day.frames(), 95);
  // 89 frames in chains of 6 (the 15th of 5), then 3, 2 and 1.
  ASSERT_EQ(day.chains(), 18);
  EXPECT_EQ(day.chain_frame_range(13).size(), 6);
  EXPECT_EQ(day.chain_frame_range(14).size(), 5);
  EXPECT_EQ(day.chain_frame_range(15).size(), 3);
  EXPECT_EQ(day.chain_frame_range(16).size(), 2);
  EXPECT_EQ(day.chain_frame_range(17).begin, 94);
  EXPECT_EQ(day.chain_frame_range(17).end, 95);
  for (long s = 1; s < day.chains(); ++s)
    EXPECT_EQ(day.chain_frame_range(s).begin, day.chain_frame_range(s - 1).end);
  // No taper without a full chain before it.
  const FineSchedule short_run = FineSchedule::plan(times(8, 900.0), 130.0, o);
  ASSERT_EQ(short_run.chains(), 2);
  EXPECT_EQ(short_run.chain_frame_range(0).size(), 6);
  EXPECT_EQ(short_run.chain_frame_range(1).size(), 1);
}

// A bump of 3 cells moving one cell east per step on a 1 x 12 grid.
ChainSettings translation_settings() {
  ChainSettings settings;
  settings.spec.grid.nx = 12;
  settings.spec.grid.ny = 1;
  settings.spec.grid.dx = 2.0;
  settings.zone_index = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
  settings.zones = 2;
  return settings;
}

// 6 steps of 0.5 s in 3 frames of 2 steps; `chain_frames` frames per chain.
FineSchedule translation_schedule(long chain_frames) {
  FineScheduleOptions o;
  o.fine_dt = 0.5;
  o.frame_steps = 2;
  o.chain_steps = 2 * chain_frames;
  return FineSchedule::plan({0.0, 3.0}, 2.0, o);
}

void translation_state(double t, double* out) {
  const int first = static_cast<int>(std::lround(t / 0.5)) + 2;
  for (int c = 0; c < 12; ++c) out[c] = (c >= first && c < first + 3) ? 5.0 : 0.0;
}

TEST(SolveChain, RecoversATranslationAndIsDeterministic) {
  const ChainSettings settings = translation_settings();
  const FineSchedule s = translation_schedule(3);
  ASSERT_EQ(s.chains(), 1);
  const StateFunction state = translation_state;
  const ChainResult r = solve_chain(s, 0, state, settings, {});
  ASSERT_EQ(r.frame_results.size(), 3u);
  ASSERT_EQ(r.step_results.size(), 6u);
  // Each step every cell of the bump passes its 5 units one cell east (dx = 2).
  for (const transport::TransportResult& step : r.step_results) {
    EXPECT_EQ(step.status, transport::Status::kOptimal);
    EXPECT_NEAR(step.moved, 15.0, 1e-9);
    EXPECT_NEAR(step.cost, 15.0 * 2.0, 1e-9);
  }
  for (const FrameResult& frame : r.frame_results)
    for (int c = 0; c < 12; ++c) {
      const bool has_mass = frame.flow[9 * c + 5] > 0.0f;  // direction (ox, oy) = (1, 0)
      EXPECT_NEAR(frame.velocity[2 * c], has_mass ? 4.0 : 0.0, 1e-6) << "cell " << c;
      EXPECT_EQ(frame.velocity[2 * c + 1], 0.0f);
    }
  // The bump crosses from zone 0 (cells 0-5) to zone 1 at steps 1, 2 and 3.
  EXPECT_NEAR(r.frame_results[0].od[1], 5.0, 1e-9);
  EXPECT_NEAR(r.frame_results[1].od[1], 10.0, 1e-9);
  EXPECT_NEAR(r.frame_results[2].od[1], 0.0, 1e-9);
  EXPECT_NEAR(r.frame_results[1].od[3], 15.0, 1e-9);  // 6 -> 7 (twice), 7 -> 8 in zone 1
  EXPECT_EQ(r.end_density.size(), 12u);

  const ChainResult again = solve_chain(s, 0, state, settings, {});
  for (size_t f = 0; f < r.frame_results.size(); ++f)
    EXPECT_EQ(r.frame_results[f].flow, again.frame_results[f].flow);
  const ChainResult stopped = solve_chain(s, 0, state, settings, [] { return true; });
  EXPECT_TRUE(stopped.abandoned);
}

// A row of 6 cells in three zones (0 0 1 1 2 2), 10 residents per cell, and a traveller of
// 2 starting in cell 0 who moves one cell east per step, through zone 1 into zone 2.
struct TravellerRow {
  std::vector<int32_t> zones = {0, 0, 1, 1, 2, 2};
  transport::Stencil stencil = transport::make_stencil(transport::StencilKind::kEight);
  int east = -1;

  TravellerRow() {
    for (int d = 0; d < stencil.directions(); ++d)
      if (stencil.used[d] && stencil.ox[d] == 1 && stencil.oy[d] == 0) east = d;
  }
  std::vector<double> trips(TripRule rule) const {
    const std::vector<double> start = {12, 10, 10, 10, 10, 10};
    TripTracker tracker(zones, 3, start.data(), 6, 6, rule);
    for (int k = 0; k < 5; ++k) {
      std::vector<double> flows(6 * stencil.directions(), 0.0);
      for (int c = 0; c < 6; ++c) flows[c * stencil.directions() + stencil.stay()] = 10;
      flows[k * stencil.directions() + east] = 2;
      tracker.step(flows, stencil);
    }
    return tracker.trips();
  }
};

TEST(TripTracker, TransitFollowsTheTravellerAndMarkovMixesHimWithTheResidents) {
  const TravellerRow row;
  ASSERT_GE(row.east, 0);
  const std::vector<double> transit = row.trips(TripRule::kTransit);
  const std::vector<double> markov = row.trips(TripRule::kMarkov);
  // [from][to] over zones 0..2: the traveller goes 0 -> 2, every resident stays.
  const std::vector<double> truth = {20, 0, 2, 0, 20, 0, 0, 0, 20};
  for (size_t k = 0; k < truth.size(); ++k) EXPECT_NEAR(transit[k], truth[k], 1e-12) << k;
  for (const std::vector<double>* od : {&transit, &markov})
    for (int a = 0; a < 3; ++a)  // every zone's mass is somewhere at the end
      EXPECT_NEAR((*od)[a * 3] + (*od)[a * 3 + 1] + (*od)[a * 3 + 2], a == 0 ? 22 : 20, 1e-12);
  // Markov: residents of zone 1 seem to travel on into zone 2, the traveller to stop early.
  EXPECT_GT(markov[1 * 3 + 2], 0.1);
  EXPECT_LT(markov[0 * 3 + 2], 1.0);
}

// The transit rule as written in its definition, without the tracker's bookkeeping: every
// cell's shares sorted latest first at each take, found by linear search, settled by a rebuild.
class PlainTransitTrips {
 public:
  PlainTransitTrips(const std::vector<int32_t>& zones, int zone_count, const double* start, int nx)
      : zones_(zones), zone_count_(zone_count), nx_(nx), cells_(zones.size()) {
    for (size_t c = 0; c < zones.size(); ++c)
      if (start[c] > 0) cells_[c].push_back({zones[c], -1, start[c]});
  }
  void step(const std::vector<double>& flows, const transport::Stencil& stencil) {
    const int directions = stencil.directions();
    ++steps_;
    std::vector<std::pair<size_t, Share>> moves;
    for (size_t c = 0; c < cells_.size(); ++c) {
      const double* f = flows.data() + c * directions;
      double sent = 0.0, leaving = 0.0, held = 0.0;
      for (int d = 0; d < directions; ++d) sent += f[d];
      leaving = sent - f[stencil.stay()];
      if (sent <= 0.0) cells_[c].clear();
      if (sent <= 0.0 || leaving <= 0.0) continue;
      for (const Share& s : cells_[c]) held += s.mass;
      double amount = held * leaving / sent;
      std::vector<Share>& shares = cells_[c];
      std::stable_sort(shares.begin(), shares.end(),
                       [](const Share& a, const Share& b) { return a.arrived > b.arrived; });
      for (size_t first = 0, last = 0; first < shares.size() && amount > 0; first = last) {
        double group = 0.0;
        for (last = first; last < shares.size() && shares[last].arrived == shares[first].arrived;)
          group += shares[last++].mass;
        const double fraction = std::min(1.0, amount / group);
        for (size_t k = first; k < last; ++k) {
          for (int d = 0; d < directions; ++d)
            if (d != stencil.stay() && f[d] > 0)
              moves.push_back(
                  {c + stencil.oy[d] * nx_ + stencil.ox[d],
                   {shares[k].origin, steps_, shares[k].mass * fraction * f[d] / leaving}});
          shares[k].mass -= shares[k].mass * fraction;
        }
        amount -= group * fraction;
      }
    }
    for (const auto& [to, share] : moves) add(cells_[to], share);
    if (steps_ % 8 != 0) return;
    for (std::vector<Share>& shares : cells_) {
      std::vector<Share> settled;
      for (const Share& s : shares)
        add(settled, {s.origin, steps_ - s.arrived > 8 ? -1 : s.arrived, s.mass});
      shares = settled;
    }
  }
  std::vector<double> trips() const {
    std::vector<double> od(static_cast<size_t>(zone_count_) * zone_count_, 0.0);
    for (size_t c = 0; c < cells_.size(); ++c)
      for (const Share& s : cells_[c]) od[s.origin * zone_count_ + zones_[c]] += s.mass;
    return od;
  }

 private:
  struct Share {
    int32_t origin;
    long arrived;
    double mass;
  };
  static void add(std::vector<Share>& to, const Share& share) {
    for (Share& s : to)
      if (s.origin == share.origin && s.arrived == share.arrived) {
        s.mass += share.mass;
        return;
      }
    to.push_back(share);
  }
  std::vector<int32_t> zones_;
  int zone_count_, nx_;
  long steps_ = 0;
  std::vector<std::vector<Share>> cells_;
};

TEST(TripTracker, TransitMatchesTheRuleAsWrittenOverManySettlings) {
  // 8 x 8 cells in 4 zones; each step every cell sends its mass to random neighbours (some
  // keep it all, a few send nothing and lose it, as a relaxed step can), for 40 steps.
  const int n = 8;
  const transport::Stencil stencil = transport::make_stencil(transport::StencilKind::kEight);
  const int directions = stencil.directions();
  std::vector<int32_t> zones(n * n);
  std::vector<double> mass(n * n);
  SplitMix64 random(11);
  for (int c = 0; c < n * n; ++c) {
    zones[c] = (c % n) / 4 + 2 * ((c / n) / 4);
    mass[c] = random.uniform(1.0, 10.0);
  }
  TripTracker tracker(zones, 4, mass.data(), n, n * n, TripRule::kTransit);
  PlainTransitTrips plain(zones, 4, mass.data(), n);
  for (int k = 0; k < 40; ++k) {
    std::vector<double> flows(static_cast<size_t>(n) * n * directions, 0.0), next(n * n, 0.0);
    for (int c = 0; c < n * n; ++c) {
      const int i = c % n, j = c / n;
      const double draw = random.uniform(0.0, 1.0);
      if (draw < 0.03) continue;  // lost
      std::vector<double> weight(directions, 0.0);
      double total = 0.0;
      for (int d = 0; d < directions; ++d) {
        const int ti = i + stencil.ox[d], tj = j + stencil.oy[d];
        if (!stencil.used[d] || ti < 0 || tj < 0 || ti >= n || tj >= n) continue;
        weight[d] = d == stencil.stay() ? 2.0 : (draw < 0.2 ? 0.0 : random.uniform(0.0, 1.0));
        total += weight[d];
      }
      for (int d = 0; d < directions; ++d) {
        flows[c * directions + d] = mass[c] * weight[d] / total;
        if (weight[d] > 0) next[c + stencil.oy[d] * n + stencil.ox[d]] += flows[c * directions + d];
      }
    }
    tracker.step(flows, stencil);
    plain.step(flows, stencil);
    mass = next;
  }
  const std::vector<double> ours = tracker.trips(), expected = plain.trips();
  double total = 0.0;
  for (double m : mass) total += m;
  ASSERT_EQ(ours.size(), expected.size());
  for (size_t k = 0; k < ours.size(); ++k) EXPECT_NEAR(ours[k], expected[k], 1e-12 * total) << k;
  double followed = 0.0;
  for (double t : ours) followed += t;
  EXPECT_NEAR(followed, total, 1e-9 * total);  // every unit still there is followed
}

TEST(ChainsWanted, QueuesOneBehindEachWorkerUntilTheEndIsNear) {
  EXPECT_EQ(chains_wanted(4, 1, 100, 8), 7);  // 3 idle workers + 4 queued
  EXPECT_EQ(chains_wanted(4, 1, 10, 8), 3);   // near the end: the idle workers only
  EXPECT_EQ(chains_wanted(4, 9, 100, 8), 0);
}

TEST(ChainDealer, DealsConsecutiveChainsInTurnAndTheSameOnEveryRank) {
  const std::vector<long> pending = {0, 2, 3, 5, 7, 8};
  const std::vector<long> wanted = {2, 0, 1};
  std::vector<std::vector<long>> dealt;
  for (int rank = 0; rank < 3; ++rank) {
    ChainDealer dealer(pending);
    dealt.push_back(dealer.deal(wanted, rank));
    EXPECT_EQ(dealer.remaining(), 3);
    EXPECT_EQ(dealer.deal({0, 5, 0}, rank).size(), rank == 1 ? 3u : 0u);
    EXPECT_EQ(dealer.remaining(), 0);
  }
  EXPECT_EQ(dealt[0], (std::vector<long>{0, 3}));
  EXPECT_TRUE(dealt[1].empty());
  EXPECT_EQ(dealt[2], (std::vector<long>{2}));
}

TEST(ChainFarm, SolvesEverySubmittedChainOnceAsTheDirectSolveDoes) {
  const ChainSettings settings = translation_settings();
  const FineSchedule s = translation_schedule(1);
  ASSERT_EQ(s.chains(), 3);
  const StateFunction state = translation_state;
  ChainFarm farm(s, state, settings, 3, {});
  std::vector<ChainResult> results;
  farm.run([&] {
    for (long chain = 0; chain < 3; ++chain) farm.submit(chain);
    while (results.size() < 3) {
      farm.wait(1.0);
      for (ChainResult& r : farm.take_finished()) results.push_back(std::move(r));
    }
    EXPECT_EQ(farm.busy(), 0);
  });
  std::sort(results.begin(), results.end(),
            [](const ChainResult& a, const ChainResult& b) { return a.chain < b.chain; });
  for (long chain = 0; chain < 3; ++chain) {
    ASSERT_EQ(results[chain].chain, chain);
    const ChainResult direct = solve_chain(s, chain, state, settings, {});
    ASSERT_EQ(results[chain].frame_results.size(), 1u);
    EXPECT_EQ(results[chain].frame_results[0].flow, direct.frame_results[0].flow);
  }
  EXPECT_TRUE(farm.failure().empty());
}

TEST(ChainFarm, ReportsAWorkerErrorAndRethrowsACoordinatorError) {
  const ChainSettings settings = translation_settings();
  const FineSchedule s = translation_schedule(1);
  const StateFunction failing = [](double t, double* out) {
    SNAPFLOW_VERIFY(t < 2.5, "no state at t = " << t);
    translation_state(t, out);
  };
  ChainFarm farm(s, failing, settings, 2, {});
  farm.run([&] {
    for (long chain = 0; chain < 3; ++chain) farm.submit(chain);
    while (farm.busy() > 0) farm.wait(1.0);
  });
  EXPECT_NE(farm.failure().find("chain 2: no state at t = 2.5"), std::string::npos)
      << farm.failure();
  EXPECT_EQ(farm.take_finished().size(), 2u);

  ChainFarm stopped(s, failing, settings, 2, {});
  EXPECT_THROW(stopped.run([&] {
    stopped.submit(0);
    throw Error("coordinator gave up");
  }),
               Error);
}

TEST(VelocityError, ZeroForTheTruthAndAngleForARotatedField) {
  Grid grid;
  grid.nx = 8;
  grid.ny = 8;
  std::vector<double> truth(2 * 64), rotated(2 * 64), mass(64, 1.0);
  for (int c = 0; c < 64; ++c) {
    truth[2 * c] = 1.0;
    truth[2 * c + 1] = 0.5;
    rotated[2 * c] = -0.5;  // 90 degrees counter-clockwise
    rotated[2 * c + 1] = 1.0;
  }
  VelocityError same;
  same.add(grid, truth.data(), truth.data(), mass.data());
  EXPECT_EQ(same.blocks(), 4);
  EXPECT_NEAR(same.relative(), 0.0, 1e-15);
  EXPECT_NEAR(same.angle_degrees(), 0.0, 1e-6);
  VelocityError turned;
  turned.add(grid, rotated.data(), truth.data(), mass.data());
  EXPECT_NEAR(turned.relative(), std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(turned.angle_degrees(), 90.0, 1e-9);
}

// A spiral step: rotate by `turn` about (cx, cy), scale by `growth`, shear a little.
AffineMap spiral_step(double turn, double growth, double cx, double cy) {
  AffineMap m;
  m.a = {{{growth * std::cos(turn), -growth * std::sin(turn) + 0.05},
          {growth * std::sin(turn), growth * std::cos(turn)}}};
  for (int d = 0; d < 2; ++d) m.b[d] = (d == 0 ? cx : cy) - m.a[d][0] * cx - m.a[d][1] * cy;
  return m;
}

void expect_same_map(const AffineMap& got, const AffineMap& want, double tolerance) {
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(got.b[i], want.b[i], tolerance);
    for (int j = 0; j < 2; ++j) EXPECT_NEAR(got.a[i][j], want.a[i][j], tolerance);
  }
}

AffineMap compose(const AffineMap& outer, const AffineMap& inner) {
  AffineMap m;
  for (int i = 0; i < 2; ++i) {
    m.b[i] = outer.b[i];
    for (int j = 0; j < 2; ++j) {
      m.a[i][j] = outer.a[i][0] * inner.a[0][j] + outer.a[i][1] * inner.a[1][j];
      m.b[i] += outer.a[i][j] * inner.b[j];
    }
  }
  return m;
}

}  // namespace

TEST(AffineFlow, FitRecoversTheMapFromWeightedPairs) {
  const AffineMap truth = spiral_step(0.9, 1.1, -0.3, 0.2);
  AffineMoments moments;
  for (int k = 0; k < 40; ++k) {
    const PlanePoint p{std::cos(1.7 * k) + 0.1 * k, std::sin(2.3 * k)};
    moments.add(p, truth(p), 1.0 + k % 3);
  }
  expect_same_map(moments.fit(), truth, 1e-10);
  AffineMoments on_a_line;
  for (int k = 0; k < 5; ++k) on_a_line.add({1.0 * k, 2.0 * k}, {0.0, 0.0}, 1.0);
  EXPECT_THROW(on_a_line.fit(), Error);
}

TEST(AffineFlow, FractionalStepsComposeIntoTheStep) {
  for (const AffineMap& step :
       {spiral_step(0.9, 1.1, -0.3, 0.2), spiral_step(2.5, 0.8, 1.0, -2.0),
        spiral_step(1e-9, 1.0, 0.5, 0.5) /* a pure shear: eigenvalues 1, 1 */}) {
    const AffineMap half = fractional_step(step, 0.5);
    expect_same_map(compose(half, half), step, 1e-9);
    expect_same_map(fractional_step(step, 1.0), step, 1e-9);
    expect_same_map(fractional_step(step, 2.0), compose(step, step), 1e-9);
    expect_same_map(compose(fractional_step(step, -0.3), fractional_step(step, 1.3)), step, 1e-9);
    expect_same_map(fractional_step(step, 0.0), AffineMap{}, 1e-12);
  }
  AffineMap translation;
  translation.b = {0.7, -0.2};
  const AffineMap third = fractional_step(translation, 1.0 / 3);
  EXPECT_NEAR(third.b[0], 0.7 / 3, 1e-12);
  EXPECT_NEAR(third.b[1], -0.2 / 3, 1e-12);
  AffineMap reflection;
  reflection.a = {{{-1, 0}, {0, 1}}};
  EXPECT_THROW(fractional_step(reflection, 0.5), Error);
}
}  // namespace snapflow
