// Particles or events (DESIGN.md section 2.3, `-format points`): NumPy .npz archives holding
// positions [T, N, 2] (and optionally weights [T, N] or [N]), or CSV tables of time, x, y
// [, weight], deposited onto a grid laid over the points' extent, conserving mass.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "snapflow/ingest/bad_rows.hpp"
#include "snapflow/ingest/ingested_series.hpp"
#include "snapflow/ingest/table_format.hpp"

namespace snapflow {

enum class Deposit { kNearest, kCloudInCell };
Deposit parse_deposit(const std::string& text);  // ngp | cic

struct PointGridOptions {
  long nx = 0;             // cells along the wider side of the extent; or
  double cell_size = 0.0;  // the cell size
  double margin = 0.1;     // fraction of the extent added on every side
  Deposit deposit = Deposit::kCloudInCell;
  std::vector<double> times;  // one per frame of an .npz (else start + k * interval)
  double start = 0.0, interval = 1.0;
  std::string crs;  // the CRS of the coordinates, when they have one
};

// A NumPy array read from an .npz archive (through GDAL's /vsizip/).
struct NpyArray {
  std::vector<size_t> shape;
  std::vector<double> values;  // C order
};
// A NumPy .npy image (format versions 1-3): throws snapflow::Error naming `where` when the
// bytes are not one, or the shape does not fit them.
NpyArray parse_npy(const unsigned char* data, size_t size, const std::string& where);
// Throws snapflow::Error naming the archive and member when it is absent or not a float
// array; `optional` members that are absent give an empty array.
NpyArray read_npz_member(const std::string& archive, const std::string& member, bool optional);

// One snapshot's points: x, y and weights (equal sizes).
struct PointFrame {
  double time = 0.0;
  std::vector<double> x, y, weight;
};

// The frames of the files: .npz archives or CSV tables (columns time, x, y, weight).
std::vector<PointFrame> read_point_frames(const std::vector<std::string>& files,
                                          const PointGridOptions& options,
                                          const TableColumns& columns, BadRowLog& log,
                                          std::vector<std::string>& notes);

// Deposits the frames on a grid over their extent (with the margin); every frame keeps its
// total weight exactly (up to rounding).
IngestedSeries deposit_points(const std::vector<PointFrame>& frames,
                              const PointGridOptions& options);

}  // namespace snapflow
