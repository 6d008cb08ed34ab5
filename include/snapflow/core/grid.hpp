// The regular grid of DESIGN.md section 2: arrays are [.., j, i] with j the row (south to
// north) and i the column (west to east); cell (j, i) has centre
// (x0 + (i + 1/2) dx, y0 + (j + 1/2) dy).
#pragma once

namespace snapflow {

struct Grid {
  int nx = 0;
  int ny = 0;
  double dx = 1.0;
  double dy = 1.0;
  double x0 = 0.0;
  double y0 = 0.0;

  long cells() const { return static_cast<long>(nx) * ny; }
  long index(int j, int i) const { return static_cast<long>(j) * nx + i; }
  double centre_x(int i) const { return x0 + (i + 0.5) * dx; }
  double centre_y(int j) const { return y0 + (j + 0.5) * dy; }
  double width() const { return nx * dx; }
  double height() const { return ny * dy; }
};

}  // namespace snapflow
