#include "snapflow/ingest/milano_format.hpp"

#include <charconv>
#include <cstring>

#include "snapflow/core/error.hpp"

namespace snapflow {

MilanoVariable parse_milano_variable(const std::string& text) {
  if (text == "sms_in") return MilanoVariable::kSmsIn;
  if (text == "sms_out") return MilanoVariable::kSmsOut;
  if (text == "call_in") return MilanoVariable::kCallIn;
  if (text == "call_out") return MilanoVariable::kCallOut;
  if (text == "internet") return MilanoVariable::kInternet;
  if (text == "all") return MilanoVariable::kAll;
  throw_error("option -variable: " + quoted(text) +
              " is not one of internet, sms_in, sms_out, call_in, call_out, all");
}

std::string to_string(MilanoVariable variable) {
  switch (variable) {
    case MilanoVariable::kSmsIn:
      return "sms_in";
    case MilanoVariable::kSmsOut:
      return "sms_out";
    case MilanoVariable::kCallIn:
      return "call_in";
    case MilanoVariable::kCallOut:
      return "call_out";
    case MilanoVariable::kInternet:
      return "internet";
    case MilanoVariable::kAll:
      return "all";
  }
  return "?";
}

namespace {

constexpr int kFields = 8;
constexpr int kFirstActivity = 3;

std::string excerpt(const char* begin, const char* end) {
  std::string text(begin, static_cast<size_t>(std::min<ptrdiff_t>(end - begin, 40)));
  for (char& c : text)
    if (c == '\t') c = ' ';
  return quoted(text) + (end - begin > 40 ? "..." : "");
}

template <typename T>
bool parse_whole(const char* begin, const char* end, T& value) {
  const auto [ptr, error] = std::from_chars(begin, end, value);
  return error == std::errc() && ptr == end;
}

}  // namespace

void parse_milano_lines(const char* text, size_t size, const CellGrid& grid,
                        MilanoVariable variable, int file, long first_line, BinnedSums& sums,
                        BadRowLog& log, long& lines) {
  const char* cursor = text;
  const char* const stop = text + size;
  long line = first_line - 1;
  const int wanted = kFirstActivity + static_cast<int>(variable);
  while (cursor < stop) {
    const char* newline = static_cast<const char*>(std::memchr(cursor, '\n', stop - cursor));
    const char* line_end = newline ? newline : stop;
    const char* next = newline ? newline + 1 : stop;
    ++line;
    if (line_end > cursor && line_end[-1] == '\r') --line_end;
    if (line_end == cursor) {  // blank line
      cursor = next;
      continue;
    }
    const char* field_begin[kFields + 1];
    const char* field_end[kFields + 1];
    int fields = 0;
    for (const char* p = cursor;;) {
      const char* tab = static_cast<const char*>(std::memchr(p, '\t', line_end - p));
      const char* end = tab ? tab : line_end;
      if (fields < kFields + 1) {
        field_begin[fields] = p;
        field_end[fields] = end;
      }
      ++fields;
      if (!tab) break;
      p = tab + 1;
    }
    if (fields != kFields) {
      log.add(BadRowKind::kColumns, file, line,
              std::to_string(fields) + " fields, expected 8: " + excerpt(cursor, line_end));
      cursor = next;
      continue;
    }
    int64_t square = 0, time_ms = 0, country = 0;
    if (!parse_whole(field_begin[0], field_end[0], square) ||
        !parse_whole(field_begin[1], field_end[1], time_ms) ||
        (field_begin[2] != field_end[2] && !parse_whole(field_begin[2], field_end[2], country))) {
      log.add(BadRowKind::kNotNumeric, file, line,
              "square, time or country is not an integer: " + excerpt(cursor, line_end));
      cursor = next;
      continue;
    }
    // Every activity field must be a number (or empty), also those not summed.
    double value = 0.0;
    bool numbers = true, negative = false;
    for (int f = kFirstActivity; f < kFields; ++f) {
      if (field_begin[f] == field_end[f]) continue;  // no activity
      double v = 0.0;
      if (!parse_whole(field_begin[f], field_end[f], v) || !(v == v) || v > 1e300 || v < -1e300) {
        numbers = false;
        break;
      }
      negative = negative || v < 0.0;
      if (variable == MilanoVariable::kAll || f == wanted) value += v;
    }
    if (!numbers) {
      log.add(BadRowKind::kNotNumeric, file, line,
              "an activity field is not a number: " + excerpt(cursor, line_end));
    } else if (negative) {
      log.add(BadRowKind::kNegative, file, line, "negative activity: " + excerpt(cursor, line_end));
    } else if (time_ms % kMilanoSlotMs != 0) {
      log.add(BadRowKind::kTime, file, line,
              "time " + std::to_string(time_ms) + " ms is off the 10-minute slot grid");
    } else if (const long cell = grid.cell_of_id(square); cell < 0) {
      log.add(BadRowKind::kUnknownCell, file, line,
              "square " + std::to_string(square) + " is not in the grid");
    } else {
      sums.sums_at(time_ms)[cell] += value;
    }
    cursor = next;
  }
  lines = line - first_line + 1;
}

std::vector<size_t> line_aligned_splits(const char* text, size_t size, int pieces) {
  std::vector<size_t> splits = {0};
  for (int p = 1; p < pieces; ++p) {
    size_t at =
        std::max(splits.back(), size * static_cast<size_t>(p) / static_cast<size_t>(pieces));
    if (at > 0 && at < size && text[at - 1] != '\n') {
      const void* newline = std::memchr(text + at, '\n', size - at);
      at = newline ? static_cast<size_t>(static_cast<const char*>(newline) - text) + 1 : size;
    }
    splits.push_back(std::min(at, size));
  }
  splits.push_back(size);
  return splits;
}

}  // namespace snapflow
