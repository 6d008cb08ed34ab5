#include "snapflow/core/output_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "snapflow/core/error.hpp"

namespace snapflow {

namespace fs = std::filesystem;

std::string partial_path(const std::string& path) {
  return path + ".partial";
}

std::string full_disk_note(const std::string& path) {
  const fs::path folder = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : ".";
  struct statvfs info {};
  if (::statvfs(folder.c_str(), &info) != 0) return "";
  const double free_bytes = static_cast<double>(info.f_bavail) * info.f_frsize;
  const double total = static_cast<double>(info.f_blocks) * info.f_frsize;
  if (free_bytes >= 1e6 && free_bytes >= 1e-3 * total) return "";
  return "; the disk holding " + quoted(path) + " is full (" +
         std::to_string(static_cast<long>(free_bytes / 1024)) + " KB free)";
}

std::string system_reason() {
  return std::strerror(errno);
}

namespace {

// The same file, by name after resolving links, or by device and inode when both exist.
bool same_file(const std::string& a, const std::string& b) {
  std::error_code error;
  if (fs::exists(a, error) && fs::exists(b, error)) return fs::equivalent(a, b, error);
  const fs::path ca = fs::weakly_canonical(a, error);
  const fs::path cb = fs::weakly_canonical(b, error);
  return !error && ca == cb;
}

}  // namespace

bool check_output_path(const std::string& path, const std::vector<std::string>& inputs,
                       const std::string& option) {
  SNAPFLOW_VERIFY(!path.empty(), "option " << option << " needs a file name");
  for (const std::string& input : inputs) {
    if (input.empty()) continue;
    SNAPFLOW_VERIFY(!same_file(path, input), option << " " << quoted(path) << " is the input "
                                                    << quoted(input)
                                                    << " (or a link to it); the command would "
                                                       "replace its input");
    SNAPFLOW_VERIFY(!same_file(partial_path(path), input),
                    option << " " << quoted(path) << ": the command builds "
                           << quoted(partial_path(path)) << ", which is the input "
                           << quoted(input));
  }
  std::error_code error;
  SNAPFLOW_VERIFY(!fs::is_directory(path, error),
                  option << " " << quoted(path) << " is a directory; name a file in it");
  const fs::path folder = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : ".";
  SNAPFLOW_VERIFY(fs::is_directory(folder, error), option << " " << quoted(path) << ": the folder "
                                                          << quoted(folder.string())
                                                          << " does not exist");
  SNAPFLOW_VERIFY(::access(folder.c_str(), W_OK) == 0,
                  option << " " << quoted(path) << ": cannot write in " << quoted(folder.string())
                         << " (" << system_reason() << ")");
  return fs::exists(path, error);
}

void commit_partial(const std::string& partial, const std::string& path) {
  SNAPFLOW_VERIFY(
      std::rename(partial.c_str(), path.c_str()) == 0,
      "cannot rename " << quoted(partial) << " to " << quoted(path) << ": " << system_reason());
}

void write_text_atomically(const std::string& path, const std::string& text) {
  const std::string partial = partial_path(path);
  FILE* out = std::fopen(partial.c_str(), "w");
  SNAPFLOW_VERIFY(out, "cannot create " << quoted(partial) << ": " << system_reason());
  const bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size() &&
                       std::fflush(out) == 0 && ::fsync(::fileno(out)) == 0;
  const std::string reason = written ? "" : system_reason();
  const bool closed = std::fclose(out) == 0;
  if (!written || !closed) {
    std::remove(partial.c_str());
    throw_error("cannot write " + quoted(path) + ": " +
                (reason.empty() ? system_reason() : reason));
  }
  commit_partial(partial, path);
}

OutputLock::OutputLock(const std::string& path) : lock_path_(path + ".lock") {
  for (int attempt = 0; attempt < 3; ++attempt) {
    fd_ = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    SNAPFLOW_VERIFY(fd_ >= 0,
                    "cannot create the lock " << quoted(lock_path_) << ": " << system_reason());
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      char holder[32] = {0};
      const ssize_t n = ::pread(fd_, holder, sizeof(holder) - 1, 0);
      ::close(fd_);
      fd_ = -1;
      throw_error(quoted(path) + " is being written by another process" +
                  (n > 0 ? std::string(" (pid ") + holder + ")" : std::string()) + " holding " +
                  quoted(lock_path_) + "; wait for it to finish, or stop it first");
    }
    // The file may have been removed by a writer that finished meanwhile: lock the one there.
    struct stat held {
    }, named{};
    if (::fstat(fd_, &held) == 0 && ::stat(lock_path_.c_str(), &named) == 0 &&
        held.st_ino == named.st_ino && held.st_dev == named.st_dev)
      break;
    ::close(fd_);
    fd_ = -1;
  }
  SNAPFLOW_VERIFY(fd_ >= 0, "cannot lock " << quoted(lock_path_));
  // The pid only tells a second writer who holds the lock; failing to record it is harmless.
  const std::string pid = std::to_string(::getpid());
  [[maybe_unused]] const bool recorded =
      ::ftruncate(fd_, 0) == 0 &&
      ::pwrite(fd_, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  ::unlink(lock_path_.c_str());
  ::close(fd_);
}

}  // namespace snapflow
