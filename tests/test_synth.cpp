// Each synthetic case matches its analytic definition, conserves mass, carries its known
// velocity, and reads back identically after a parallel write.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "snapflow/io/density_stats.hpp"
#include "snapflow/io/snapshot_reader.hpp"
#include "snapflow/parallel/mpi_context.hpp"
#include "snapflow/synth/advect_case.hpp"
#include "snapflow/synth/province_case.hpp"
#include "snapflow/synth/vortex_case.hpp"
#include "test_support.hpp"

namespace snapflow {
namespace {

// Writes `synth` in parallel, reads it back, and checks every value of this rank's rows
// against fill_snapshot; returns the global mass per snapshot.
std::vector<double> roundtrip(const SynthCase& synth, const std::string& name) {
  const std::string path = test::shared_temp_dir() + "/" + name + ".h5";
  write_synth_case(MPI_COMM_WORLD, synth, path);
  SnapshotReader reader(MPI_COMM_WORLD, path);
  const Grid g = reader.grid();
  const Range rows = reader.rows();
  const auto density = reader.read_density();
  const auto velocity = reader.read_truth_velocity();
  std::vector<double> d(g.cells()), v(2 * g.cells());
  for (long t = 0; t < reader.meta().snapshots(); ++t) {
    synth.fill_snapshot(t, d.data(), v.data());
    for (long k = 0; k < rows.size() * g.nx; ++k) {
      const long global = rows.begin * g.nx + k;
      const long local = t * rows.size() * g.nx + k;
      EXPECT_EQ(density[local], d[global]);
      EXPECT_EQ(velocity[2 * local], v[2 * global]);
      EXPECT_EQ(velocity[2 * local + 1], v[2 * global + 1]);
    }
  }
  return compute_density_stats(MPI_COMM_WORLD, reader.meta(), rows, density, reader.read_mask())
      .mass;
}

// Independent reference for the smooth advect bump: composite Gauss-Legendre integration of
// the pointwise analytic solution u(x, t) = h phi((x - c - v t)/w) phi((y - c - v t)/w).
double advect_reference_cell(const AdvectParams& p, double a, double b, double c, double d,
                             double t) {
  const double nodes[3] = {-std::sqrt(0.6), 0.0, std::sqrt(0.6)};
  const double weights[3] = {5.0 / 9.0, 8.0 / 9.0, 5.0 / 9.0};
  auto phi = [](double s) { return std::fabs(s) < 1 ? std::pow(std::cos(M_PI * s / 2), 2) : 0.0; };
  auto integrate = [&](double lo, double hi, double centre) {
    const int pieces = 64;
    double sum = 0.0;
    for (int k = 0; k < pieces; ++k) {
      const double l = lo + (hi - lo) * k / pieces, h = lo + (hi - lo) * (k + 1) / pieces;
      for (int q = 0; q < 3; ++q)
        sum += 0.5 * (h - l) * weights[q] *
               phi((0.5 * (l + h) + 0.5 * (h - l) * nodes[q] - centre) / p.half_width);
    }
    return sum;
  };
  return p.height * integrate(a, b, p.centre_x + p.vx * t) * integrate(c, d, p.centre_y + p.vy * t);
}

TEST(SynthAdvect, SmoothBumpMatchesAnalyticSolutionAndConservesMass) {
  AdvectParams p;
  p.n = 20;
  const AdvectCase synth(p);
  const auto mass = roundtrip(synth, "advect_smooth");
  for (double m : mass) EXPECT_NEAR(m, synth.total_mass(), 1e-12 * synth.total_mass());
  std::vector<double> d(p.n * p.n), v(2 * p.n * p.n);
  const double h = p.side / p.n;
  for (long t : {0L, 17L, p.snapshots - 1}) {
    synth.fill_snapshot(t, d.data(), v.data());
    for (int j = 0; j < p.n; j += 3)
      for (int i = 0; i < p.n; i += 2) {
        const double ref =
            advect_reference_cell(p, i * h, (i + 1) * h, j * h, (j + 1) * h, t * p.snapshot_dt);
        EXPECT_NEAR(d[j * p.n + i], ref, 1e-9) << "t=" << t << " j=" << j << " i=" << i;
        EXPECT_EQ(v[2 * (j * p.n + i)], p.vx);
        EXPECT_EQ(v[2 * (j * p.n + i) + 1], p.vy);
      }
  }
}

TEST(SynthAdvect, BoxBumpIsTheOverlapOfCellAndMovingSquare) {
  AdvectParams p;
  p.n = 24;
  p.profile = BumpProfile::kBox;
  p.vx = -0.7;
  p.vy = 1.3;
  p.centre_x = 2.8;
  p.snapshot_dt = 0.03;
  const AdvectCase synth(p);
  const auto mass = roundtrip(synth, "advect_box");
  for (double m : mass) EXPECT_NEAR(m, 4 * p.half_width * p.half_width, 1e-12);
  std::vector<double> d(p.n * p.n), v(2 * p.n * p.n);
  const double h = p.side / p.n;
  const long t = 21;
  synth.fill_snapshot(t, d.data(), v.data());
  const double cx = p.centre_x + p.vx * t * p.snapshot_dt,
               cy = p.centre_y + p.vy * t * p.snapshot_dt;
  auto overlap = [&](double lo, double hi, double c) {
    return std::max(0.0, std::min(hi, c + p.half_width) - std::max(lo, c - p.half_width));
  };
  for (int j = 0; j < p.n; ++j)
    for (int i = 0; i < p.n; ++i)
      EXPECT_NEAR(d[j * p.n + i], overlap(i * h, (i + 1) * h, cx) * overlap(j * h, (j + 1) * h, cy),
                  1e-14);
}

TEST(SynthAdvect, RefusesABumpThatLeavesTheDomain) {
  AdvectParams p;
  p.vx = 5.0;
  const std::string message = test::error_message([&] { AdvectCase synth(p); });
  EXPECT_NE(message.find("the bump leaves the domain"), std::string::npos) << message;
}

TEST(SynthVortex, IsASolidBodyRotationThatConservesMass) {
  VortexParams p;
  p.n = 32;
  const VortexCase synth(p);
  // The analytic density is the initial one rotated by omega t.
  for (double t : {0.3, 1.7, 3.1}) {
    const double a = p.omega * t;
    for (double x : {-1.1, 0.2, 0.9})
      for (double y : {-0.6, 0.4, 1.2})
        EXPECT_NEAR(synth.density_at(std::cos(a) * x - std::sin(a) * y,
                                     std::sin(a) * x + std::cos(a) * y, t),
                    synth.density_at(x, y, 0.0), 1e-12);
  }
  const auto mass = roundtrip(synth, "vortex");
  for (double m : mass) EXPECT_NEAR(m, synth.total_mass(), 1e-12 * synth.total_mass());

  // Cell masses against a fine midpoint rule; velocities are omega x r at cell centres.
  std::vector<double> d(p.n * p.n), v(2 * p.n * p.n);
  const long t = 13;
  synth.fill_snapshot(t, d.data(), v.data());
  const double h = p.side / p.n, x0 = -0.5 * p.side;
  const double peak = *std::max_element(d.begin(), d.end());
  for (int j = 0; j < p.n; j += 5)
    for (int i = 0; i < p.n; i += 3) {
      const int sub = 40;
      double ref = 0.0;
      for (int b = 0; b < sub; ++b)
        for (int a = 0; a < sub; ++a)
          ref += synth.density_at(x0 + (i + (a + 0.5) / sub) * h, x0 + (j + (b + 0.5) / sub) * h,
                                  t * p.snapshot_dt);
      ref *= h * h / (sub * sub);
      EXPECT_NEAR(d[j * p.n + i], ref, 1e-4 * peak) << "j=" << j << " i=" << i;
      EXPECT_NEAR(v[2 * (j * p.n + i)], -p.omega * (x0 + (j + 0.5) * h), 1e-12);
      EXPECT_NEAR(v[2 * (j * p.n + i) + 1], p.omega * (x0 + (i + 0.5) * h), 1e-12);
    }
}

ProvinceParams small_province() {
  ProvinceParams p;
  p.nx = 64;
  p.ny = 48;
  p.people = 2.0e5;
  p.towns = 12;
  p.parcel_people = 5;
  return p;
}

TEST(SynthProvince, ConservesMassKeepsToTheMaskAndTheSpeedLimit) {
  const ProvinceParams p = small_province();
  const ProvinceCase synth(p);
  EXPECT_GT(synth.parcels(), 100);
  EXPECT_LE(synth.top_speed(), p.max_speed_kmh / 3.6 + 1e-12);
  EXPECT_GE(synth.top_speed(), p.min_speed_kmh / 3.6);
  const auto mass = roundtrip(synth, "province");
  for (double m : mass) EXPECT_NEAR(m, p.people, 1e-9 * p.people);

  const Grid g = synth.layout().grid;
  const auto mask = synth.mask();
  const auto zones = synth.zones();
  long inside = 0;
  for (size_t k = 0; k < mask.size(); ++k) {
    inside += mask[k];
    EXPECT_EQ(zones[k] >= 0, mask[k] == 1);
  }
  EXPECT_GT(inside, g.cells() / 2);
  EXPECT_LT(inside, g.cells());

  std::vector<double> d(g.cells()), v(2 * g.cells());
  auto fastest = [&](long t) {
    synth.fill_snapshot(t, d.data(), v.data());
    double top = 0.0;
    for (long k = 0; k < g.cells(); ++k) {
      EXPECT_TRUE(mask[k] || d[k] == 0.0) << "mass outside the province at cell " << k;
      top = std::max(top, std::hypot(v[2 * k], v[2 * k + 1]));
    }
    return top;
  };
  EXPECT_EQ(fastest(12), 0.0);  // 03:00: nobody travels
  EXPECT_GT(fastest(31), 0.0);  // 07:45: the morning commute
  EXPECT_LE(fastest(31), p.max_speed_kmh / 3.6 + 1e-9);
  // The file's vmax (the run's CFL rule) is the fastest parcel, not a cell's diluted mean.
  EXPECT_GE(synth.top_speed(), fastest(31));
  EXPECT_GT(fastest(71), 0.0);  // 17:45: the evening return
}

TEST(SynthProvince, CommutersMoveTowardsTheCityInTheMorningAndBackInTheEvening) {
  const ProvinceParams p = small_province();
  const ProvinceCase synth(p);
  const Grid g = synth.layout().grid;
  const double city_x = 0.68 * g.width(), city_y = 0.52 * g.height();
  std::vector<double> d(g.cells()), v(2 * g.cells());
  // Mass-weighted radial velocity (towards the city > 0).
  auto inward = [&](long t) {
    synth.fill_snapshot(t, d.data(), v.data());
    double sum = 0.0;
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const long k = g.index(j, i);
        const double rx = city_x - g.centre_x(i), ry = city_y - g.centre_y(j);
        const double r = std::hypot(rx, ry);
        if (r > 0) sum += d[k] * (v[2 * k] * rx + v[2 * k + 1] * ry) / r;
      }
    return sum;
  };
  EXPECT_GT(inward(31), 0.0);
  EXPECT_LT(inward(71), 0.0);
}

// province-dense: every cell of the province populated, a background of the asked mean on
// top of the sparse day, and snapshots that differ from the noise-free truth by about the
// asked noise while the truth (fill_state) and the velocity stay those of the sparse day.
TEST(SynthProvince, DensePopulationFillsEveryCellAndAddsTheEstimationNoise) {
  ProvinceParams sparse = small_province();
  ProvinceParams dense = sparse;
  dense.dense = true;
  const ProvinceCase thin(sparse), full(dense);
  const Grid g = full.layout().grid;
  const auto mask = full.mask();
  std::vector<double> a(g.cells()), b(g.cells()), clean(g.cells()), va(2 * g.cells()),
      vb(2 * g.cells());
  const long t = 31;  // 07:45
  thin.fill_state(t * sparse.snapshot_dt, a.data(), va.data());
  full.fill_state(t * dense.snapshot_dt, clean.data(), vb.data());
  full.fill_snapshot(t, b.data(), vb.data());
  long inside = 0, empty = 0;
  double added = 0.0, noise2 = 0.0, clean2 = 0.0, momentum_thin = 0.0, momentum_full = 0.0;
  for (long k = 0; k < g.cells(); ++k) {
    if (!mask[k]) {
      EXPECT_EQ(b[k], 0.0);
      continue;
    }
    ++inside;
    empty += clean[k] <= 0.5;
    added += clean[k] - a[k];
    noise2 += (b[k] - clean[k]) * (b[k] - clean[k]);
    clean2 += clean[k] * clean[k];
    momentum_thin += a[k] * va[2 * k];
  }
  full.fill_state(t * dense.snapshot_dt, clean.data(), vb.data());
  for (long k = 0; k < g.cells(); ++k) momentum_full += clean[k] * vb[2 * k];
  EXPECT_EQ(empty, 0) << "cells with less than half a person";
  EXPECT_NEAR(added / inside, dense.background, 1e-9 * dense.background);
  EXPECT_NEAR(std::sqrt(noise2 / clean2), dense.noise, 0.3 * dense.noise);
  // The background stays put: the commuters' momentum is the sparse day's.
  EXPECT_NEAR(momentum_full, momentum_thin, 1e-9 * std::fabs(momentum_thin));
  // A snapshot's noise is the same whenever it is made (each rank writes its own snapshots).
  full.fill_snapshot(t, a.data(), va.data());
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace snapflow
