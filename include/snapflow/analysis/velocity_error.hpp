// How well a recovered velocity field matches a known one (synthetic inputs with
// /truth/velocity): mass-weighted relative and angle errors on blocks of cells where there is
// mass, so that single cells with a few units of mass do not dominate.
#pragma once

#include "snapflow/core/grid.hpp"

namespace snapflow {

struct VelocityErrorOptions {
  int block = 4;            // blocks of block x block cells
  double threshold = 0.10;  // keep blocks whose mass is >= threshold x the frame's largest
};

// Sums over frames and blocks; add frames with add(), read the result with relative()/angle().
class VelocityError {
 public:
  explicit VelocityError(const VelocityErrorOptions& options = {}) : options_(options) {}

  // One frame: `velocity` and `truth` are [ny][nx][2]; `mass` [ny][nx] weighs the cells
  // (negative values count as 0). Block velocities are mass-weighted means of their cells.
  template <typename V>
  void add(const Grid& grid, const V* velocity, const double* truth, const double* mass);
  // The raw sums, to be added over ranks (MPI_SUM) and set back.
  static constexpr int kSums = 5;
  void sums(double out[kSums]) const;
  void set_sums(const double in[kSums]);

  // sum_B M_B |v_B - v*_B| / sum_B M_B |v*_B|
  double relative() const;
  // Mass-weighted mean angle between v_B and v*_B, degrees (blocks with v* = 0 excluded).
  double angle_degrees() const;
  long blocks() const { return static_cast<long>(blocks_); }

 private:
  VelocityErrorOptions options_;
  double error_ = 0.0, truth_ = 0.0, angle_ = 0.0, angle_mass_ = 0.0, blocks_ = 0.0;
};

}  // namespace snapflow
