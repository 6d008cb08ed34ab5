// The rank coordination of the transport stage. At every synchronisation each rank's main
// thread reports what its workers need and hold; every rank combines all reports the same
// way, so all take the same decisions (who gets the next chains, whether to write, stop or
// fail) without a coordinator.
#pragma once

#include <mpi.h>

#include <vector>

namespace snapflow {

struct RankReport {
  long chains_wanted = 0;    // chains its idle workers can take now (0 once stopping)
  long finished = 0;         // chains finished and not yet written
  long busy = 0;             // chains it holds, queued or being solved
  bool interrupted = false;  // a signal asked this rank to stop
  bool failed = false;       // one of its workers met an error

  static constexpr int kFields = 5;
  void pack(long* out) const;                // kFields numbers
  static RankReport unpack(const long* in);  // from kFields numbers
};

// All ranks' reports of one synchronisation.
struct RoundReports {
  std::vector<long> chains_wanted;  // by rank
  long most_finished = 0;           // the chains every rank writes this round (some empty)
  long total_busy = 0;              // chains held anywhere
  bool interrupted = false;         // any rank was asked to stop
  bool failed = false;              // any rank's worker failed

  static RoundReports combine(const std::vector<RankReport>& reports);
};

// Collective: every rank's report to every rank, combined. Sleeps while it waits: a rank's
// main thread shares a core with a worker, and OpenMPI's blocking collectives busy-wait.
RoundReports exchange_reports(MPI_Comm comm, const RankReport& mine);

}  // namespace snapflow
