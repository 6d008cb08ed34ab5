// How many DMD modes to keep (DESIGN.md section 1.1): a fixed rank, an energy fraction, or
// the optimal hard threshold of Gavish and Donoho (2014) for an unknown noise level.
#pragma once

#include <string>
#include <vector>

namespace snapflow {

struct RankChoice {
  int rank = 0;
  std::string rule;  // e.g. "fixed 20", "energy 0.999", "svht (threshold 1.2e+03)"
};

// `rank_option` is "" (unset), a positive integer, or "svht"; `energy` in (0, 1] or <= 0
// (unset). With neither, the energy rule with 0.9999 is used. `rows` x `cols` is the shape
// of the snapshot matrix X; `sigma` its singular values, descending. Throws on bad values. A
// fixed rank above the numerical rank of X is refused, or with `cap_fixed` (the windows of a
// long series: a quiet night window has rank 1) capped at it, the rule saying so.
RankChoice choose_rank(const std::vector<double>& sigma, long rows, long cols,
                       const std::string& rank_option, double energy, bool cap_fixed = false);

// Gavish-Donoho: omega(beta) * median(sigma), beta = min(rows, cols) / max(rows, cols).
double svht_threshold(const std::vector<double>& sigma, long rows, long cols);

}  // namespace snapflow
