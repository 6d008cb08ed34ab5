// Synthetic inputs with a known velocity field (DESIGN.md section 4).
#pragma once

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "snapflow/core/random.hpp"
#include "snapflow/io/snapshot_writer.hpp"

namespace snapflow {

class SynthCase {
 public:
  virtual ~SynthCase() = default;
  // Grid, snapshot times and optional datasets of the file this case produces.
  virtual SnapshotLayout layout() const = 0;
  // The state at any `time` (s): mass per cell `density` [ny][nx] and the mean velocity of
  // that mass `velocity` [ny][nx][2] (length unit per second).
  virtual void fill_state(double time, double* density, double* velocity) const = 0;
  // The state at snapshot t of the layout, as the input file holds it (a case may add the
  // estimation noise of measured snapshots; fill_state stays the noise-free truth).
  virtual void fill_snapshot(long t, double* density, double* velocity) const;
  // Whole-grid mask [ny][nx] and zones; only called when the layout says they exist.
  virtual std::vector<uint8_t> mask() const { return {}; }
  virtual std::vector<int32_t> zones() const { return {}; }
  // Known trips between the zones (DESIGN.md section 2.1 /truth/od): for each window
  // [window_time[w], window_time[w + 1]], the mass in zone a at its start that is in zone b
  // at its end, [W][Z][Z] over the zone ids 0..Z-1 in order. Empty when the case has none.
  struct TruthOd {
    std::vector<double> window_time, od;
    long zones = 0;
  };
  virtual TruthOd truth_od() const { return {}; }
  // The fastest any of the mass moves (length/s), where a cell's mean velocity understates it
  // (travellers among residents); 0: the largest mean velocity of a cell with mass is.
  virtual double top_speed() const { return 0.0; }
};

// The rectangle of the analytic cases: n x ny cells over side x side_y, where ny = 0 and
// side_y = 0 (left unset) take n and side, a square. Throws, naming the case, on values that
// make no grid.
void complete_rectangle(const std::string& case_name, int n, int& ny, double side, double& side_y);

// Layout of the analytic cases: `snapshots` times k * dt from 0, a truth velocity, no mask.
SnapshotLayout analytic_layout(const Grid& grid, long snapshots, double dt,
                               const std::string& description);

// Collective: writes every snapshot of `synth` to `path` (snapshots shared out over the
// ranks of `comm`), with its mask and zones, atomically.
void write_synth_case(MPI_Comm comm, const SynthCase& synth, const std::string& path);

}  // namespace snapflow
