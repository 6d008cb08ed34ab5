// Test helper: reads an input file with SnapshotReader on every rank (each its own rows, as the
// pipeline does), gathers what was understood and writes it for tests/real_writers.py to
// compare with what the writing library meant: DIR/NAME.json (grid, times, strings) and
// DIR/NAME.bin (density [T][ny][nx] float64, NaN where missing; then mask and zones).
#include <mpi.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "snapflow/core/error.hpp"
#include "snapflow/io/snapshot_reader.hpp"
#include "snapflow/parallel/mpi_context.hpp"

namespace {

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// Every rank's row block of `local` ([leading][rows][nx]) assembled on rank 0 in row order.
std::vector<double> gather_rows(MPI_Comm comm, const std::vector<double>& local, long leading,
                                const snapflow::Grid& grid, snapflow::Range rows) {
  const int size = snapflow::comm_size(comm);
  std::vector<double> whole(static_cast<size_t>(leading * grid.cells()));
  for (long t = 0; t < leading; ++t) {
    std::vector<int> counts(size), offsets(size);
    for (int p = 0; p < size; ++p) {
      const snapflow::Range r = snapflow::block_range(grid.ny, size, p);
      counts[p] = static_cast<int>(r.size() * grid.nx);
      offsets[p] = static_cast<int>(r.begin * grid.nx);
    }
    MPI_Gatherv(local.data() + t * rows.size() * grid.nx, static_cast<int>(rows.size() * grid.nx),
                MPI_DOUBLE, whole.data() + t * grid.cells(), counts.data(), offsets.data(),
                MPI_DOUBLE, 0, comm);
  }
  return whole;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  if (argc != 3) {
    std::fprintf(stderr, "usage: read_input FILE OUT_PREFIX\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  MPI_Comm comm = MPI_COMM_WORLD;
  int status = 0;
  try {
    snapflow::SnapshotReader reader(comm, argv[1]);
    const snapflow::SnapshotMeta& meta = reader.meta();
    const auto density =
        gather_rows(comm, reader.read_density(), meta.snapshots(), meta.grid, reader.rows());
    const auto mask8 = reader.read_mask();
    const auto zones32 = reader.read_zones();
    const auto mask = gather_rows(comm, std::vector<double>(mask8.begin(), mask8.end()), 1,
                                  meta.grid, reader.rows());
    const auto zones = gather_rows(comm, std::vector<double>(zones32.begin(), zones32.end()), 1,
                                   meta.grid, reader.rows());
    if (snapflow::comm_rank(comm) == 0) {
      const std::string prefix = argv[2];
      std::ofstream bin(prefix + ".bin", std::ios::binary);
      for (const auto* v : {&density, &mask, &zones})
        bin.write(reinterpret_cast<const char*>(v->data()),
                  static_cast<std::streamsize>(v->size() * sizeof(double)));
      std::ofstream json(prefix + ".json");
      const snapflow::Grid& g = meta.grid;
      json.precision(17);
      json << "{\"nx\": " << g.nx << ", \"ny\": " << g.ny << ", \"dx\": " << g.dx
           << ", \"dy\": " << g.dy << ", \"x0\": " << g.x0 << ", \"y0\": " << g.y0
           << ", \"time\": [";
      for (long t = 0; t < meta.snapshots(); ++t) json << (t ? ", " : "") << meta.time[t];
      json << "], \"crs\": " << json_string(meta.crs) << ", \"units\": " << json_string(meta.units)
           << ", \"time_units\": " << json_string(meta.time_units)
           << ", \"time_is_epoch\": " << (meta.time_is_epoch ? "true" : "false")
           << ", \"writer\": " << json_string(meta.writer)
           << ", \"has_mask\": " << (meta.has_mask ? "true" : "false")
           << ", \"has_zones\": " << (meta.has_zones ? "true" : "false") << "}\n";
    }
  } catch (const snapflow::Error& e) {
    if (snapflow::comm_rank(comm) == 0) std::fprintf(stderr, "read_input: %s\n", e.what());
    status = 1;
  }
  MPI_Finalize();
  return status;
}
