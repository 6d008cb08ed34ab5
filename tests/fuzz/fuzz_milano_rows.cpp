// libFuzzer target: arbitrary bytes as a piece of a Milan activity file. The parser must log
// every bad row and never crash, read out of bounds or sum a row twice.
#include <cstddef>
#include <cstdint>

#include "snapflow/core/error.hpp"
#include "snapflow/ingest/milano_format.hpp"

namespace {
snapflow::CellGrid make_grid() {
  snapflow::CellGrid grid;
  grid.grid.nx = grid.grid.ny = 10;
  grid.cell_id.resize(100);
  for (int k = 0; k < 100; ++k) grid.cell_id[k] = k + 1;
  grid.index_ids();
  return grid;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const snapflow::CellGrid grid = make_grid();
  const char* text = reinterpret_cast<const char*>(data);
  for (const auto variable :
       {snapflow::MilanoVariable::kInternet, snapflow::MilanoVariable::kAll}) {
    snapflow::BinnedSums sums(grid.grid.cells(), 1200000);
    snapflow::BadRowLog log;
    long lines = 0;
    const auto splits = snapflow::line_aligned_splits(text, size, 3);
    for (size_t p = 0; p + 1 < splits.size(); ++p)
      snapflow::parse_milano_lines(text + splits[p], splits[p + 1] - splits[p], grid, variable, 0,
                                   1, sums, log, lines);
    (void)log.report({"fuzz.txt"});
    const auto again = snapflow::BadRowLog::deserialise(log.serialise());
    if (again.total() != log.total()) __builtin_trap();
  }
  return 0;
}
