// Errors a user can cause (bad file, bad option, infeasible problem) are reported by throwing
// snapflow::Error with a message that names the file, dataset, option or value at fault.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace snapflow {

class Error : public std::runtime_error {
 public:
  // Records the first error of the process (see seconds_since_first_error).
  explicit Error(const std::string& message);
};

// Seconds since the process constructed its first snapflow::Error, or a negative number if
// it has not; and that error's message. An error ends the command on every rank within
// moments: one that does not (a rank left waiting in a collective call) is ended by the
// command line's watchdog instead of hanging until the job's time limit.
double seconds_since_first_error();
std::string first_error_message();

// A command line the program cannot act on (unknown or misspelt option, missing argument):
// the command exits with status 2 instead of 1.
class UsageError : public Error {
 public:
  using Error::Error;
};

// Always-on check (also in Release builds): throws snapflow::Error with the streamed message.
#define SNAPFLOW_VERIFY(condition, message)                   \
  do {                                                        \
    if (!(condition)) {                                       \
      std::ostringstream snapflow_verify_stream_;             \
      snapflow_verify_stream_ << message;                     \
      ::snapflow::throw_error(snapflow_verify_stream_.str()); \
    }                                                         \
  } while (0)

// Debug-only check, for invariants too costly to test in every production run: as
// SNAPFLOW_VERIFY where SNAPFLOW_DEBUG_CHECKS is defined (Debug builds, the sanitized test
// build), else nothing is evaluated.
#ifdef SNAPFLOW_DEBUG_CHECKS
#define SNAPFLOW_ASSERT(condition, message) SNAPFLOW_VERIFY(condition, message)
#else
#define SNAPFLOW_ASSERT(condition, message) \
  do {                                      \
  } while (0)
#endif

[[noreturn]] void throw_error(const std::string& message);

// Quotes a file name or value for messages: 'name'. The non-const overload keeps
// std::quoted (found by argument-dependent lookup once <iomanip> is included, e.g. through
// <filesystem>) from being chosen for a modifiable std::string.
std::string quoted(const std::string& text);
inline std::string quoted(std::string& text) {
  return quoted(static_cast<const std::string&>(text));
}

// A number as text that reads back to the same double (JSON values, settings compared as text).
std::string exact_text(double value);

}  // namespace snapflow
