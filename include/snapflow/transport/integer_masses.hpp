// Masses to exact integers (DESIGN.md sections 1.2-1.3): the balance policy makes the two
// states comparable, negatives are clipped, and the masses are scaled to int64 units with the
// rounding residue handed out exactly (largest remainders first), so the network flow
// solver works on exact data and its results are reproducible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace snapflow::transport {

enum class Balance { kScale, kUniform, kRelaxed };
Balance parse_balance(const std::string& text);
std::string to_string(Balance balance);

struct IntegerMasses {
  std::vector<int64_t> a, b;  // per active cell, in units of `unit`
  double clipped = 0.0;       // negative mass removed from a and b (mass units)
  double rebalanced = 0.0;    // mass added to (> 0) or removed from (< 0) b or a by the policy
};

// Rounds x / unit to integers whose sum is exactly `target` (must be within count of the
// rounded sum): floors, then gives one more unit to the largest remainders (ties by index).
std::vector<int64_t> round_to_total(const std::vector<double>& x, double unit, int64_t target);

// a and b are whole-grid arrays; `cells` lists the active (unmasked) grid cells.
IntegerMasses integer_masses(const double* a, const double* b, const std::vector<int32_t>& cells,
                             Balance balance, double unit);

}  // namespace snapflow::transport
