#include "snapflow/transport/min_energy_flow.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace snapflow::transport {

namespace {

double dot(const std::vector<double>& x, const std::vector<double>& y) {
  double sum = 0.0;
  for (size_t k = 0; k < x.size(); ++k) sum += x[k] * y[k];
  return sum;
}

}  // namespace

MinEnergyResult MinEnergyFlow::choose(const OptimalFace& face,
                                      const std::vector<int32_t>& active_cells,
                                      const Stencil& stencil, std::vector<double>& flows) {
  MinEnergyResult result;
  const int32_t cells = static_cast<int32_t>(face.a.size());
  // Masses relative to the total, so the tolerances do not depend on the unit.
  const double total = std::accumulate(face.a.begin(), face.a.end(), 0.0);
  if (total <= 0) return result;
  if (separate_.size() != static_cast<size_t>(cells)) {
    separate_.assign(static_cast<size_t>(cells), 0);
    lambda_out_.assign(static_cast<size_t>(cells), 0.0);
    lambda_in_.assign(static_cast<size_t>(cells), 0.0);
  }
  for (int32_t c = 0; c < cells; ++c) separate_[c] |= face.apart[c];
  // The net change alone lets a cell pass on more than it holds. Such cells get an out- and an
  // in-node, joined (unless the face keeps them apart) by a stay arc stiff enough to be nearly
  // free, whose flow cannot go negative; as in the simplex, split cells stay split.
  for (int round = 0;; ++round) {
    solve(face, total);
    result.newton_steps += newton_steps_;
    result.cg_steps += cg_steps_;
    result.residual = residual_norm_;
    if (result.residual > settings_.tolerance) return result;
    std::vector<double> out(static_cast<size_t>(cells), 0.0);
    for (size_t k = 0; k < face.moves.size(); ++k) out[face.moves[k].from] += move_[k] * total;
    bool overdrawn = false;
    for (int32_t c = 0; c < cells; ++c)
      if (!separate_[c] && out[c] > face.a[c] * (1 + 1e-9) + 1e-12 * total) {
        separate_[c] = 1;
        overdrawn = true;
      }
    if (!overdrawn) {
      const int K = stencil.directions(), stay = stencil.stay();
      for (int32_t c = 0; c < cells; ++c) {
        double* row = flows.data() + static_cast<size_t>(active_cells[c]) * K;
        for (int d = 0; d < K; ++d) row[d] = 0.0;
        row[stay] = std::max(0.0, face.a[c] - out[c]);
      }
      for (size_t k = 0; k < face.moves.size(); ++k)
        flows[static_cast<size_t>(active_cells[face.moves[k].from]) * K + face.moves[k].slot] =
            move_[k] * total;
      result.chosen = true;
      return result;
    }
    if (round == 4) return result;
  }
}

