// One process at a time: an exclusive advisory lock (flock) on a file, held
// until the FileLock is destroyed or its process ends however it ends (kill -9
// included: the kernel releases it, so a stale lock never blocks anyone). The
// file records the holder's pid and host for the message a second process gets.
#ifndef HUALE_CORE_FILE_LOCK_H_
#define HUALE_CORE_FILE_LOCK_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"

namespace huale {

class FileLock {
 public:
  // Takes the lock on `path` (created with its parent folders if missing)
  // without waiting. Held by another process: kUnavailable, naming `what`, the
  // holder's pid and host. Other failures (no such folder, read-only): their errno.
  static absl::StatusOr<FileLock> Acquire(const std::string& path, const std::string& what);

  // OK while the locked file is still the one at its path. kDataLoss once it,
  // or a folder above it, was removed or replaced after Acquire: whoever writes
  // beside it should stop rather than recreate what vanished.
  absl::Status CheckInPlace() const;

  FileLock(FileLock&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
    other.fd_ = -1;
  }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  FileLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

}  // namespace huale

#endif  // HUALE_CORE_FILE_LOCK_H_
