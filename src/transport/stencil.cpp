#include "snapflow/transport/stencil.hpp"

#include <cmath>

#include "snapflow/core/error.hpp"

namespace snapflow::transport {

StencilKind parse_stencil(const std::string& text) {
  if (text == "4") return StencilKind::kFour;
  if (text == "8") return StencilKind::kEight;
  if (text == "24") return StencilKind::kTwentyFour;
  if (text == "global") return StencilKind::kGlobal;
  throw_error("option -stencil: " + quoted(text) + " is not one of 4, 8, 24, global");
}

std::string to_string(StencilKind kind) {
  switch (kind) {
    case StencilKind::kFour:
      return "4";
    case StencilKind::kEight:
      return "8";
    case StencilKind::kTwentyFour:
      return "24";
    case StencilKind::kGlobal:
      return "global";
  }
  return "?";
}

CostKind parse_cost(const std::string& text) {
  if (text == "euclid") return CostKind::kEuclid;
  if (text == "power") return CostKind::kPower;
  throw_error("option -cost: " + quoted(text) + " is not one of euclid, power");
}

std::string to_string(CostKind kind) {
  return kind == CostKind::kEuclid ? "euclid" : "power";
}

double CostModel::operator()(double dx, double dy, double h) const {
  const double distance = std::hypot(dx, dy);
  if (kind == CostKind::kEuclid) return distance;
  return h * std::pow(distance / h, power);
}

Stencil make_stencil(StencilKind kind) {
  SNAPFLOW_VERIFY(kind != StencilKind::kGlobal, "make_stencil: the global problem has no stencil");
  Stencil s;
  s.radius = kind == StencilKind::kTwentyFour ? 2 : 1;
  const int width = 2 * s.radius + 1;
  for (int oy = -s.radius; oy <= s.radius; ++oy)
    for (int ox = -s.radius; ox <= s.radius; ++ox) {
      s.ox.push_back(ox);
      s.oy.push_back(oy);
      s.used.push_back(kind != StencilKind::kFour || ox == 0 || oy == 0);
    }
  SNAPFLOW_VERIFY(static_cast<int>(s.ox.size()) == width * width, "stencil size");
  return s;
}

}  // namespace snapflow::transport