void MinEnergyFlow::solve(const OptimalFace& face, double total) {
  const int32_t cells = static_cast<int32_t>(face.a.size());
  node_out_.resize(static_cast<size_t>(cells));
  node_in_.resize(static_cast<size_t>(cells));
  int32_t nodes = 0;
  for (int32_t c = 0; c < cells; ++c) {
    node_out_[c] = nodes++;
    node_in_[c] = separate_[c] ? nodes++ : node_out_[c];
  }
  delta_.assign(static_cast<size_t>(nodes), 0.0);
  lambda_.resize(static_cast<size_t>(nodes));
  for (int32_t c = 0; c < cells; ++c) {
    delta_[node_out_[c]] -= face.a[c] / total;
    delta_[node_in_[c]] += face.b[c] / total;
    lambda_[node_out_[c]] = lambda_out_[c];
    lambda_[node_in_[c]] = separate_[c] ? lambda_in_[c] : lambda_out_[c];
  }
  // Arcs: the moves, then the stays of the split cells the face lets keep mass.
  constexpr double kStiffStay = 1e3;
  const size_t moves = face.moves.size();
  tail_.resize(moves);
  head_.resize(moves);
  weight_.resize(moves);
  for (size_t k = 0; k < moves; ++k) {
    tail_[k] = node_out_[face.moves[k].from];
    head_[k] = node_in_[face.moves[k].to];
    weight_[k] = std::max(0.0, face.a[face.moves[k].from] / total);
  }
  for (int32_t c = 0; c < cells; ++c)
    if (separate_[c] && !face.apart[c] && face.a[c] > 0) {
      tail_.push_back(node_out_[c]);
      head_.push_back(node_in_[c]);
      weight_.push_back(kStiffStay * face.a[c] / total);
    }
  const size_t arcs = tail_.size();
  const double delta_norm = std::sqrt(dot(delta_, delta_));
  move_.resize(arcs);
  residual_.resize(static_cast<size_t>(nodes));

  // Flows of the multipliers x and the net change they leave unmet (kept when `keep`); returns
  // the dual objective x . delta - 1/2 sum w max(0, difference)^2, to be maximised.
  const auto evaluate = [&](const std::vector<double>& x, bool keep) {
    double objective = dot(x, delta_);
    if (keep) residual_ = delta_;
    for (size_t k = 0; k < arcs; ++k) {
      const double difference = std::max(0.0, x[head_[k]] - x[tail_[k]]);
      objective -= 0.5 * weight_[k] * difference * difference;
      if (!keep) continue;
      move_[k] = weight_[k] * difference;
      residual_[head_[k]] -= move_[k];
      residual_[tail_[k]] += move_[k];
    }
    return objective;
  };

  active_.resize(arcs);
  diagonal_.resize(static_cast<size_t>(nodes));
  step_.resize(static_cast<size_t>(nodes));
  trial_.resize(static_cast<size_t>(nodes));
  cg_z_.resize(static_cast<size_t>(nodes));
  cg_q_.resize(static_cast<size_t>(nodes));
  newton_steps_ = 0;
  cg_steps_ = 0;
  double objective = evaluate(lambda_, true);
  double shift = 1e-6;  // regularisation, relative to the mean diagonal
  for (;; ++newton_steps_) {
    residual_norm_ = delta_norm > 0 ? std::sqrt(dot(residual_, residual_)) / delta_norm : 0.0;
    if (residual_norm_ <= settings_.tolerance || newton_steps_ == settings_.max_newton_steps) break;
    // The Laplacian of the arcs that carry flow (or are about to), plus shift x mean diagonal
    // where the graph of those arcs falls apart.
    std::fill(diagonal_.begin(), diagonal_.end(), 0.0);
    for (size_t k = 0; k < arcs; ++k) {
      active_[k] = weight_[k] > 0 && lambda_[head_[k]] >= lambda_[tail_[k]];
      if (!active_[k]) continue;
      diagonal_[head_[k]] += weight_[k];
      diagonal_[tail_[k]] += weight_[k];
    }
    const double mean_diagonal = std::accumulate(diagonal_.begin(), diagonal_.end(), 0.0) / nodes;
    if (mean_diagonal <= 0) break;
    const double regular = shift * mean_diagonal;
    const auto apply = [&](const std::vector<double>& x, std::vector<double>& y) {
      for (int32_t v = 0; v < nodes; ++v) y[v] = regular * x[v];
      for (size_t k = 0; k < arcs; ++k) {
        if (!active_[k]) continue;
        const double f = weight_[k] * (x[head_[k]] - x[tail_[k]]);
        y[head_[k]] += f;
        y[tail_[k]] -= f;
      }
    };
    // The Newton step by conjugate gradients, preconditioned by the diagonal.
    cg_r_ = residual_;
    std::fill(step_.begin(), step_.end(), 0.0);
    for (int32_t v = 0; v < nodes; ++v) cg_z_[v] = cg_r_[v] / (diagonal_[v] + regular);
    cg_p_ = cg_z_;
    double rz = dot(cg_r_, cg_z_);
    const double stop = 1e-16 * dot(cg_r_, cg_r_);
    for (int it = 0; it < settings_.max_cg_steps && dot(cg_r_, cg_r_) > stop; ++it) {
      ++cg_steps_;
      apply(cg_p_, cg_q_);
      const double alpha = rz / dot(cg_p_, cg_q_);
      for (int32_t v = 0; v < nodes; ++v) {
        step_[v] += alpha * cg_p_[v];
        cg_r_[v] -= alpha * cg_q_[v];
        cg_z_[v] = cg_r_[v] / (diagonal_[v] + regular);
      }
      const double rz_next = dot(cg_r_, cg_z_);
      for (int32_t v = 0; v < nodes; ++v) cg_p_[v] = cg_z_[v] + (rz_next / rz) * cg_p_[v];
      rz = rz_next;
    }
    // Backtrack until the dual objective does not fall.
    double length = 1.0;
    for (; length > 1e-8; length *= 0.5) {
      for (int32_t v = 0; v < nodes; ++v) trial_[v] = lambda_[v] + length * step_[v];
      if (evaluate(trial_, false) >= objective) break;
    }
    if (length <= 1e-8) {
      shift = std::min(shift * 100.0, 1.0);  // not an ascent direction: regularise more
      continue;
    }
    lambda_.swap(trial_);
    objective = evaluate(lambda_, true);
    shift = length == 1.0 ? std::max(shift * 0.1, 1e-12) : std::min(shift * 10.0, 1.0);
  }
  for (int32_t c = 0; c < cells; ++c) {
    lambda_out_[c] = lambda_[node_out_[c]];
    lambda_in_[c] = lambda_[node_in_[c]];
  }
}

}  // namespace snapflow::transport
