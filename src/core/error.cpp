#include "snapflow/core/error.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

namespace snapflow {

namespace {
std::atomic<double> first_error_time{-1.0};
std::mutex first_error_mutex;
std::string first_error_text;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

Error::Error(const std::string& message) : std::runtime_error(message) {
  std::lock_guard<std::mutex> guard(first_error_mutex);
  if (first_error_time.load() < 0) {
    first_error_text = message;
    first_error_time.store(now_seconds());
  }
}

double seconds_since_first_error() {
  const double first = first_error_time.load();
  return first < 0 ? -1.0 : now_seconds() - first;
}

std::string first_error_message() {
  std::lock_guard<std::mutex> guard(first_error_mutex);
  return first_error_text;
}

void throw_error(const std::string& message) {
  throw Error(message);
}

std::string quoted(const std::string& text) {
  return "'" + text + "'";
}

std::string exact_text(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.17g", value);
  return text;
}

}  // namespace snapflow
