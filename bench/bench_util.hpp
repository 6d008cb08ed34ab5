// What every benchmark program needs: "-name value" arguments and the process's peak memory.
#pragma once

#include <sys/resource.h>

#include <cstring>

namespace snapflow::bench {

// The value after `name` on the command line, or `fallback`.
inline const char* arg(int argc, char** argv, const char* name, const char* fallback) {
  for (int k = 1; k + 1 < argc; ++k)
    if (std::strcmp(argv[k], name) == 0) return argv[k + 1];
  return fallback;
}

// Peak resident memory of this process so far (MB).
inline double peak_rss_mb() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

}  // namespace snapflow::bench
