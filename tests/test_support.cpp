#include "test_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "snapflow/core/error.hpp"
#include "snapflow/parallel/mpi_context.hpp"

namespace snapflow::test {

namespace {
std::vector<std::string>& dirs_to_remove() {
  static std::vector<std::string> dirs;
  return dirs;
}
void remove_dirs() {
  for (const auto& d : dirs_to_remove()) std::filesystem::remove_all(d);
}
}  // namespace

std::string shared_temp_dir() {
  std::string path;
  if (comm_rank(MPI_COMM_WORLD) == 0) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "snapflow-test-XXXXXX").string();
    char* made = mkdtemp(pattern.data());
    path = made ? made : "";
    if (dirs_to_remove().empty()) std::atexit(remove_dirs);
    dirs_to_remove().push_back(path);
  }
  int length = static_cast<int>(path.size());
  MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
  path.resize(static_cast<size_t>(length));
  MPI_Bcast(path.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);
  return path;
}

std::string error_message(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace snapflow::test
