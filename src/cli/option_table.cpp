#include "snapflow/cli/option_table.hpp"

#include <petscsys.h>

#include <algorithm>
#include <sstream>

#include "snapflow/core/error.hpp"

namespace snapflow {

namespace {

// Options of PETSc itself that a user may give to any command (-log_view and friends are
// consumed by PetscInitialize; these are read later or only on request).
const std::vector<std::string> kPetscPrefixes = {
    "log_",    "malloc",    "options_", "info",          "help",    "version", "on_error",
    "fp_trap", "no_signal", "mpi_",     "check_pointer", "history", "viewer_"};

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      current[j] = std::min(
          {previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(previous, current);
  }
  return previous[b.size()];
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

std::string format_option_groups(const OptionGroups& groups) {
  std::ostringstream os;
  for (const OptionGroup* group : groups) {
    os << group->title << ":\n";
    for (const OptionSpec& o : group->options) {
      std::string head = "  -" + o.name + (o.value.empty() ? "" : " " + o.value);
      std::istringstream lines(o.help);
      std::string line;
      bool first = true;
      while (std::getline(lines, line)) {
        if (first && head.size() < 24) {
          os << head << std::string(24 - head.size(), ' ') << line << "\n";
        } else {
          if (first) os << head << "\n";
          os << std::string(24, ' ') << line << "\n";
        }
        first = false;
      }
      if (first) os << head << "\n";
    }
  }
  return os.str();
}

void reject_unknown_options(const std::string& command, const OptionGroups& groups) {
  PetscInt count = 0;
  char** names = nullptr;
  char** values = nullptr;
  PetscCallAbort(PETSC_COMM_WORLD, PetscOptionsLeftGet(nullptr, &count, &names, &values));
  std::vector<std::string> unused(names, names + count);
  PetscCallAbort(PETSC_COMM_WORLD, PetscOptionsLeftRestore(nullptr, &count, &names, &values));

  std::vector<std::string> known;
  std::vector<std::string> prefixes = kPetscPrefixes;
  for (const OptionGroup* group : groups) {
    for (const OptionSpec& o : group->options) known.push_back(o.name);
    prefixes.insert(prefixes.end(), group->accepted_prefixes.begin(),
                    group->accepted_prefixes.end());
  }
  for (const std::string& given : unused) {
    const std::string name = given[0] == '-' ? given.substr(1) : given;
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    if (std::any_of(prefixes.begin(), prefixes.end(),
                    [&](const std::string& p) { return starts_with(name, p); }))
      continue;
    std::string nearest;
    size_t best = 3;  // suggest only names within two edits
    for (const std::string& k : known) {
      std::string normalised = name;
      std::replace(normalised.begin(), normalised.end(), '-', '_');
      const size_t d = edit_distance(normalised, k);
      if (d < best) {
        best = d;
        nearest = k;
      }
    }
    throw UsageError("unknown option -" + name + " for 'snapflow " + command + "'" +
                     (nearest.empty() ? "" : " (did you mean -" + nearest + "?)") + "; 'snapflow " +
                     command + " -help' lists its options");
  }
}

}  // namespace snapflow
