// Typed access to the PETSc options database with messages that name the option and value.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace snapflow {

// The value of option `-name`, or nullopt when it was not given. Throws if it was given
// without a value.
std::optional<std::string> option_string(const std::string& name);
std::string option_string(const std::string& name, const std::string& fallback);
long option_long(const std::string& name, long fallback, long min, long max);
double option_double(const std::string& name, double fallback, double min, double max);
// One of `choices`.
std::string option_choice(const std::string& name, const std::string& fallback,
                          const std::vector<std::string>& choices);
// True when -name was given (a flag; "-name false" or "-name 0" turns it off).
bool option_flag(const std::string& name);
// True when -help or -h was given.
bool help_requested();

}  // namespace snapflow
