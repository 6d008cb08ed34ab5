#include "snapflow/synth/province_case.hpp"

#include <algorithm>
#include <cmath>

#include "snapflow/core/error.hpp"

namespace snapflow {

namespace {
constexpr double kHour = 3600.0;
constexpr double kKmh = 1000.0 / 3600.0;                // m/s per km/h
constexpr double kOutlinePower = 4.0;                   // superellipse exponent: convex outline
constexpr double kInterior = 0.9;                       // parcels stay inside this scaled outline
constexpr double kCityShare = 0.42, kTownShare = 0.45;  // the rest lives in the countryside
}  // namespace

bool ProvinceCase::inside_outline(double x, double y, double scale) const {
  const double u = (x - grid_.x0 - 0.5 * grid_.width()) / (0.5 * grid_.width() * scale);
  const double v = (y - grid_.y0 - 0.5 * grid_.height()) / (0.5 * grid_.height() * scale);
  return std::pow(std::fabs(u), kOutlinePower) + std::pow(std::fabs(v), kOutlinePower) <= 1.0;
}

ProvinceCase::ProvinceCase(const ProvinceParams& p) : params_(p) {
  SNAPFLOW_VERIFY(
      p.nx >= 16 && p.ny >= 16,
      "synth province: the grid must be at least 16 x 16, got " << p.nx << " x " << p.ny);
  SNAPFLOW_VERIFY(p.dx > 0 && p.dy > 0, "synth province: -dx and -dy must be > 0");
  SNAPFLOW_VERIFY(p.people > 0, "synth province: -people must be > 0");
  SNAPFLOW_VERIFY(p.towns >= 1, "synth province: -towns must be >= 1");
  SNAPFLOW_VERIFY(p.snapshots >= 3, "synth province: -snapshots must be >= 3");
  SNAPFLOW_VERIFY(p.snapshot_dt > 0, "synth province: -snapshot_dt must be > 0");
  SNAPFLOW_VERIFY(p.commuter_fraction >= 0 && p.commuter_fraction <= 1,
                  "synth province: -commuter_fraction must be in [0, 1]");
  SNAPFLOW_VERIFY(p.parcel_people > 0, "synth province: -parcel_people must be > 0");
  SNAPFLOW_VERIFY(p.background >= 0 && p.noise >= 0 && p.noise < 1,
                  "synth province: need -background >= 0 and 0 <= -noise < 1");
  SNAPFLOW_VERIFY(p.min_speed_kmh > 0 && p.min_speed_kmh <= p.max_speed_kmh,
                  "synth province: need 0 < -min_speed <= -max_speed (km/h)");
  grid_ = Grid{p.nx, p.ny, p.dx, p.dy, kWestEdge, kSouthEdge};

  mask_.assign(static_cast<size_t>(grid_.cells()), 0);
  for (int j = 0; j < grid_.ny; ++j)
    for (int i = 0; i < grid_.nx; ++i)
      mask_[grid_.index(j, i)] = inside_outline(grid_.centre_x(i), grid_.centre_y(j), 1.0);

  SplitMix64 random(p.seed);
  const double scale = std::min(grid_.width(), grid_.height());  // lengths scale with the grid
  std::vector<Settlement> settlements;
  const Settlement city{grid_.x0 + 0.68 * grid_.width(), grid_.y0 + 0.52 * grid_.height(),
                        kCityShare * p.people, 0.05 * scale};
  settlements.push_back(city);

  // Towns: away from the city and from each other, populations from a heavy-tailed law.
  std::vector<double> weights;
  for (int attempt = 0; static_cast<int>(settlements.size()) <= p.towns && attempt < 100000;
       ++attempt) {
    const double x = random.uniform(grid_.x0, grid_.x0 + grid_.width());
    const double y = random.uniform(grid_.y0, grid_.y0 + grid_.height());
    if (!inside_outline(x, y, kInterior - 0.05)) continue;
    bool far = std::hypot(x - city.x, y - city.y) > 0.14 * scale;
    for (size_t s = 1; far && s < settlements.size(); ++s)
      far = std::hypot(x - settlements[s].x, y - settlements[s].y) > 0.04 * scale;
    if (!far) continue;
    weights.push_back(std::min(30.0, std::pow(1.0 - random.uniform(), -1.0 / 1.2)));
    settlements.push_back(Settlement{x, y, 0.0, 0.0});
  }
  SNAPFLOW_VERIFY(static_cast<int>(settlements.size()) == p.towns + 1,
                  "synth province: could not place "
                      << p.towns << " towns apart from each other; lower -towns");
  double weight_sum = 0.0;
  for (double w : weights) weight_sum += w;
  for (size_t s = 1; s < settlements.size(); ++s) {
    settlements[s].people = kTownShare * p.people * weights[s - 1] / weight_sum;
    settlements[s].sigma = std::clamp(0.005 * scale * std::sqrt(settlements[s].people / 3000.0),
                                      1.5 * p.dx, 0.025 * scale);
  }

  // Commuter parcels: homes around their town, workplaces around the city centre.
  for (size_t s = 1; s < settlements.size(); ++s) {
    const Settlement& town = settlements[s];
    const double commuters = p.commuter_fraction * town.people;
    const long count = std::max(1L, std::lround(commuters / p.parcel_people));
    for (long c = 0; c < count && commuters > 0; ++c) {
      Parcel parcel{};
      do {
        parcel.home_x = town.x + town.sigma * random.normal();
        parcel.home_y = town.y + town.sigma * random.normal();
      } while (!inside_outline(parcel.home_x, parcel.home_y, kInterior));
      do {
        const double r = std::min(0.1 * scale, 0.02 * scale * -std::log(1.0 - random.uniform()));
        const double angle = random.uniform(0.0, 2.0 * M_PI);
        parcel.work_x = city.x + r * std::cos(angle);
        parcel.work_y = city.y + r * std::sin(angle);
      } while (!inside_outline(parcel.work_x, parcel.work_y, kInterior));
      parcel.mass = commuters / static_cast<double>(count);
      parcel.speed = kKmh * random.uniform(p.min_speed_kmh, p.max_speed_kmh);
      parcel.leave_home =
          std::clamp(7.5 * kHour + 0.75 * kHour * random.normal(), 5 * kHour, 10 * kHour);
      parcel.leave_work =
          std::clamp(17.5 * kHour + 1.0 * kHour * random.normal(), 15.5 * kHour, 21 * kHour);
      parcels_.push_back(parcel);
    }
  }
  for (size_t s = 1; s < settlements.size(); ++s)
    settlements[s].people *= 1.0 - p.commuter_fraction;  // the rest stays put
  build_static_population(settlements, (1.0 - kCityShare - kTownShare) * p.people);
  if (p.dense) add_dense_background();

  zones_.assign(static_cast<size_t>(grid_.cells()), -1);
  for (int j = 0; j < grid_.ny; ++j)
    for (int i = 0; i < grid_.nx; ++i) {
      const long k = grid_.index(j, i);
      if (!mask_[k]) continue;
      double best = 1e300;
      for (size_t s = 0; s < settlements.size(); ++s) {
        const double d =
            std::hypot(grid_.centre_x(i) - settlements[s].x, grid_.centre_y(j) - settlements[s].y);
        if (d < best) {
          best = d;
          zones_[k] = static_cast<int32_t>(s);
        }
      }
    }
}

void ProvinceCase::build_static_population(const std::vector<Settlement>& settlements,
                                           double rural) {
  static_density_.assign(static_cast<size_t>(grid_.cells()), 0.0);
  std::vector<double> shape(static_density_.size());
  // Adds `people` spread as `shape` (zero outside the mask), normalised exactly.
  auto add = [&](double people) {
    double sum = 0.0;
    for (size_t k = 0; k < shape.size(); ++k) sum += mask_[k] ? shape[k] : 0.0;
    SNAPFLOW_VERIFY(sum > 0, "synth province: a settlement fell outside the province");
    for (size_t k = 0; k < shape.size(); ++k)
      if (mask_[k]) static_density_[k] += people * shape[k] / sum;
  };
  for (size_t s = 0; s < settlements.size(); ++s) {
    const Settlement& st = settlements[s];
    std::fill(shape.begin(), shape.end(), 0.0);
    const bool city = s == 0;
    const double reach = city ? 5.0 * st.sigma : 4.0 * st.sigma;
    const int i0 = std::max(0, static_cast<int>((st.x - reach - grid_.x0) / grid_.dx));
    const int i1 = std::min(grid_.nx - 1, static_cast<int>((st.x + reach - grid_.x0) / grid_.dx));
    const int j0 = std::max(0, static_cast<int>((st.y - reach - grid_.y0) / grid_.dy));
    const int j1 = std::min(grid_.ny - 1, static_cast<int>((st.y + reach - grid_.y0) / grid_.dy));
    for (int j = j0; j <= j1; ++j)
      for (int i = i0; i <= i1; ++i) {
        const double r = std::hypot(grid_.centre_x(i) - st.x, grid_.centre_y(j) - st.y);
        if (r > reach) continue;
        const double q = r / st.sigma;
        shape[grid_.index(j, i)] = city ? std::exp(-q) : std::exp(-0.5 * q * q);
      }
    add(st.people);
  }
  SplitMix64 random(params_.seed + 1);
  for (double& v : shape) v = 0.5 + random.uniform();
  add(rural);
}

void ProvinceCase::add_dense_background() {
  // A log-normal field, correlated over about kCorrelationCells: Gaussian values on a coarse
  // lattice, interpolated bicubically-smooth (smoothstep weights) to the cells.
  constexpr int kCorrelationCells = 12;
  const int cx = grid_.nx / kCorrelationCells + 2, cy = grid_.ny / kCorrelationCells + 2;
  SplitMix64 random(params_.seed + 2);
  std::vector<double> lattice(static_cast<size_t>(cx) * cy);
  for (double& v : lattice) v = random.normal();
  const auto smooth = [](double a) { return a * a * (3.0 - 2.0 * a); };
  std::vector<double> field(static_cast<size_t>(grid_.cells()), 0.0);
  double sum = 0.0;
  long inside = 0;
  for (int j = 0; j < grid_.ny; ++j)
    for (int i = 0; i < grid_.nx; ++i) {
      const long k = grid_.index(j, i);
      if (!mask_[k]) continue;
      const double u = static_cast<double>(i) / kCorrelationCells;
      const double v = static_cast<double>(j) / kCorrelationCells;
      const int i0 = static_cast<int>(u), j0 = static_cast<int>(v);
      const double a = smooth(u - i0), b = smooth(v - j0);
      const auto at = [&](int jj, int ii) { return lattice[static_cast<size_t>(jj) * cx + ii]; };
      const double g = (1 - a) * (1 - b) * at(j0, i0) + a * (1 - b) * at(j0, i0 + 1) +
                       (1 - a) * b * at(j0 + 1, i0) + a * b * at(j0 + 1, i0 + 1);
      field[k] = std::exp(0.6 * g);
      sum += field[k];
      ++inside;
    }
  if (inside == 0 || sum <= 0) return;
  const double scale = params_.background * static_cast<double>(inside) / sum;
  for (size_t k = 0; k < field.size(); ++k) static_density_[k] += scale * field[k];
}

void ProvinceCase::fill_snapshot(long t, double* density, double* velocity) const {
  fill_state(layout().time.at(static_cast<size_t>(t)), density, velocity);
  if (!params_.dense || params_.noise <= 0) return;
  SplitMix64 random(params_.seed + 1000003ULL * static_cast<uint64_t>(t + 1));
  for (long k = 0; k < grid_.cells(); ++k)
    density[k] *= std::max(0.0, 1.0 + params_.noise * random.normal());
}

void ProvinceCase::deposit(double x, double y, double mass, double vx, double vy, double* density,
                           double* momentum) const {
  // Bilinear weights between the four surrounding cell centres, renormalised over the
  // unmasked ones so that no mass is ever lost.
  const double fx = std::clamp((x - grid_.x0) / grid_.dx - 0.5, 0.0, grid_.nx - 1.0);
  const double fy = std::clamp((y - grid_.y0) / grid_.dy - 0.5, 0.0, grid_.ny - 1.0);
  const int i0 = std::min(static_cast<int>(fx), grid_.nx - 2);
  const int j0 = std::min(static_cast<int>(fy), grid_.ny - 2);
  const double ax = fx - i0, ay = fy - j0;
  const long k[4] = {grid_.index(j0, i0), grid_.index(j0, i0 + 1), grid_.index(j0 + 1, i0),
                     grid_.index(j0 + 1, i0 + 1)};
  double w[4] = {(1 - ax) * (1 - ay), ax * (1 - ay), (1 - ax) * ay, ax * ay};
  double total = 0.0;
  for (int c = 0; c < 4; ++c) total += mask_[k[c]] ? w[c] : (w[c] = 0.0);
  SNAPFLOW_VERIFY(total > 0, "synth province: a parcel left the province");
  for (int c = 0; c < 4; ++c) {
    const double m = mass * w[c] / total;
    density[k[c]] += m;
    momentum[2 * k[c]] += m * vx;
    momentum[2 * k[c] + 1] += m * vy;
  }
}

SnapshotLayout ProvinceCase::layout() const {
  SnapshotLayout layout;
  layout.grid = grid_;
  layout.time.resize(static_cast<size_t>(params_.snapshots));
  for (long t = 0; t < params_.snapshots; ++t) layout.time[t] = t * params_.snapshot_dt;
  layout.with_truth_velocity = true;
  layout.with_mask = true;
  layout.with_zones = true;
  layout.units = "people per cell";
  layout.time_units = "s since 00:00 of the synthetic day";
  layout.crs = kProvinceCrs;
  layout.description = params_.dense ? "snapflow synth province: synthetic commuter day, dense "
                                       "population with estimation noise"
                                     : "snapflow synth province: synthetic commuter day";
  return layout;
}

void ProvinceCase::fill_state(double time, double* density, double* velocity) const {
  const size_t cells = static_cast<size_t>(grid_.cells());
  std::copy(static_density_.begin(), static_density_.end(), density);
  std::fill(velocity, velocity + 2 * cells, 0.0);
  for (const Parcel& p : parcels_) {
    double x, y, vx, vy;
    parcel_state(p, time, x, y, vx, vy);
    deposit(x, y, p.mass, vx, vy, density, velocity);
  }
  for (size_t k = 0; k < cells; ++k) {
    const double m = density[k];
    velocity[2 * k] = m > 0 ? velocity[2 * k] / m : 0.0;
    velocity[2 * k + 1] = m > 0 ? velocity[2 * k + 1] / m : 0.0;
  }
}

void ProvinceCase::parcel_state(const Parcel& p, double time, double& x, double& y, double& vx,
                                double& vy) const {
  const double dxw = p.work_x - p.home_x, dyw = p.work_y - p.home_y;
  const double trip = std::hypot(dxw, dyw) / p.speed;  // s
  double s = 0.0, direction = 0.0;  // fraction of the way to work; +1/-1 while travelling
  if (time >= p.leave_home + trip && time < p.leave_work) {
    s = 1.0;
  } else if (time >= p.leave_home && time < p.leave_home + trip) {
    s = (time - p.leave_home) / trip;
    direction = 1.0;
  } else if (time >= p.leave_work && time < p.leave_work + trip) {
    s = 1.0 - (time - p.leave_work) / trip;
    direction = -1.0;
  }
  vx = trip > 0 ? direction * dxw / trip : 0.0;
  vy = trip > 0 ? direction * dyw / trip : 0.0;
  x = p.home_x + s * dxw;
  y = p.home_y + s * dyw;
}

int32_t ProvinceCase::zone_at(double x, double y) const {
  const int i = static_cast<int>(std::floor((x - grid_.x0) / grid_.dx));
  const int j = static_cast<int>(std::floor((y - grid_.y0) / grid_.dy));
  if (i < 0 || i >= grid_.nx || j < 0 || j >= grid_.ny) return -1;
  return zones_[grid_.index(j, i)];
}

SynthCase::TruthOd ProvinceCase::truth_od() const {
  TruthOd truth;
  int32_t zones = 0;
  for (int32_t z : zones_) zones = std::max(zones, z + 1);
  truth.zones = zones;
  const double t0 = 0.0, t1 = (params_.snapshots - 1) * params_.snapshot_dt;
  for (double t = t0; t < t1 - 1e-9; t += params_.od_window) truth.window_time.push_back(t);
  truth.window_time.push_back(t1);
  const size_t W = truth.window_time.size() - 1, Z = static_cast<size_t>(zones);
  truth.od.assign(W * Z * Z, 0.0);
  // Everyone but the parcels stays in their cell: their zone's diagonal.
  std::vector<double> staying(Z, 0.0);
  for (long c = 0; c < grid_.cells(); ++c)
    if (zones_[c] >= 0) staying[zones_[c]] += static_density_[c];
  for (size_t w = 0; w < W; ++w) {
    double* od = truth.od.data() + w * Z * Z;
    for (size_t z = 0; z < Z; ++z) od[z * Z + z] += staying[z];
    for (const Parcel& p : parcels_) {
      double x, y, vx, vy;
      parcel_state(p, truth.window_time[w], x, y, vx, vy);
      const int32_t from = zone_at(x, y);
      parcel_state(p, truth.window_time[w + 1], x, y, vx, vy);
      const int32_t to = zone_at(x, y);
      if (from >= 0 && to >= 0) od[static_cast<size_t>(from) * Z + to] += p.mass;
    }
  }
  return truth;
}

double ProvinceCase::commuters() const {
  double total = 0.0;
  for (const Parcel& p : parcels_) total += p.mass;
  return total;
}

double ProvinceCase::top_speed() const {
  double fastest = 0.0;
  for (const Parcel& p : parcels_) fastest = std::max(fastest, p.speed);
  return fastest;
}

}  // namespace snapflow
