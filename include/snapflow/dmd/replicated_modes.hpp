// Whole-grid DMD states on any rank, from modes replicated once per node: the transport
// workers need x(t) on the whole grid, but a copy of Phi (r x n complex) per rank would
// multiply the memory by the ranks per node. One MPI shared-memory window per node holds
// the modes; every rank of the node reads it.
#pragma once

#include <mpi.h>

#include <complex>
#include <vector>

#include "snapflow/dmd/dmd_model.hpp"

namespace snapflow {

class ReplicatedModes {
 public:
  enum class Sharing { kPerNode, kPerRank };
  // Collective over `comm`, whose ranks hold the model's rows in rank order (block
  // partition, as the reader gives them). kPerRank treats every rank as a node of its own
  // (one copy per rank; also how the tests exercise the exchange between nodes).
  ReplicatedModes(MPI_Comm comm, const DmdModel& model, Sharing sharing = Sharing::kPerNode);
  ~ReplicatedModes();
  ReplicatedModes(const ReplicatedModes&) = delete;
  ReplicatedModes& operator=(const ReplicatedModes&) = delete;

  long cells() const { return cells_; }
  // Whole-grid x(t) = Re(Phi (b .* exp(omega (t - t0)))) into out[cells()], O(cells x r).
  void state(double t, double* out) const;
  // Bytes of the node's shared copy (counted once per node).
  size_t node_bytes() const { return static_cast<size_t>(2 * rank_) * cells_ * sizeof(double); }

 private:
  long cells_ = 0;
  int rank_ = 0;
  double t0_ = 0.0;
  std::vector<std::complex<double>> amplitude_, omega_;
  MPI_Comm node_ = MPI_COMM_NULL;
  MPI_Win window_ = MPI_WIN_NULL;
  const double* modes_ = nullptr;  // [2][r][cells]: real parts, then imaginary parts
};

}  // namespace snapflow
