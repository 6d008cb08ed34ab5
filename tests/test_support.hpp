// Helpers shared by the MPI test executables.
#pragma once

#include <mpi.h>

#include <functional>
#include <string>

namespace snapflow::test {

// Collective: a fresh directory, the same path on every rank, removed at program exit.
std::string shared_temp_dir();

// Runs `body` and returns the message of the snapflow::Error it throws, or "" if none.
std::string error_message(const std::function<void()>& body);

}  // namespace snapflow::test
