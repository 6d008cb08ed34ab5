// Every bad input of the foundation issue is refused, on every rank, with a message naming
// the file and the dataset/attribute/value at fault (and no rank is left hanging).
#include <gtest/gtest.h>

#include "bad_inputs.hpp"
#include "snapflow/io/density_stats.hpp"
#include "snapflow/io/snapshot_reader.hpp"
#include "snapflow/io/snapshot_writer.hpp"
#include "snapflow/parallel/mpi_context.hpp"
#include "test_support.hpp"

namespace snapflow {
namespace {

class BadInputTest : public testing::TestWithParam<test::BadInput> {};

TEST_P(BadInputTest, IsRefusedWithItsMessageOnEveryRank) {
  const test::BadInput& bad = GetParam();
  const std::string path = test::shared_temp_dir() + "/" + bad.name + ".h5";
  if (comm_rank(MPI_COMM_WORLD) == 0) test::write_bad_input(bad.name, path);
  MPI_Barrier(MPI_COMM_WORLD);

  const std::string message = test::error_message([&] {
    SnapshotReader reader(MPI_COMM_WORLD, path);
    switch (bad.stage) {
      case test::Stage::kOpen:
        break;
      case test::Stage::kData: {
        auto density = reader.read_density();
        const auto stats = compute_density_stats(MPI_COMM_WORLD, reader.meta(), reader.rows(),
                                                 density, reader.read_mask());
        resolve_missing_values(reader.meta(), reader.rows(), density, stats,
                               MissingPolicy::kRefuse);
        break;
      }
      case test::Stage::kUniform:
        require_uniform_spacing(reader.meta());
        break;
      case test::Stage::kMask:
        reader.read_mask();
        reader.read_zones();
        break;
    }
  });
  EXPECT_NE(message.find(bad.expected), std::string::npos)
      << "expected a message containing \"" << bad.expected << "\", got \"" << message << "\"";
  EXPECT_NE(message.find(path), std::string::npos) << "the message must name the file: " << message;
}

INSTANTIATE_TEST_SUITE_P(AllCases, BadInputTest, testing::ValuesIn(test::bad_inputs()),
                         [](const testing::TestParamInfo<test::BadInput>& info) {
                           return info.param.name;
                         });

TEST(BadInput, NegativeDensitiesAreReportedAndAccepted) {
  const std::string path = test::shared_temp_dir() + "/negative.h5";
  SnapshotLayout layout;
  layout.grid = Grid{6, 4, 2.0, 3.0, 0.0, 0.0};
  layout.time = {0, 10, 20, 30};
  std::vector<double> cube(4 * 4 * 6, 2.0);
  cube[7] = -0.5;
  cube[30] = -3.25;
  cube[95] = -1.0;
  {
    {
      SnapshotWriter writer(MPI_COMM_WORLD, path, layout);
      const Range rows = block_range(4, comm_size(MPI_COMM_WORLD), comm_rank(MPI_COMM_WORLD));
      std::vector<double> block;
      for (long t = 0; t < 4; ++t)
        for (long j = rows.begin; j < rows.end; ++j)
          for (long i = 0; i < 6; ++i) block.push_back(cube[(t * 4 + j) * 6 + i]);
      writer.write_rows(rows, block, nullptr);
      writer.commit();
    }
    SnapshotReader reader(MPI_COMM_WORLD, path);
    auto density = reader.read_density();
    const auto stats = compute_density_stats(MPI_COMM_WORLD, reader.meta(), reader.rows(), density,
                                             reader.read_mask());
    EXPECT_EQ(resolve_missing_values(reader.meta(), reader.rows(), density, stats,
                                     MissingPolicy::kRefuse),
              "");
    EXPECT_EQ(stats.negative_count, 3);
    EXPECT_DOUBLE_EQ(stats.most_negative, -3.25);
    EXPECT_EQ(describe_negatives(stats), "3 negative value(s), most negative -3.25");
    EXPECT_DOUBLE_EQ(stats.mass[1], 24 * 2.0 - 2.0 - 3.25);
  }
}

}  // namespace
}  // namespace snapflow
