// Trips through a chain of fine steps (DESIGN.md section 2.4): the mass of every zone is
// followed through the chain's plans, giving the mass that was in zone a at the chain's start
// and is in zone b at its end. Plain C++ (no MPI), one tracker per chain.
//
// A plan says how much leaves each cell, not whose mass it is. Two rules choose:
//   markov   every unit of a cell's mass leaves with the same probability (each plan,
//            normalised by the mass the cell sends, is a Markov transition): the mass in
//            transit mixes with the residents of every cell it crosses, who then seem to
//            travel while the travellers seem to stay;
//   transit  the mass that arrived last leaves first (travellers keep going, residents stay
//            until everyone who arrived after them has left).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "snapflow/transport/stencil.hpp"

namespace snapflow {

enum class TripRule { kMarkov, kTransit };
TripRule parse_trip_rule(const std::string& text);  // "markov", "transit"
std::string to_string(TripRule rule);

class TripTracker {
 public:
  // `zone_index` [cells]: zone number in [0, zones) or -1; `start` [cells]: the chain's
  // first state. Mass of cells without a zone is followed too, and left out of trips().
  TripTracker(const std::vector<int32_t>& zone_index, int zones, const double* start, int nx,
              long cells, TripRule rule);

  // One step's flows [cells][directions] (the stay slot included) on `stencil`. Mass
  // created by a relaxed step has no origin.
  void step(const std::vector<double>& flows, const transport::Stencil& stencil);

  // [zones][zones]: mass from zone a (row) now in zone b (column).
  std::vector<double> trips() const;

 private:
  struct Share {
    // 16 bytes: a busy chain holds millions of shares (6.2 million, 24 bytes each before, at
    // 06:15 on the sparse province).
    int32_t origin;   // zone number, or zones_ for none
    int32_t arrived;  // step it arrived in the cell; -1 for the mass there from the start
    double mass;
  };
  // A cell's shares, in order of arrival (the residents, arrived -1, first).
  using Shares = std::vector<Share>;
  struct Move {
    long to;
    Share share;
  };
  // Takes `amount` from `shares` by the rule, into `taken` (same origins and masses); returns
  // the mass taken.
  double take(Shares& shares, double amount, double held, Shares& taken) const;
  // Adds this step's moves to their cells, merged by origin.
  void arrive(long cells);
  // Counts the shares that arrived more than kSettledSteps ago as residents.
  void settle(Shares& shares) const;

  const std::vector<int32_t>& zone_index_;
  int zones_;
  int nx_;
  TripRule rule_;
  int32_t steps_ = 0;  // steps of one chain: far below 2^31
  std::vector<Shares> cells_;
  // Mass of each cell's shares, kept with them: a busy step reads it for every cell that sends,
  // and summing a list of a hundred origins each time was most of the tracker's work.
  std::vector<double> held_;
  // Scratch of step(): the moves, then the same grouped by cell (a counting sort), and for
  // each origin where the cell being filled holds its share of this step (valid while
  // slot_owner_ is that cell's group number).
  std::vector<Move> moves_, by_cell_;
  std::vector<long> first_move_;
  std::vector<size_t> slot_;
  std::vector<long> slot_owner_;
  long group_ = 0;
  Shares taken_;
};

}  // namespace snapflow
