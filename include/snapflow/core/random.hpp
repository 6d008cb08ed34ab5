// Deterministic, platform-independent random numbers (SplitMix64): every rank, thread and
// machine builds the same synthetic case or test instance from the same seed.
#pragma once

#include <cstdint>

namespace snapflow {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next();
  double uniform();                         // [0, 1)
  double uniform(double low, double high);  // [low, high)
  double normal();                          // standard normal (Box-Muller)

 private:
  uint64_t state_;
};

}  // namespace snapflow
