// Masses to exact integers (DESIGN.md sections 1.2-1.3): the balance policy makes the two
// states comparable, negatives are clipped, and the masses are scaled to int64 units with the
// rounding residue handed out exactly, so the network flow solver works on exact data and its
// results are reproducible.
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

// How b's units are found under a balanced policy. kNetChange: a's units less the net change
// a - b rounded per cell, so a cell whose change is below half a unit keeps its mass (the
// solver's default: see round_net_change). kStates: b rounded on its own like a, so equal
// masses get equal units wherever they are (what an exact shift of a state needs when every
// cell on the way passes on all it holds); also what the relaxed policy always does.
enum class Rounding { kNetChange, kStates };

struct IntegerMasses {
  std::vector<int64_t> a, b;  // per active cell, in units of `unit`
  double clipped = 0.0;       // negative mass removed from a and b (mass units)
  double rebalanced = 0.0;    // mass added to (> 0) or removed from (< 0) b or a by the policy
  bool net_change_rounded = false;  // b's units came from the rounded net change
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

// b's units for a balanced pair: a's units less the net change a - b rounded to the nearest
// unit per cell (never below 0 units of b), the residue that leaves given one unit each to the
// cells changing most in its direction. Where a quiet step changes most cells by less than a
// unit, b rounded on its own gives a +-1 in cells that differ from step to step (2^48 units of
// a province day's total: 47,000 cells at noon), a fresh problem for every warm start; this
// keeps them at 0, and proportional changes on the same cells. `order` is workspace.
void round_net_change(const std::vector<double>& xa, const std::vector<double>& xb, double unit,
                      const std::vector<int64_t>& a_units, std::vector<int64_t>& b_units,
                      std::vector<std::pair<double, size_t>>& order);

// a and b are whole-grid arrays; `cells` lists the active (unmasked) grid cells. Fills `out`
// (reusing its storage).
void integer_masses(const double* a, const double* b, const std::vector<int32_t>& cells,
                    Balance balance, double unit, Rounding rounding, IntegerMasses& out);

}  // namespace snapflow::transport
