// libFuzzer target: arbitrary text as a CF time unit ("minutes since 2013-11-01") and as a
// CSV time cell (epoch seconds or ISO 8601 through OGR).
#include <cstddef>
#include <cstdint>
#include <string>

#include "snapflow/ingest/table_format.hpp"
#include "snapflow/io/input_conventions.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)snapflow::parse_cf_time_units(text);
  (void)snapflow::parse_time_text(text);
  return 0;
}
