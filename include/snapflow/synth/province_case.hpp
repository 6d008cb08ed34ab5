// `province`: a synthetic commuter day on a province-sized grid (DESIGN.md section 4).
//
// People live in a city, many towns and the countryside inside a convex province outline
// (/mask). A fraction of each town's people commute: parcels of a few people travel in a
// straight line at a constant speed (<= the maximum speed) from home to a workplace in the
// city in the morning and back in the evening. Each parcel is deposited bilinearly on the
// grid (weights renormalised over unmasked cells), so the total mass is conserved to
// rounding and the velocity of every cell (momentum / mass) is known exactly.
// /zones holds the nearest settlement (0 = the city, 1.. = towns).
//
// `-population dense` (the `province-dense` workload) makes it look like a measured presence
// raster: a spatially correlated background of people in every cell (under and between the
// towns; `background` people per cell on average) who stay put, and per-snapshot estimation
// noise (each cell of each snapshot scaled by 1 + noise x N(0, 1), at least 0). The truth
// velocity is that of the noise-free state, whose mass includes the background.
#pragma once

#include <vector>

#include "snapflow/synth/synth_case.hpp"

namespace snapflow {

// The synthetic province lies in UTM zone 32N with its south-west corner at 45.14 N, 8.75 E
// (south-west of Milan), so that lon/lat outputs and exports place it on a map.
inline constexpr const char* kProvinceCrs = "EPSG:32632";
inline constexpr double kWestEdge = 480000.0, kSouthEdge = 5000000.0;  // m

struct ProvinceParams {
  int nx = 511, ny = 389;
  double dx = 140.0, dy = 130.0;  // m
  double people = 3.0e6;
  int towns = 120;
  long snapshots = 96;
  double snapshot_dt = 900.0;       // s (15 min)
  double commuter_fraction = 0.25;  // of each town's people
  double parcel_people = 3.0;       // people per travelling parcel
  double min_speed_kmh = 20.0, max_speed_kmh = 50.0;
  uint64_t seed = 2024;
  bool dense = false;         // -population dense
  double background = 8.0;    // dense: mean people per cell of the background
  double noise = 0.03;        // dense: relative per-snapshot estimation noise
  double od_window = 3600.0;  // s: windows of /truth/od
};

class ProvinceCase : public SynthCase {
 public:
  explicit ProvinceCase(const ProvinceParams& params);
  SnapshotLayout layout() const override;
  void fill_state(double time, double* density, double* velocity) const override;
  void fill_snapshot(long t, double* density, double* velocity) const override;
  std::vector<uint8_t> mask() const override { return mask_; }
  std::vector<int32_t> zones() const override { return zones_; }
  // Windows of od_window seconds from the first snapshot: the commuter parcels' zones at both ends
  // (the zone of the cell holding the parcel), every other person staying in their cell's zone.
  TruthOd truth_od() const override;

  long parcels() const { return static_cast<long>(parcels_.size()); }
  double commuters() const;
  // Largest parcel speed (m/s): residents dilute a cell's mean velocity, not the CFL rule.
  double top_speed() const override;

 private:
  struct Parcel {
    double home_x, home_y, work_x, work_y;
    double mass, speed;             // people, m/s
    double leave_home, leave_work;  // s since midnight
  };
  struct Settlement {
    double x, y, people, sigma;
  };
  bool inside_outline(double x, double y, double scale) const;
  // Where parcel p is at `time`, and its velocity.
  void parcel_state(const Parcel& p, double time, double& x, double& y, double& vx,
                    double& vy) const;
  // The zone of the cell holding (x, y), or -1.
  int32_t zone_at(double x, double y) const;
  void build_static_population(const std::vector<Settlement>& settlements, double rural);
  void add_dense_background();
  void deposit(double x, double y, double mass, double vx, double vy, double* density,
               double* momentum) const;

  ProvinceParams params_;
  Grid grid_;
  std::vector<uint8_t> mask_;
  std::vector<int32_t> zones_;
  std::vector<double> static_density_;  // people who never move
  std::vector<Parcel> parcels_;
};

}  // namespace snapflow
