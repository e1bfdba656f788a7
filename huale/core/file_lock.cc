#include "huale/core/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace huale {
namespace {

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "?";
  return name;
}

// What the file says about its holder ("pid 123 on host"), best effort.
std::string Holder(int fd) {
  char buffer[256] = {};
  const ssize_t n = pread(fd, buffer, sizeof(buffer) - 1, 0);
  if (n <= 0) return "another process";
  return std::string(absl::StripAsciiWhitespace(std::string(buffer, n)));
}

}  // namespace

absl::StatusOr<FileLock> FileLock::Acquire(const std::string& path, const std::string& what) {
  std::error_code error;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  if (error) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create ", parent.string(), ": ", error.message()));
  }
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot open the lock file ", path));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int code = errno;
    const std::string holder = Holder(fd);
    close(fd);
    if (code == EWOULDBLOCK) {
      return absl::UnavailableError(absl::StrCat(
          what, " is in use by ", holder, " (", path,
          "); wait for it to finish or stop it, then run again (with --resume to continue)"));
    }
    return absl::ErrnoToStatus(code, absl::StrCat("cannot lock ", path));
  }
  // Ours now: record who holds it (a stale record from a killed holder is
  // overwritten here; the kernel already released its lock).
  const std::string record = absl::StrCat("pid ", getpid(), " on ", HostName(), "\n");
  // Without the record the lock still holds; only a second process's message loses the pid.
  static_cast<void>(ftruncate(fd, 0) == 0 && pwrite(fd, record.data(), record.size(), 0) > 0);
  return FileLock(fd, path);
}

absl::Status FileLock::CheckInPlace() const {
  struct stat held = {}, current = {};
  if (fd_ < 0 || fstat(fd_, &held) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("the lock on ", path_, " is not held"));
  }
  if (stat(path_.c_str(), &current) != 0) {
    return absl::DataLossError(absl::StrCat(path_, " was removed (", std::strerror(errno), ")"));
  }
  if (held.st_dev != current.st_dev || held.st_ino != current.st_ino) {
    return absl::DataLossError(absl::StrCat(path_, " was replaced by another file"));
  }
  return absl::OkStatus();
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) close(fd_);  // closing the only descriptor releases the flock
}

}  // namespace huale
