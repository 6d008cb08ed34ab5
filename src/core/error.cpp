#include "snapflow/core/error.hpp"

namespace snapflow {

void throw_error(const std::string& message) {
  throw Error(message);
}

std::string quoted(const std::string& text) {
  return "'" + text + "'";
}

}  // namespace snapflow
