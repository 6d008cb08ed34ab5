#include "snapflow/ingest/bad_rows.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <tuple>

#include "snapflow/core/error.hpp"

namespace snapflow {

const char* describe(BadRowKind kind) {
  switch (kind) {
    case BadRowKind::kColumns:
      return "with a wrong number of fields";
    case BadRowKind::kNotNumeric:
      return "with a field that is not a number";
    case BadRowKind::kTime:
      return "with a bad time";
    case BadRowKind::kNegative:
      return "with a negative value";
    case BadRowKind::kUnknownCell:
      return "outside the grid (unknown cell id or position)";
  }
  return "bad";
}

BadRowPolicy parse_bad_row_policy(const std::string& text) {
  if (text == "refuse") return BadRowPolicy::kRefuse;
  if (text == "skip") return BadRowPolicy::kSkip;
  throw_error("option -bad_rows: " + quoted(text) + " is not one of refuse, skip");
}

void BadRowLog::add(BadRowKind kind, int file, long line, std::string detail) {
  const int k = static_cast<int>(kind);
  if (static_cast<size_t>(counts_[k]) < kExamplesPerKind)
    examples_.push_back({kind, file, line, std::move(detail)});
  ++counts_[k];
}

void BadRowLog::merge(const BadRowLog& other, long line_offset) {
  for (int k = 0; k < kBadRowKinds; ++k) counts_[k] += other.counts_[k];
  for (BadRowExample e : other.examples_) {
    e.line += line_offset;
    examples_.push_back(std::move(e));
  }
  // Keep the earliest examples of each kind.
  std::stable_sort(examples_.begin(), examples_.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(a.kind, a.file, a.line) < std::make_tuple(b.kind, b.file, b.line);
  });
  std::vector<BadRowExample> kept;
  std::array<size_t, kBadRowKinds> per_kind{};
  for (BadRowExample& e : examples_)
    if (per_kind[static_cast<int>(e.kind)]++ < kExamplesPerKind) kept.push_back(std::move(e));
  examples_ = std::move(kept);
}

long BadRowLog::total() const {
  long n = 0;
  for (long c : counts_) n += c;
  return n;
}

std::string BadRowLog::report(const std::vector<std::string>& files) const {
  std::ostringstream os;
  os << total() << " bad row(s):";
  bool first_kind = true;
  for (int k = 0; k < kBadRowKinds; ++k) {
    if (counts_[k] == 0) continue;
    os << (first_kind ? " " : "; ") << counts_[k] << " " << describe(static_cast<BadRowKind>(k))
       << " (";
    first_kind = false;
    bool first = true;
    for (const BadRowExample& e : examples_) {
      if (static_cast<int>(e.kind) != k) continue;
      const std::string name = e.file >= 0 && e.file < static_cast<int>(files.size())
                                   ? std::filesystem::path(files[e.file]).filename().string()
                                   : "?";
      os << (first ? "" : ", ") << name << ":" << e.line << ": " << e.detail;
      first = false;
    }
    if (counts_[k] > static_cast<long>(kExamplesPerKind)) os << ", ...";
    os << ")";
  }
  return os.str();
}

std::string BadRowLog::serialise() const {
  std::ostringstream os;
  for (long c : counts_) os << c << ' ';
  os << examples_.size() << '\n';
  for (const BadRowExample& e : examples_)
    os << static_cast<int>(e.kind) << ' ' << e.file << ' ' << e.line << ' ' << e.detail << '\n';
  return os.str();
}

BadRowLog BadRowLog::deserialise(const std::string& text) {
  BadRowLog log;
  std::istringstream is(text);
  size_t examples = 0;
  for (long& c : log.counts_) is >> c;
  is >> examples;
  for (size_t n = 0; n < examples; ++n) {
    int kind = 0;
    BadRowExample e{};
    is >> kind >> e.file >> e.line;
    is.get();
    std::getline(is, e.detail);
    e.kind = static_cast<BadRowKind>(kind);
    log.examples_.push_back(std::move(e));
  }
  return log;
}

}  // namespace snapflow
