// Masses to exact integers (DESIGN.md sections 1.2-1.3): the balance policy makes the two
// states comparable, negatives are clipped, and the masses are scaled to int64 units with the
// rounding residue handed out exactly (largest remainders first), so the network flow
// solver works on exact data and its results are reproducible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace snapflow::transport {

enum class Balance { kScale, kUniform, kRelaxed };
Balance parse_balance(const std::string& text);
std::string to_string(Balance balance);

struct IntegerMasses {
  std::vector<int64_t> a, b;  // per active cell, in units of `unit`
  double clipped = 0.0;       // negative mass removed from a and b (mass units)
  double rebalanced = 0.0;    // mass added to (> 0) or removed from (< 0) b or a by the policy
  // Workspace kept from call to call: a chain rounds ~2 x 10^5 cells twice per step, and fresh
  // buffers cost more in page faults than the rounding itself.
  std::vector<double> scaled_a, scaled_b;
  std::vector<std::pair<double, size_t>> remainder;
};

// Rounds x / unit into `units`, integers whose sum is exactly `target` (must be within count
// of the rounded sum): floors, then gives one more unit to the largest remainders (ties by
// index). `remainder` is workspace.
void round_to_total(const std::vector<double>& x, double unit, int64_t target,
                    std::vector<int64_t>& units, std::vector<std::pair<double, size_t>>& remainder);

// a and b are whole-grid arrays; `cells` lists the active (unmasked) grid cells. Fills `out`
// (reusing its storage).
void integer_masses(const double* a, const double* b, const std::vector<int32_t>& cells,
                    Balance balance, double unit, IntegerMasses& out);

}  // namespace snapflow::transport
