// libFuzzer target: arbitrary bytes as a NumPy .npy image. Either an array whose values fit
// the bytes, or a snapflow::Error; nothing else.
#include <cstddef>
#include <cstdint>

#include "snapflow/core/error.hpp"
#include "snapflow/ingest/point_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const snapflow::NpyArray array = snapflow::parse_npy(data, size, "fuzz.npy");
    size_t count = 1;
    for (size_t d : array.shape) count *= d;
    if (count != array.values.size()) __builtin_trap();
  } catch (const snapflow::Error&) {
  }
  return 0;
}
