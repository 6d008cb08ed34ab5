#include "snapflow/dmd/rank_rule.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "snapflow/core/error.hpp"

namespace snapflow {

double svht_threshold(const std::vector<double>& sigma, long rows, long cols) {
  SNAPFLOW_VERIFY(!sigma.empty(), "svht: no singular values");
  const double beta = static_cast<double>(std::min(rows, cols)) / std::max(rows, cols);
  // Approximation of omega(beta) for unknown noise (Gavish & Donoho 2014, eq. 5).
  const double omega = 0.56 * beta * beta * beta - 0.95 * beta * beta + 1.82 * beta + 1.43;
  std::vector<double> sorted = sigma;
  const size_t mid = sorted.size() / 2;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(mid), sorted.end());
  double median = sorted[mid];
  if (sorted.size() % 2 == 0) {
    const double lower = *std::max_element(sorted.begin(), sorted.begin() + static_cast<long>(mid));
    median = 0.5 * (median + lower);
  }
  return omega * median;
}

RankChoice choose_rank(const std::vector<double>& sigma, long rows, long cols,
                       const std::string& rank_option, double energy, bool cap_fixed) {
  SNAPFLOW_VERIFY(!sigma.empty() && sigma.front() > 0,
                  "DMD: the snapshot matrix is zero (no singular value above 0)");
  for (double s : sigma)
    SNAPFLOW_VERIFY(std::isfinite(s), "DMD: the SVD of the snapshot matrix gave a singular value "
                                          << s
                                          << " (values too large or too small for double "
                                             "arithmetic: rescale the data)");
  const int available = static_cast<int>(sigma.size());
  int positive = 0;  // keep only modes with sigma_i > eps sigma_1 (S^-1 must exist)
  while (positive < available && sigma[positive] > 1e-13 * sigma.front()) ++positive;
  RankChoice choice;
  std::ostringstream rule;
  SNAPFLOW_VERIFY(rank_option.empty() || energy <= 0,
                  "DMD: give either -dmd_rank or -dmd_energy, not both");
  if (rank_option == "svht") {
    const double threshold = svht_threshold(sigma, rows, cols);
    while (choice.rank < positive && sigma[choice.rank] > threshold) ++choice.rank;
    choice.rank = std::max(choice.rank, 1);
    rule << "svht (Gavish-Donoho, threshold " << threshold << ")";
  } else if (!rank_option.empty()) {
    errno = 0;
    char* end = nullptr;
    const long wanted = std::strtol(rank_option.c_str(), &end, 10);
    SNAPFLOW_VERIFY(
        errno == 0 && end && *end == '\0' && wanted >= 1,
        "option -dmd_rank: expected a positive integer or 'svht', got " << quoted(rank_option));
    SNAPFLOW_VERIFY(wanted <= positive || cap_fixed,
                    "option -dmd_rank: " << wanted << " exceeds the numerical rank " << positive
                                         << " of the snapshot matrix X (singular values above "
                                            "1e-13 sigma_1; identical snapshots add no rank)");
    choice.rank = static_cast<int>(std::min<long>(wanted, positive));
    rule << "fixed " << wanted;
    if (wanted > positive) rule << ", capped at the window's numerical rank " << positive;
  } else {
    const double fraction = energy > 0 ? energy : 0.9999;
    SNAPFLOW_VERIFY(fraction <= 1.0, "option -dmd_energy: " << fraction << " is not in (0, 1]");
    double total = 0.0, kept = 0.0;
    for (double s : sigma) total += s * s;
    while (choice.rank < positive && kept < fraction * total) {
      kept += sigma[choice.rank] * sigma[choice.rank];
      ++choice.rank;
    }
    rule << "energy " << fraction << (energy > 0 ? "" : " (default)");
  }
  SNAPFLOW_VERIFY(choice.rank >= 1, "DMD: the rank rule " << rule.str() << " keeps no mode");
  choice.rule = rule.str();
  return choice;
}

}  // namespace snapflow
