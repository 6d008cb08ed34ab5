#include "snapflow/parallel/mpi_context.hpp"

#include <cstdlib>

#include "snapflow/core/error.hpp"

namespace snapflow {

int comm_rank(MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  return rank;
}

int comm_size(MPI_Comm comm) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  return size;
}

Range block_range(long count, int parts, int part) {
  const long base = count / parts;
  const long extra = count % parts;
  Range r;
  r.begin = part * base + (part < extra ? part : extra);
  r.end = r.begin + base + (part < extra ? 1 : 0);
  return r;
}

MPI_Comm node_comm(MPI_Comm comm) {
  MPI_Comm shared = MPI_COMM_NULL;
  MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, comm_rank(comm), MPI_INFO_NULL, &shared);
  const char* text = std::getenv("SNAPFLOW_SIMULATED_NODES");
  long nodes = 1;
  bool valid = true;
  if (text && *text) {
    char* end = nullptr;
    nodes = std::strtol(text, &end, 10);
    valid = end && *end == '\0' && nodes >= 1;
  }
  if (!valid) MPI_Comm_free(&shared);
  agree(comm, valid,
        std::string("SNAPFLOW_SIMULATED_NODES=") + (text ? text : "") +
            " is not a number of nodes >= 1");
  if (nodes == 1) return shared;
  const int size = comm_size(shared), rank = comm_rank(shared);
  const int simulated = static_cast<int>(static_cast<long>(rank) * nodes / size);
  MPI_Comm part = MPI_COMM_NULL;
  MPI_Comm_split(shared, simulated, rank, &part);
  MPI_Comm_free(&shared);
  return part;
}

void agree(MPI_Comm comm, bool ok, const std::string& message_if_not) {
  const int size = comm_size(comm);
  const int mine = ok ? size : comm_rank(comm);
  int first_failed = size;
  MPI_Allreduce(&mine, &first_failed, 1, MPI_INT, MPI_MIN, comm);
  if (first_failed == size) return;
  std::string message = message_if_not;
  int length = static_cast<int>(message.size());
  MPI_Bcast(&length, 1, MPI_INT, first_failed, comm);
  message.resize(static_cast<size_t>(length));
  MPI_Bcast(message.data(), length, MPI_CHAR, first_failed, comm);
  throw Error(message);
}

void collectively(MPI_Comm comm, const std::function<void()>& local_work) {
  std::string message;
  bool ok = true;
  try {
    local_work();
  } catch (const Error& e) {
    ok = false;
    message = e.what();
  }
  agree(comm, ok, message);
}

}  // namespace snapflow
