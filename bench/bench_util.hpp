// What every benchmark program needs: "-name value" arguments, -help and the process's peak
// memory.
#pragma once

#include <sys/resource.h>

#include <cstdio>
#include <cstring>

namespace snapflow::bench {

// The value after `name` on the command line, or `fallback`.
inline const char* arg(int argc, char** argv, const char* name, const char* fallback) {
  for (int k = 1; k + 1 < argc; ++k)
    if (std::strcmp(argv[k], name) == 0) return argv[k + 1];
  return fallback;
}

// Prints `usage` when -help, --help or -h is on the command line; true if it did.
inline bool print_usage_if_asked(int argc, char** argv, const char* usage) {
  for (int k = 1; k < argc; ++k)
    if (std::strcmp(argv[k], "-help") == 0 || std::strcmp(argv[k], "--help") == 0 ||
        std::strcmp(argv[k], "-h") == 0) {
      std::fputs(usage, stdout);
      return true;
    }
  return false;
}

// Peak resident memory of this process so far (MB).
inline double peak_rss_mb() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

}  // namespace snapflow::bench
