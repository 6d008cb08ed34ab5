#include "snapflow/schedule/trip_tracker.hpp"

#include <algorithm>

#include "snapflow/core/error.hpp"

namespace snapflow {

namespace {
// Travellers who arrived more than this many steps ago count as residents: it bounds the
// number of shares per cell.
constexpr long kSettledSteps = 8;
// How far ahead step() and arrive() fetch the cells' lists.
constexpr long kPrefetchAhead = 8;
}  // namespace

TripRule parse_trip_rule(const std::string& text) {
  if (text == "markov") return TripRule::kMarkov;
  if (text == "transit") return TripRule::kTransit;
  throw Error("option -od_trips: " + quoted(text) + " is not one of markov, transit");
}

std::string to_string(TripRule rule) {
  return rule == TripRule::kMarkov ? "markov" : "transit";
}

TripTracker::TripTracker(const std::vector<int32_t>& zone_index, int zones, const double* start,
                         int nx, long cells, TripRule rule)
    : zone_index_(zone_index),
      zones_(zones),
      nx_(nx),
      rule_(rule),
      cells_(static_cast<size_t>(cells)),
      held_(static_cast<size_t>(cells), 0.0),
      slot_(static_cast<size_t>(zones) + 1),
      slot_owner_(static_cast<size_t>(zones) + 1, -1) {
  for (long c = 0; c < cells; ++c)
    if (start[c] > 0) {
      cells_[c].push_back({zone_index[c] >= 0 ? zone_index[c] : zones, -1, start[c]});
      held_[c] = start[c];
    }
}

double TripTracker::take(Shares& shares, double amount, double held, Shares& taken) const {
  taken.clear();
  double total = 0.0;
  if (rule_ == TripRule::kMarkov) {
    const double fraction = std::min(1.0, amount / held);
    for (Share& s : shares) {
      taken.push_back({s.origin, s.arrived, s.mass * fraction});
      total += s.mass * fraction;
      s.mass -= s.mass * fraction;
    }
    return total;
  }
  // Last in, first out: the latest arrivals (at the end) leave first; equal arrivals leave in
  // proportion.
  for (size_t end = shares.size(); end > 0 && amount > 0;) {
    size_t first = end;
    double group = 0.0;
    while (first > 0 && shares[first - 1].arrived == shares[end - 1].arrived)
      group += shares[--first].mass;
    const double fraction = group > 0 ? std::min(1.0, amount / group) : 0.0;
    for (size_t k = first; k < end; ++k) {
      taken.push_back({shares[k].origin, shares[k].arrived, shares[k].mass * fraction});
      total += shares[k].mass * fraction;
      shares[k].mass -= shares[k].mass * fraction;
    }
    amount -= group * fraction;
    end = first;
  }
  return total;
}

void TripTracker::step(const std::vector<double>& flows, const transport::Stencil& stencil) {
  const int directions = stencil.directions(), stay = stencil.stay();
  const long cells = static_cast<long>(cells_.size());
  ++steps_;
  // Read every cell's shares before any arrive (a cell both sends and receives).
  moves_.clear();
  for (long c = 0; c < cells; ++c) {
    const double* f = flows.data() + c * directions;
    double sent = 0.0, leaving = 0.0;
    for (int d = 0; d < directions; ++d) {
      sent += f[d];
      if (d != stay) leaving += f[d];
    }
    Shares& shares = cells_[c];
    // Each cell's list lives on its own in the heap: fetch the tail (where take() starts) a few
    // cells ahead, or a busy step waits on memory for most of its senders.
    if (c + kPrefetchAhead < cells) {
      const Shares& ahead = cells_[c + kPrefetchAhead];
      if (!ahead.empty()) __builtin_prefetch(&ahead.back());
    }
    if (sent <= 0.0) {
      shares.clear();  // a relaxed step destroyed the cell's mass
      held_[c] = 0.0;
      continue;
    }
    if (leaving <= 0.0 || shares.empty()) continue;
    // The plan's share of the cell's mass that leaves, applied to the mass followed here.
    const double held = held_[c];
    held_[c] = std::max(0.0, held - take(shares, held * leaving / sent, held, taken_));
    for (int d = 0; d < directions; ++d) {
      if (d == stay || f[d] <= 0.0) continue;
      const double fraction = f[d] / leaving;
      const long to = c + stencil.oy[d] * nx_ + stencil.ox[d];
      for (const Share& s : taken_) moves_.push_back({to, {s.origin, steps_, s.mass * fraction}});
    }
    if (rule_ == TripRule::kTransit) {
      // Whole groups leave from the end: the emptied shares are the last ones.
      while (!shares.empty() && shares.back().mass <= 0.0) shares.pop_back();
    } else {
      shares.erase(std::remove_if(shares.begin(), shares.end(),
                                  [](const Share& s) { return s.mass <= 0.0; }),
                   shares.end());
    }
  }
  arrive(cells);
  if (rule_ == TripRule::kTransit && steps_ % kSettledSteps == 0)
    for (Shares& shares : cells_) settle(shares);
}

void TripTracker::arrive(long cells) {
  // Group the moves by cell, keeping their order within a cell (a stable counting sort).
  first_move_.assign(static_cast<size_t>(cells) + 1, 0);
  for (const Move& m : moves_) ++first_move_[m.to + 1];
  for (long c = 0; c < cells; ++c) first_move_[c + 1] += first_move_[c];
  by_cell_.resize(moves_.size());
  for (const Move& m : moves_) by_cell_[first_move_[m.to]++] = m;
  // Shares that arrived in the same step merge by origin (markov: every share, all "-1").
  for (size_t k = 0; k < by_cell_.size();) {
    const long to = by_cell_[k].to;
    Shares& shares = cells_[to];
    ++group_;
    if (rule_ == TripRule::kMarkov)
      for (size_t s = 0; s < shares.size(); ++s) {
        slot_[shares[s].origin] = s;
        slot_owner_[shares[s].origin] = group_;
      }
    for (; k < by_cell_.size() && by_cell_[k].to == to; ++k) {
      if (k + kPrefetchAhead < by_cell_.size()) {
        const Shares& ahead = cells_[by_cell_[k + kPrefetchAhead].to];
        if (!ahead.empty()) __builtin_prefetch(&ahead.back(), 1);
      }
      Share share = by_cell_[k].share;
      if (rule_ == TripRule::kMarkov) share.arrived = -1;  // ages do not matter
      held_[to] += share.mass;
      if (slot_owner_[share.origin] == group_) {
        shares[slot_[share.origin]].mass += share.mass;
      } else {
        slot_[share.origin] = shares.size();
        slot_owner_[share.origin] = group_;
        shares.push_back(share);
      }
    }
  }
}

void TripTracker::settle(Shares& shares) const {
  // The settled shares are a prefix (shares are in order of arrival): merge them by origin
  // into residents, in place, and keep the recent ones after them.
  const auto recent = std::find_if(shares.begin(), shares.end(), [&](const Share& s) {
    return steps_ - s.arrived <= kSettledSteps && s.arrived >= 0;
  });
  std::sort(shares.begin(), recent,
            [](const Share& a, const Share& b) { return a.origin < b.origin; });
  auto kept = shares.begin();
  for (auto s = shares.begin(); s != recent; ++s) {
    if (kept != shares.begin() && (kept - 1)->origin == s->origin) {
      (kept - 1)->mass += s->mass;
      continue;
    }
    *kept++ = {s->origin, -1, s->mass};
  }
  shares.erase(kept, recent);
  // Lists shrink at each settling; give back what a busy hour left them.
  if (shares.capacity() > 2 * shares.size() + 4) shares.shrink_to_fit();
}

std::vector<double> TripTracker::trips() const {
  std::vector<double> od(static_cast<size_t>(zones_) * zones_, 0.0);
  for (size_t c = 0; c < cells_.size(); ++c) {
    const int32_t to = zone_index_[c];
    if (to < 0) continue;
    for (const Share& s : cells_[c])
      if (s.origin < zones_) od[static_cast<size_t>(s.origin) * zones_ + to] += s.mass;
  }
  return od;
}

}  // namespace snapflow
