#include "snapflow/dmd/replicated_modes.hpp"

#include <algorithm>

#include "snapflow/core/error.hpp"
#include "snapflow/parallel/mpi_context.hpp"
#include "snapflow/schedule/mode_sum.hpp"

namespace snapflow {

ReplicatedModes::ReplicatedModes(MPI_Comm comm, const DmdModel& model, Sharing sharing)
    : rank_(model.rank()), t0_(model.t0()), amplitude_(model.amplitudes()), omega_(model.omega()) {
  const long local = model.local_rows();
  long offset = 0;
  MPI_Allreduce(&local, &cells_, 1, MPI_LONG, MPI_SUM, comm);
  MPI_Exscan(&local, &offset, 1, MPI_LONG, MPI_SUM, comm);
  if (comm_rank(comm) == 0) offset = 0;

  if (sharing == Sharing::kPerNode)
    node_ = node_comm(comm);
  else
    MPI_Comm_split(comm, comm_rank(comm), 0, &node_);
  const bool leader = comm_rank(node_) == 0;
  const MPI_Aint bytes = leader ? static_cast<MPI_Aint>(node_bytes()) : 0;
  double* base = nullptr;
  MPI_Win_allocate_shared(bytes, sizeof(double), MPI_INFO_NULL, node_, &base, &window_);
  MPI_Aint size = 0;
  int unit = 0;
  MPI_Win_shared_query(window_, 0, &size, &unit, &base);
  double* modes = base;
  modes_ = base;

  // Each rank writes its own rows into its node's copy...
  MPI_Win_fence(0, window_);
  for (int j = 0; j < rank_; ++j) {
    std::copy(model.mode_real(j), model.mode_real(j) + local, modes + j * cells_ + offset);
    std::copy(model.mode_imag(j), model.mode_imag(j) + local,
              modes + (rank_ + j) * cells_ + offset);
  }
  MPI_Win_fence(0, window_);

  // ...then the node leaders exchange their nodes' rows (contiguous: ranks of a node are
  // consecutive and own consecutive rows).
  long node_first = offset, node_count = local;
  MPI_Allreduce(&offset, &node_first, 1, MPI_LONG, MPI_MIN, node_);
  MPI_Allreduce(&local, &node_count, 1, MPI_LONG, MPI_SUM, node_);
  long node_last = offset + local, node_end = 0;
  MPI_Allreduce(&node_last, &node_end, 1, MPI_LONG, MPI_MAX, node_);
  agree(comm, node_end - node_first == node_count,
        "replicated DMD modes: the ranks of a node do not own consecutive rows");
  MPI_Comm leaders;
  MPI_Comm_split(comm, leader ? 0 : MPI_UNDEFINED, comm_rank(comm), &leaders);
  if (leader) {
    const int nodes = comm_size(leaders);
    if (nodes > 1) {
      std::vector<int> counts(nodes), displs(nodes);
      const int my_count = static_cast<int>(node_count), my_first = static_cast<int>(node_first);
      MPI_Allgather(&my_count, 1, MPI_INT, counts.data(), 1, MPI_INT, leaders);
      MPI_Allgather(&my_first, 1, MPI_INT, displs.data(), 1, MPI_INT, leaders);
      for (int j = 0; j < 2 * rank_; ++j)
        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, modes + j * cells_, counts.data(),
                       displs.data(), MPI_DOUBLE, leaders);
    }
    MPI_Comm_free(&leaders);
  }
  MPI_Win_fence(0, window_);
}

ReplicatedModes::~ReplicatedModes() {
  if (window_ != MPI_WIN_NULL) MPI_Win_free(&window_);
  if (node_ != MPI_COMM_NULL) MPI_Comm_free(&node_);
}

void ReplicatedModes::state(double t, double* out) const {
  sum_dmd_modes(modes_, cells_, amplitude_, omega_, t0_, t, out);
}

}  // namespace snapflow
