// The rank coordination of `snapflow run`'s transport stage: reports survive packing, and
// every rank combines all ranks' reports into the same decisions.
#include <gtest/gtest.h>
#include <mpi.h>

#include <vector>

#include "snapflow/parallel/mpi_context.hpp"
#include "snapflow/pipeline/rank_report.hpp"

namespace snapflow {
namespace {

TEST(RankReport, PacksAndUnpacksEveryField) {
  RankReport report;
  report.chains_wanted = 3;
  report.finished = 2;
  report.busy = 7;
  report.interrupted = true;
  report.failed = false;
  long packed[RankReport::kFields];
  report.pack(packed);
  const RankReport back = RankReport::unpack(packed);
  EXPECT_EQ(back.chains_wanted, 3);
  EXPECT_EQ(back.finished, 2);
  EXPECT_EQ(back.busy, 7);
  EXPECT_TRUE(back.interrupted);
  EXPECT_FALSE(back.failed);
}

TEST(RoundReports, CombinesWantsByRankTheLargestFinishedAndAnyStopOrFailure) {
  std::vector<RankReport> reports(3);
  reports[0].chains_wanted = 2;
  reports[0].finished = 1;
  reports[0].busy = 4;
  reports[1].chains_wanted = 0;
  reports[1].finished = 3;
  reports[1].busy = 1;
  reports[1].failed = true;
  reports[2].chains_wanted = 5;
  reports[2].interrupted = true;
  const RoundReports round = RoundReports::combine(reports);
  EXPECT_EQ(round.chains_wanted, (std::vector<long>{2, 0, 5}));
  EXPECT_EQ(round.most_finished, 3);
  EXPECT_EQ(round.total_busy, 5);
  EXPECT_TRUE(round.interrupted);
  EXPECT_TRUE(round.failed);
  const RoundReports quiet = RoundReports::combine(std::vector<RankReport>(2));
  EXPECT_FALSE(quiet.interrupted || quiet.failed);
  EXPECT_EQ(quiet.most_finished, 0);
}

TEST(ExchangeReports, EveryRankSeesTheSameCombinedRound) {
  const int rank = comm_rank(MPI_COMM_WORLD), size = comm_size(MPI_COMM_WORLD);
  RankReport mine;
  mine.chains_wanted = 10 + rank;
  mine.finished = rank;
  mine.busy = 2;
  mine.failed = rank == size - 1 && size > 1;
  const RoundReports round = exchange_reports(MPI_COMM_WORLD, mine);
  ASSERT_EQ(static_cast<int>(round.chains_wanted.size()), size);
  for (int p = 0; p < size; ++p) EXPECT_EQ(round.chains_wanted[p], 10 + p);
  EXPECT_EQ(round.most_finished, size - 1);
  EXPECT_EQ(round.total_busy, 2L * size);
  EXPECT_EQ(round.failed, size > 1);
  EXPECT_FALSE(round.interrupted);
}

}  // namespace
}  // namespace snapflow
