// Small MPI helpers: rank/size, block partitions, and collective error agreement.
#pragma once

#include <mpi.h>

#include <functional>
#include <string>

namespace snapflow {

int comm_rank(MPI_Comm comm);
int comm_size(MPI_Comm comm);

// Half-open range [begin, end) of a block partition.
struct Range {
  long begin = 0;
  long end = 0;
  long size() const { return end - begin; }
};

// Block `part` of `count` items split into `parts` nearly equal contiguous blocks
// (the first count % parts blocks get one extra item).
Range block_range(long count, int parts, int part);

// The ranks of `comm` on this rank's node (MPI_COMM_TYPE_SHARED), in `comm`'s order; the
// caller frees it. SNAPFLOW_SIMULATED_NODES=N splits every node further into N nodes of
// consecutive ranks, so that one machine tests what several nodes do (the output must not
// change). Throws snapflow::Error on every rank for a value that is not a count >= 1.
MPI_Comm node_comm(MPI_Comm comm);

// Runs `local_work` on every rank of `comm`. If it throws snapflow::Error on any rank, every
// rank throws the same Error carrying the message of the lowest failing rank, so a failure
// seen by one rank can never leave the others waiting in a later collective call.
// `local_work` must not itself make collective calls on `comm`.
void collectively(MPI_Comm comm, const std::function<void()>& local_work);

// Throws the same Error on every rank when `ok` is false on any rank (message from the
// lowest such rank).
void agree(MPI_Comm comm, bool ok, const std::string& message_if_not);

}  // namespace snapflow
