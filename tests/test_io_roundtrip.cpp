// The parallel reader returns exactly what was written, whatever the number of ranks that
// wrote and read, and each rank gets only its own block of rows.
#include <gtest/gtest.h>

#include <cmath>

#include "snapflow/io/snapshot_reader.hpp"
#include "snapflow/io/snapshot_writer.hpp"
#include "snapflow/parallel/mpi_context.hpp"
#include "test_support.hpp"

namespace snapflow {
namespace {

constexpr int kNx = 7, kNy = 11;
constexpr long kT = 5;

double value(long t, long j, long i) {
  return std::sin(0.3 * t + 1.7 * j) + 0.01 * i + t * j * i;
}

SnapshotLayout test_layout() {
  SnapshotLayout layout;
  layout.grid = Grid{kNx, kNy, 140.0, 130.0, 1000.0, -50.0};
  layout.time = {0.0, 900.0, 1800.0, 2700.0, 3600.0};
  layout.with_truth_velocity = true;
  layout.with_mask = true;
  layout.with_zones = true;
  layout.units = "people per cell";
  layout.crs = "EPSG:32632";
  layout.time_units = "s";
  return layout;
}

uint8_t mask_value(long j, long i) {
  return (i + j) % 3 != 0;
}
int32_t zone_value(long j, long i) {
  return mask_value(j, i) ? static_cast<int32_t>(j / 3) : -1;
}

// Writes the test cube from the ranks of `comm`, distributing rows over them.
void write_by_rows(MPI_Comm comm, const std::string& path) {
  const SnapshotLayout layout = test_layout();
  SnapshotWriter writer(comm, path, layout);
  const Range rows = block_range(kNy, comm_size(comm), comm_rank(comm));
  std::vector<double> density, velocity;
  std::vector<uint8_t> mask;
  std::vector<int32_t> zones;
  for (long t = 0; t < kT; ++t)
    for (long j = rows.begin; j < rows.end; ++j)
      for (long i = 0; i < kNx; ++i) {
        density.push_back(value(t, j, i));
        velocity.push_back(value(t, j, i) + 0.5);
        velocity.push_back(-value(t, j, i));
      }
  for (long j = rows.begin; j < rows.end; ++j)
    for (long i = 0; i < kNx; ++i) {
      mask.push_back(mask_value(j, i));
      zones.push_back(zone_value(j, i));
    }
  writer.write_rows(rows, density, &velocity);
  writer.write_mask(rows, mask);
  writer.write_zones(rows, zones);
  writer.commit();
}

void expect_reads_back(const std::string& path) {
  SnapshotReader reader(MPI_COMM_WORLD, path);
  const SnapshotMeta& meta = reader.meta();
  EXPECT_EQ(meta.grid.nx, kNx);
  EXPECT_EQ(meta.grid.ny, kNy);
  EXPECT_EQ(meta.grid.dx, 140.0);
  EXPECT_EQ(meta.grid.dy, 130.0);
  EXPECT_EQ(meta.grid.x0, 1000.0);
  EXPECT_EQ(meta.grid.y0, -50.0);
  EXPECT_EQ(meta.time, test_layout().time);
  EXPECT_EQ(meta.units, "people per cell");
  EXPECT_EQ(meta.crs, "EPSG:32632");
  EXPECT_EQ(meta.density_type, "float64");
  EXPECT_TRUE(meta.has_mask && meta.has_zones && meta.has_truth_velocity);

  const Range rows = reader.rows();
  EXPECT_EQ(rows.begin,
            block_range(kNy, comm_size(MPI_COMM_WORLD), comm_rank(MPI_COMM_WORLD)).begin);
  const auto density = reader.read_density();
  const auto velocity = reader.read_truth_velocity();
  const auto mask = reader.read_mask();
  const auto zones = reader.read_zones();
  ASSERT_EQ(density.size(), static_cast<size_t>(kT * rows.size() * kNx));
  ASSERT_EQ(velocity.size(), 2 * density.size());
  size_t k = 0;
  for (long t = 0; t < kT; ++t)
    for (long j = rows.begin; j < rows.end; ++j)
      for (long i = 0; i < kNx; ++i, ++k) {
        ASSERT_EQ(density[k], value(t, j, i)) << "t=" << t << " j=" << j << " i=" << i;
        ASSERT_EQ(velocity[2 * k], value(t, j, i) + 0.5);
        ASSERT_EQ(velocity[2 * k + 1], -value(t, j, i));
      }
  k = 0;
  for (long j = rows.begin; j < rows.end; ++j)
    for (long i = 0; i < kNx; ++i, ++k) {
      ASSERT_EQ(mask[k], mask_value(j, i));
      ASSERT_EQ(zones[k], zone_value(j, i));
    }
}

TEST(SnapshotIO, WrittenByOneRankReadByAll) {
  const std::string path = test::shared_temp_dir() + "/one_writer.h5";
  if (comm_rank(MPI_COMM_WORLD) == 0) write_by_rows(MPI_COMM_SELF, path);
  MPI_Barrier(MPI_COMM_WORLD);
  expect_reads_back(path);
}

TEST(SnapshotIO, WrittenByAllRanksReadByAll) {
  const std::string path = test::shared_temp_dir() + "/all_writers.h5";
  write_by_rows(MPI_COMM_WORLD, path);
  expect_reads_back(path);
}

TEST(SnapshotIO, SnapshotsSharedOutOverRanks) {
  const std::string path = test::shared_temp_dir() + "/by_snapshot.h5";
  SnapshotLayout layout = test_layout();
  layout.with_mask = layout.with_zones = false;
  {
    SnapshotWriter writer(MPI_COMM_WORLD, path, layout);
    const int size = comm_size(MPI_COMM_WORLD), rank = comm_rank(MPI_COMM_WORLD);
    std::vector<double> density(kNx * kNy), velocity(2 * kNx * kNy);
    for (long round = 0; round * size < kT; ++round) {
      const long t = round * size + rank;
      const bool mine = t < kT;
      for (long j = 0; mine && j < kNy; ++j)
        for (long i = 0; i < kNx; ++i) {
          density[j * kNx + i] = value(t, j, i);
          velocity[2 * (j * kNx + i)] = value(t, j, i) + 0.5;
          velocity[2 * (j * kNx + i) + 1] = -value(t, j, i);
        }
      writer.write_snapshot(mine ? t : -1, density.data(), velocity.data());
    }
    writer.commit();
  }
  SnapshotReader reader(MPI_COMM_WORLD, path);
  EXPECT_FALSE(reader.meta().has_mask);
  const auto density = reader.read_density();
  const auto mask = reader.read_mask();  // absent: all ones
  const Range rows = reader.rows();
  size_t k = 0;
  for (long t = 0; t < kT; ++t)
    for (long j = rows.begin; j < rows.end; ++j)
      for (long i = 0; i < kNx; ++i, ++k) ASSERT_EQ(density[k], value(t, j, i));
  for (uint8_t m : mask) EXPECT_EQ(m, 1);
}

TEST(SnapshotIO, PartialFileIsRemovedWithoutCommit) {
  const std::string path = test::shared_temp_dir() + "/abandoned.h5";
  { SnapshotWriter writer(MPI_COMM_WORLD, path, test_layout()); }
  MPI_Barrier(MPI_COMM_WORLD);
  const std::string message = test::error_message([&] { SnapshotReader(MPI_COMM_WORLD, path); });
  EXPECT_NE(message.find("no such file"), std::string::npos) << message;
  const std::string partial =
      test::error_message([&] { SnapshotReader(MPI_COMM_WORLD, path + ".partial"); });
  EXPECT_NE(partial.find("no such file"), std::string::npos) << partial;
}

}  // namespace
}  // namespace snapflow
