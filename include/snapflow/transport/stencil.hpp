// Where mass may move in one fine step, and what a move costs (DESIGN.md section 1.2).
#pragma once

#include <string>
#include <vector>

#include "snapflow/core/grid.hpp"

namespace snapflow::transport {

enum class StencilKind { kFour, kEight, kTwentyFour, kGlobal };
enum class CostKind { kEuclid, kPower };

StencilKind parse_stencil(const std::string& text);  // "4", "8", "24", "global"
std::string to_string(StencilKind kind);
CostKind parse_cost(const std::string& text);  // "euclid", "power"
std::string to_string(CostKind kind);

struct CostModel {
  CostKind kind = CostKind::kEuclid;
  double power = 1.0;  // q of the power cost h (|p_i - p_j| / h)^q
  // Tie-breaking: every move's cost is raised by a fixed pseudo-random amount below
  // tiebreak x h (arc_sets.hpp, tie_break), so the optimal flow is unique and continuous in the
  // data; the cost of the flows found is within a factor (1 + tiebreak) of the optimum.
  double tiebreak = 1e-3;
  // Cost of moving one unit of mass by (dx, dy), in length units.
  double operator()(double dx, double dy, double h) const;
};

// A local stencil: the offsets (ox, oy) a cell may send mass to, "stay" (0, 0) included,
// listed in output order: direction d = (oy + r) * (2r + 1) + (ox + r) for radius r, so the
// 8-stencil uses the 3 x 3 numbering of DESIGN.md section 2.2 (d = 4 is "stay"). The
// 4-stencil keeps the 3 x 3 numbering and leaves the diagonal slots unused.
struct Stencil {
  int radius = 1;
  std::vector<int> ox, oy;  // per direction slot; unused slots are marked by `used`
  std::vector<bool> used;

  int directions() const { return static_cast<int>(ox.size()); }
  int stay() const { return directions() / 2; }
  // The direction with the opposite offset.
  int opposite(int d) const { return directions() - 1 - d; }
};

Stencil make_stencil(StencilKind kind);  // not for kGlobal

}  // namespace snapflow::transport
