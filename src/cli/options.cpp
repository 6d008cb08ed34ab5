#include "snapflow/cli/options.hpp"

#include <petscsys.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "snapflow/core/error.hpp"

namespace snapflow {

std::optional<std::string> option_string(const std::string& name) {
  char value[PETSC_MAX_PATH_LEN] = {0};
  PetscBool set = PETSC_FALSE;
  const std::string key = "-" + name;
  PetscOptionsGetString(nullptr, nullptr, key.c_str(), value, sizeof(value), &set);
  if (!set) return std::nullopt;
  SNAPFLOW_VERIFY(value[0] != '\0', "option " << key << " needs a value");
  return std::string(value);
}

std::string option_string(const std::string& name, const std::string& fallback) {
  return option_string(name).value_or(fallback);
}

long option_long(const std::string& name, long fallback, long min, long max) {
  const auto text = option_string(name);
  if (!text) return fallback;
  errno = 0;
  char* end = nullptr;
  const long value = std::strtol(text->c_str(), &end, 10);
  SNAPFLOW_VERIFY(errno == 0 && end && *end == '\0',
                  "option -" << name << ": expected an integer, got " << quoted(*text));
  SNAPFLOW_VERIFY(value >= min && value <= max, "option -" << name << ": " << value
                                                           << " is out of range [" << min << ", "
                                                           << max << "]");
  return value;
}

double option_double(const std::string& name, double fallback, double min, double max) {
  const auto text = option_string(name);
  if (!text) return fallback;
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text->c_str(), &end);
  SNAPFLOW_VERIFY(errno == 0 && end && *end == '\0' && std::isfinite(value),
                  "option -" << name << ": expected a finite number, got " << quoted(*text));
  SNAPFLOW_VERIFY(value >= min && value <= max, "option -" << name << ": " << value
                                                           << " is out of range [" << min << ", "
                                                           << max << "]");
  return value;
}

std::string option_choice(const std::string& name, const std::string& fallback,
                          const std::vector<std::string>& choices) {
  const std::string value = option_string(name, fallback);
  std::string list;
  for (const auto& c : choices) {
    if (c == value) return value;
    list += (list.empty() ? "" : ", ") + c;
  }
  throw_error("option -" + name + ": " + quoted(value) + " is not one of " + list);
}

bool option_flag(const std::string& name) {
  PetscBool value = PETSC_FALSE, set = PETSC_FALSE;
  const std::string key = "-" + name;
  PetscOptionsGetBool(nullptr, nullptr, key.c_str(), &value, &set);
  return set && value;
}

bool help_requested() {
  PetscBool help = PETSC_FALSE, h = PETSC_FALSE;
  PetscOptionsHasName(nullptr, nullptr, "-help", &help);
  PetscOptionsHasName(nullptr, nullptr, "-h", &h);
  return help || h;
}

}  // namespace snapflow
