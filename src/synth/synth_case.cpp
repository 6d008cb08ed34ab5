#include "snapflow/synth/synth_case.hpp"

#include <cmath>

namespace snapflow {

uint64_t SplitMix64::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double SplitMix64::uniform() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

double SplitMix64::uniform(double low, double high) {
  return low + (high - low) * uniform();
}

double SplitMix64::normal() {
  const double u1 = 1.0 - uniform();  // (0, 1]
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

void write_synth_case(MPI_Comm comm, const SynthCase& synth, const std::string& path) {
  const SnapshotLayout layout = synth.layout();
  SnapshotWriter writer(comm, path, layout);
  const long snapshots = static_cast<long>(layout.time.size());
  const int size = comm_size(comm);
  const Range mine = block_range(snapshots, size, comm_rank(comm));
  const long rounds = (snapshots + size - 1) / size;
  std::vector<double> density(static_cast<size_t>(layout.grid.cells()));
  std::vector<double> velocity(2 * density.size());
  for (long round = 0; round < rounds; ++round) {
    const long t = mine.begin + round;
    const bool active = t < mine.end;
    if (active) synth.fill_snapshot(t, density.data(), velocity.data());
    writer.write_snapshot(active ? t : -1, density.data(), velocity.data());
  }
  // Mask and zones are small: rank 0 writes them whole.
  const bool root = comm_rank(comm) == 0;
  const Range all_rows = root ? Range{0, layout.grid.ny} : Range{0, 0};
  if (layout.with_mask) writer.write_mask(all_rows, root ? synth.mask() : std::vector<uint8_t>{});
  if (layout.with_zones)
    writer.write_zones(all_rows, root ? synth.zones() : std::vector<int32_t>{});
  writer.commit();
}

}  // namespace snapflow
