// The options of each command, bound once: name, value, help. The `-help` text is generated
// from the tables, and an option that no table of the command names (a typo such as
// -fine-dt, or an option of another command) stops the command before any work.
#pragma once

#include <string>
#include <vector>

namespace snapflow {

struct OptionSpec {
  std::string name;   // without the leading '-'
  std::string value;  // what it takes ("N", "FILE", "refuse|zero"); empty for a flag
  std::string help;   // what it does and its default; '\n' starts a continuation line
};

struct OptionGroup {
  std::string title;
  std::vector<OptionSpec> options;
  // Options of PETSc/SLEPc objects the command configures, accepted by prefix ("svd_").
  std::vector<std::string> accepted_prefixes = {};
};

using OptionGroups = std::vector<const OptionGroup*>;

// The groups as help text: a title line per group, one indented line per option.
std::string format_option_groups(const OptionGroups& groups);

// Throws UsageError naming the first option in the options database (command line or
// -options_file) that `groups` do not name, that PETSc has not consumed at initialisation and
// that no accepted prefix covers; suggests the nearest known name.
void reject_unknown_options(const std::string& command, const OptionGroups& groups);

}  // namespace snapflow
