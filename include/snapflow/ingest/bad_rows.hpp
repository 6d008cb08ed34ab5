// Rows of a source file that cannot be ingested, by kind, with the first few examples
// (file and line) so that a report names where to look. Plain C++: one log per thread or
// piece of a file, merged afterwards.
#pragma once

#include <array>
#include <string>
#include <vector>

namespace snapflow {

enum class BadRowKind {
  kColumns,      // wrong number of fields
  kNotNumeric,   // a field that should be a number is not one
  kTime,         // a time that cannot be read, or is off the slot grid
  kNegative,     // a negative value where only >= 0 makes sense
  kUnknownCell,  // a cell id the grid does not have, or a point outside the grid
};
constexpr int kBadRowKinds = 5;
const char* describe(BadRowKind kind);

enum class BadRowPolicy { kRefuse, kSkip };
BadRowPolicy parse_bad_row_policy(const std::string& text);  // refuse | skip

struct BadRowExample {
  BadRowKind kind;
  int file = 0;   // index into the ingest's list of files
  long line = 0;  // 1-based
  std::string detail;
};

class BadRowLog {
 public:
  static constexpr size_t kExamplesPerKind = 3;

  void add(BadRowKind kind, int file, long line, std::string detail);
  // Adds `other`, whose line numbers are offset by `line_offset`.
  void merge(const BadRowLog& other, long line_offset = 0);

  long total() const;
  long count(BadRowKind kind) const { return counts_[static_cast<int>(kind)]; }
  const std::vector<BadRowExample>& examples() const { return examples_; }

  // "3 bad row(s): 2 with a wrong number of fields (day.txt:12: 7 fields, expected 8; ...),
  // 1 with a negative value (...)".
  std::string report(const std::vector<std::string>& files) const;

  // Flat text form for gathering logs across processes, and back.
  std::string serialise() const;
  static BadRowLog deserialise(const std::string& text);

 private:
  std::array<long, kBadRowKinds> counts_{};
  std::vector<BadRowExample> examples_;
};

}  // namespace snapflow
