#include "snapflow/transport/integer_masses.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "snapflow/core/error.hpp"

namespace snapflow::transport {

Balance parse_balance(const std::string& text) {
  if (text == "scale") return Balance::kScale;
  if (text == "uniform") return Balance::kUniform;
  if (text == "relaxed") return Balance::kRelaxed;
  throw_error("option -balance: " + quoted(text) + " is not one of scale, uniform, relaxed");
}

std::string to_string(Balance balance) {
  switch (balance) {
    case Balance::kScale:
      return "scale";
    case Balance::kUniform:
      return "uniform";
    case Balance::kRelaxed:
      return "relaxed";
  }
  return "?";
}

namespace {

// Orders (remainder, cell) pairs by larger remainder, then lower cell: a strict order, so the
// same cells get the residue whatever the selection method.
bool larger_remainder(const std::pair<double, size_t>& a, const std::pair<double, size_t>& b) {
  return a.first != b.first ? a.first > b.first : a.second < b.second;
}

}  // namespace

void round_to_total(const std::vector<double>& x, double unit, int64_t target,
                    std::vector<int64_t>& units,
                    std::vector<std::pair<double, size_t>>& remainder) {
  const size_t n = x.size();
  units.resize(n);
  remainder.resize(n);  // (remainder, cell), side by side: the selection reads them in place
  int64_t sum = 0;
  for (size_t k = 0; k < n; ++k) {
    const double scaled = x[k] / unit;
    const double whole = std::floor(scaled);
    units[k] = static_cast<int64_t>(whole);
    remainder[k] = {scaled - whole, k};
    sum += units[k];
  }
  int64_t missing = target - sum;
  SNAPFLOW_VERIFY(missing == 0 || n > 0,
                  "round_to_total: " << target << " units to place but no cell to hold them");
  // The residue is below n units unless the caller's target is off; hand it out in rounds.
  while (missing != 0 && n > 0) {
    const int64_t step = missing > 0 ? 1 : -1;
    const size_t count = std::min<size_t>(n, static_cast<size_t>(std::llabs(missing)));
    if (step > 0) {
      // The `count` largest remainders.
      std::nth_element(remainder.begin(), remainder.begin() + static_cast<long>(count - 1),
                       remainder.end(), larger_remainder);
      for (size_t k = 0; k < count; ++k) units[remainder[k].second] += 1;
    } else {
      // Take units back from the smallest remainders among cells that still have one.
      std::sort(remainder.begin(), remainder.end(),
                [&](const auto& a, const auto& b) { return larger_remainder(b, a); });
      size_t taken = 0;
      for (size_t k = 0; k < n && taken < count; ++k)
        if (units[remainder[k].second] > 0) {
          units[remainder[k].second] -= 1;
          ++taken;
        }
      SNAPFLOW_VERIFY(taken > 0, "round_to_total: cannot reach the target total");
      missing += static_cast<int64_t>(taken);
      continue;
    }
    missing -= static_cast<int64_t>(count);
  }
}

void round_net_change(const std::vector<double>& xa, const std::vector<double>& xb, double unit,
                      const std::vector<int64_t>& a_units, std::vector<int64_t>& b_units,
                      std::vector<std::pair<double, size_t>>& order) {
  const size_t n = xa.size();
  b_units.resize(n);
  std::vector<int64_t>& change = b_units;  // a - b per cell, turned into b at the end
  int64_t missing = 0;
  for (size_t k = 0; k < n; ++k) {
    change[k] = std::min(static_cast<int64_t>(std::llround((xa[k] - xb[k]) / unit)), a_units[k]);
    missing -= change[k];
  }
  // The changes must sum to zero. The few units that rounding leaves over go to the cells that
  // change most in their direction, one each: an order that scaling the change keeps, so steps
  // whose changes are proportional get the same integer problem.
  while (missing != 0) {
    const int64_t step = missing > 0 ? 1 : -1;
    order.clear();
    for (size_t k = 0; k < n; ++k) {
      const double d = (xa[k] - xb[k]) * static_cast<double>(step);
      // +1 takes a unit more out of a (so b must keep one); -1 adds one to b.
      if (d > 0.0 && (step < 0 || change[k] < a_units[k])) order.push_back({d, k});
    }
    if (order.empty())  // nothing changes in that direction: any cell that can take the unit
      for (size_t k = 0; k < n; ++k)
        if (step < 0 || change[k] < a_units[k]) order.push_back({0.0, k});
    SNAPFLOW_VERIFY(!order.empty(), "round_net_change: no cell can take the rounding residue");
    const size_t count = std::min<size_t>(order.size(), static_cast<size_t>(std::llabs(missing)));
    std::nth_element(order.begin(), order.begin() + static_cast<long>(count - 1), order.end(),
                     larger_remainder);
    for (size_t k = 0; k < count; ++k) change[order[k].second] += step;
    missing -= step * static_cast<int64_t>(count);
  }
  for (size_t k = 0; k < n; ++k) b_units[k] = a_units[k] - change[k];
}

void integer_masses(const double* a, const double* b, const std::vector<int32_t>& cells,
                    Balance balance, double unit, Rounding rounding, IntegerMasses& out) {
  const size_t n = cells.size();
  std::vector<double>& xa = out.scaled_a;
  std::vector<double>& xb = out.scaled_b;
  xa.resize(n);
  xb.resize(n);
  out.clipped = out.rebalanced = 0.0;
  double total_a = 0.0, total_b = 0.0;
  for (size_t k = 0; k < n; ++k) {
    const double va = a[cells[k]], vb = b[cells[k]];
    out.clipped += (va < 0 ? -va : 0.0) + (vb < 0 ? -vb : 0.0);
    xa[k] = std::max(va, 0.0);
    xb[k] = std::max(vb, 0.0);
    total_a += xa[k];
    total_b += xb[k];
  }
  if (balance == Balance::kScale && total_b > 0.0) {
    const double factor = total_a / total_b;
    for (double& v : xb) v *= factor;
    out.rebalanced = total_a - total_b;
  } else if (balance == Balance::kUniform && n > 0) {
    // The seed paper's Remark 4.1: the excess is spread uniformly over the lighter state.
    std::vector<double>& lighter = total_a < total_b ? xa : xb;
    const double share = std::fabs(total_b - total_a) / static_cast<double>(n);
    for (double& v : lighter) v += share;
    out.rebalanced = total_a < total_b ? -(total_b - total_a) : total_a - total_b;
  }
  const double sum_a = std::accumulate(xa.begin(), xa.end(), 0.0);
  const double sum_b = std::accumulate(xb.begin(), xb.end(), 0.0);
  const int64_t target_a = std::llround(sum_a / unit);
  round_to_total(xa, unit, target_a, out.a, out.remainder);
  // Balanced policies give b exactly a's total; relaxed (or an empty b) keeps b's own.
  const bool balanced = balance != Balance::kRelaxed && sum_b > 0.0;
  out.net_change_rounded = balanced && rounding == Rounding::kNetChange;
  if (out.net_change_rounded)
    round_net_change(xa, xb, unit, out.a, out.b, out.remainder);
  else
    round_to_total(xb, unit, balanced ? target_a : std::llround(sum_b / unit), out.b,
                   out.remainder);
}

}  // namespace snapflow::transport
