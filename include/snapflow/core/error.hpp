// Errors a user can cause (bad file, bad option, infeasible problem) are reported by throwing
// snapflow::Error with a message that names the file, dataset, option or value at fault.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace snapflow {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

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

[[noreturn]] void throw_error(const std::string& message);

// Quotes a file name or value for messages: 'name'.
std::string quoted(const std::string& text);

}  // namespace snapflow
