// The Telecom Italia Big Data Challenge activity files (DESIGN.md section 2.3): tab-separated,
// no header, 8 fields per row: square_id, time_interval (ms since the epoch at the start of a
// 10-minute slot), country_code, sms_in, sms_out, call_in, call_out, internet. An empty
// activity field means no activity. Plain C++: each call parses whole lines of one piece of
// a file, so pieces can go to threads and ranks.
//
// The format is fixed (tabs only, no quoting, no header, no dialects), so rows are split with
// a dedicated scanner: OGR's CSV driver alone needs longer for one day than the whole ingest
// may take (bench/ingest_bench.sh; figures in docs/ingest.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "snapflow/geo/cell_grid.hpp"
#include "snapflow/ingest/bad_rows.hpp"
#include "snapflow/ingest/binned_sums.hpp"

namespace snapflow {

enum class MilanoVariable { kSmsIn, kSmsOut, kCallIn, kCallOut, kInternet, kAll };
MilanoVariable parse_milano_variable(const std::string& text);
std::string to_string(MilanoVariable variable);

constexpr int64_t kMilanoSlotMs = 600000;  // the source's 10-minute slots

// Parses the whole lines of text[0, size) into `sums` (summed over country codes), counting
// lines into `lines` and bad rows into `log` (line numbers from `first_line`, file index
// `file`). Rows of unknown squares, off-grid times, negative or non-numeric values and wrong
// field counts are logged and left out.
void parse_milano_lines(const char* text, size_t size, const CellGrid& grid,
                        MilanoVariable variable, int file, long first_line, BinnedSums& sums,
                        BadRowLog& log, long& lines);

// Offsets 0 = s_0 < s_1 < ... < s_pieces = size splitting text into pieces of about equal
// size, each starting at a line start (pieces may be empty).
std::vector<size_t> line_aligned_splits(const char* text, size_t size, int pieces);

}  // namespace snapflow
