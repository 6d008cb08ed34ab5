#include "snapflow/pipeline/rank_report.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "snapflow/parallel/mpi_context.hpp"

namespace snapflow {

void RankReport::pack(long* out) const {
  out[0] = chains_wanted;
  out[1] = finished;
  out[2] = busy;
  out[3] = interrupted ? 1 : 0;
  out[4] = failed ? 1 : 0;
}

RankReport RankReport::unpack(const long* in) {
  RankReport report;
  report.chains_wanted = in[0];
  report.finished = in[1];
  report.busy = in[2];
  report.interrupted = in[3] != 0;
  report.failed = in[4] != 0;
  return report;
}

RoundReports RoundReports::combine(const std::vector<RankReport>& reports) {
  RoundReports round;
  for (const RankReport& r : reports) {
    round.chains_wanted.push_back(r.chains_wanted);
    round.most_finished = std::max(round.most_finished, r.finished);
    round.total_busy += r.busy;
    round.interrupted = round.interrupted || r.interrupted;
    round.failed = round.failed || r.failed;
  }
  return round;
}

RoundReports exchange_reports(MPI_Comm comm, const RankReport& mine) {
  const int size = comm_size(comm);
  long packed[RankReport::kFields];
  mine.pack(packed);
  std::vector<long> all(static_cast<size_t>(RankReport::kFields) * size);
  MPI_Request request;
  MPI_Iallgather(packed, RankReport::kFields, MPI_LONG, all.data(), RankReport::kFields, MPI_LONG,
                 comm, &request);
  for (int done = 0;;) {
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) break;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  std::vector<RankReport> reports;
  for (int p = 0; p < size; ++p)
    reports.push_back(
        RankReport::unpack(all.data() + static_cast<size_t>(RankReport::kFields) * p));
  return RoundReports::combine(reports);
}

}  // namespace snapflow
