// How every command writes a file: never over one of its inputs, under "<path>.partial" until
// it is complete, renamed into place at once, and with an exclusive lock while it is written,
// so a reader never mistakes a partial file for a complete one and two processes never write
// the same one. Plain C++ (the MPI layers call it on one rank and agree on the outcome).
#pragma once

#include <string>
#include <vector>

namespace snapflow {

// "<path>.partial": where an output is built.
std::string partial_path(const std::string& path);

// Throws snapflow::Error unless `path` (named by option `option`) can be written: it is not
// one of `inputs` nor a link to one (nor is its ".partial" twin), not a directory, and its
// folder exists and is writable. Returns true when a complete file is already there (it will
// be replaced: the caller says so).
bool check_output_path(const std::string& path, const std::vector<std::string>& inputs,
                       const std::string& option = "-o");

// Renames `partial` to `path`, or throws naming both and the system's reason.
void commit_partial(const std::string& partial, const std::string& path);

// Writes `text` to "<path>.partial", flushes it and renames it to `path`; throws naming the
// path and the system's reason (e.g. "No space left on device").
void write_text_atomically(const std::string& path, const std::string& text);

// "; the disk holding 'path' is full (12 KB free)" when the file system of `path` has less
// than 1 MB (or 0.1%) free, else "": names the likely cause of a failed write that the
// layers below report only as "file write failed".
std::string full_disk_note(const std::string& path);

// The system's text for the current errno, e.g. "No space left on device".
std::string system_reason();

// An exclusive lock on the output `path` while it is written: flock on "<path>.lock", which
// holds the pid of the process. Throws snapflow::Error when another process holds it. The
// lock ends with the process (even killed); a normal release removes the lock file.
class OutputLock {
 public:
  explicit OutputLock(const std::string& path);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  std::string lock_path_;
  int fd_ = -1;
};

}  // namespace snapflow
